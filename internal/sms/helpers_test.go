package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/server"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/locales"
)

// The Twilio account of the tests; the token and the public URL are the ones the npm
// fixtures were signed with.
const (
	testToken  = "trygg0test0auth0token0123456789a"
	otherToken = "other0test0auth0token012345678b"
	testSID    = "AC0123456789abcdef0123456789abcdef"
	publicURL  = "https://trygg.example.se"
	inboundURL = publicURL + sms.InboundPath
	statusURL  = publicURL + sms.StatusPath
	resident   = "+46701740605" // the From of every fixture
	trygNumber = "+46701740650"
)

// The numbers replies are checked for.
const (
	youthBOJ = "010-567 63 25"
	adultBOJ = "021-41 32 60"
)

// fixture is one request signed by the npm package twilio (testdata/twilio_signatures.json).
type fixture struct {
	Name      string            `json:"name"`
	Token     string            `json:"token"`
	URL       string            `json:"url"`
	Params    map[string]string `json:"params"`
	Signature string            `json:"signature"`
}

var (
	fixturesOnce sync.Once
	fixtureList  []fixture
	fixtureErr   error
)

// fixtures returns the npm-signed requests by name.
func fixtures(t testing.TB) map[string]fixture {
	t.Helper()
	fixturesOnce.Do(func() {
		b, err := os.ReadFile("testdata/twilio_signatures.json")
		if err != nil {
			fixtureErr = err
			return
		}
		var f struct {
			Cases []fixture `json:"cases"`
		}
		fixtureErr = json.Unmarshal(b, &f)
		fixtureList = f.Cases
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	m := map[string]fixture{}
	for _, f := range fixtureList {
		p := make(map[string]string, len(f.Params))
		for k, v := range f.Params {
			p[k] = v
		}
		f.Params = p
		m[f.Name] = f
	}
	return m
}

// message returns the form fields Twilio posts for an incoming SMS with body from resident.
func message(sid, body string) map[string]string {
	return map[string]string{
		"ToCountry": "SE", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
		"FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
		"Body": body, "FromCountry": "SE", "To": trygNumber, "ToZip": "", "NumSegments": "1",
		"MessageSid": sid, "AccountSid": testSID, "From": resident, "ApiVersion": "2010-04-01",
	}
}

// sidN returns the n-th made-up message SID.
func sidN(n int) string { return fmt.Sprintf("SM%032x", n) }

// encode writes params as a form body.
func encode(params map[string]string) string {
	var b strings.Builder
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(params[k]))
	}
	return b.String()
}

// post builds a webhook request to url with params and signature (none when "").
func post(url string, params map[string]string, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(encode(params)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		r.Header.Set("X-Twilio-Signature", signature)
	}
	return r
}

// signed builds a request signed with the test token for url.
func signed(url string, params map[string]string) *http.Request {
	return post(url, params, testkit.TwilioSignature(testToken, url, params))
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var (
	engineOnce sync.Once
	engine     *bot.Engine
	engineErr  error
)

// testEngine is the engine on the built-in flows and texts.
func testEngine(t testing.TB) *bot.Engine {
	t.Helper()
	engineOnce.Do(func() {
		set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
		if err != nil {
			engineErr = err
			return
		}
		if p := flows.Check(set); len(p) > 0 {
			engineErr = fmt.Errorf("flows have problems: %v", p)
			return
		}
		engine = bot.New(set, bot.Options{})
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// env is a channel on a real server handler with an in-memory store behind a countingStore.
type env struct {
	t       testing.TB
	clock   *clock
	mem     *store.Memory
	store   *countingStore
	metrics *metrics.Metrics
	hasher  *pseudonym.Hasher
	handler *sms.Handler
	http    http.Handler
	logs    *syncBuffer

	base     sms.Config
	baseConv conversation.Config
}

// syncBuffer is a bytes.Buffer safe for concurrent writes, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// convConfig is the conversation service's configuration, which options may change.
type convConfig = conversation.Config

// option changes the configuration of an env.
type option func(*sms.Config, *conversation.Config)

// newEnv builds a channel like the app does, with the fixtures' token and public URL.
func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), metrics: metrics.New(), logs: &syncBuffer{}}
	log := slogTo(e.logs)
	e.mem = store.NewMemory(e.clock.Now)
	e.store = &countingStore{Store: e.mem}
	var err error
	if e.hasher, err = pseudonym.New([]byte("sms-test-secret-0123456789")); err != nil {
		t.Fatal(err)
	}
	ccfg := conversation.Config{Engine: testEngine(t), Store: e.store, TTL: 24 * time.Hour, Now: e.clock.Now, Log: log}
	cfg := sms.Config{
		AccountSID:  testSID,
		AuthToken:   testToken,
		PublicURL:   publicURL,
		Store:       e.store,
		Hasher:      e.hasher,
		Metrics:     e.metrics,
		SenderLimit: config.Limit{N: 30, Per: 10 * time.Minute},
		GlobalLimit: config.Limit{N: 600, Per: time.Minute},
		Now:         e.clock.Now,
		Log:         log,
	}
	e.base, e.baseConv = cfg, ccfg
	e.handler, e.http = e.build(opts...)
	return e
}

// build makes a handler on the env's store and clock with opts applied.
func (e *env) build(opts ...option) (*sms.Handler, http.Handler) {
	e.t.Helper()
	cfg, ccfg := e.base, e.baseConv
	for _, o := range opts {
		o(&cfg, &ccfg)
	}
	cfg.Service = conversation.New(ccfg)
	h, err := sms.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := server.New(":0", cfg.Log, nil)
	h.Mount(srv)
	return h, srv.Handler()
}

// replica returns another trygg process on the same store: its own handler, service and
// in-process state, with opts applied.
func (e *env) replica(opts ...option) http.Handler {
	_, h := e.build(opts...)
	return h
}

// do serves r and returns the recorded response.
func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.http.ServeHTTP(w, r)
	return w
}

// scope is the resident's pseudonym, where the conversation is kept.
func (e *env) scope(from string) string { return e.hasher.Of(sms.PseudonymChannel, from) }

// conversation returns what the store holds for the resident's conversation.
func (e *env) conversation(from string) store.Conversation {
	e.t.Helper()
	c, err := e.mem.Load(context.Background(), e.scope(from))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// twimlResponse is a TwiML <Response> of messages.
type twimlResponse struct {
	XMLName  xml.Name `xml:"Response"`
	Messages []string `xml:"Message"`
}

// messages checks that w is 200 TwiML and returns its messages' texts.
func messages(t testing.TB, w *httptest.ResponseRecorder) []string {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/xml" {
		t.Fatalf("Content-Type %q, want text/xml", ct)
	}
	var resp twimlResponse
	if err := xml.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("not TwiML: %v: %q", err, w.Body.String())
	}
	return resp.Messages
}

// safetyTexts returns the safety reply in each language.
func safetyTexts(t testing.TB) map[string]string {
	e := testEngine(t)
	m := map[string]string{}
	for _, l := range e.Langs() {
		m[l] = e.Safe(l).Text
	}
	return m
}

// countingStore counts the calls that reach the store, and can fail or hang them.
type countingStore struct {
	store.Store
	calls atomic.Int64
	// fail, when set, decides per operation ("load", "save", "remember", "hit", "erase")
	// whether to fail (errFailing), hang until the context ends or released, or pass.
	fail func(op string) behaviour
	// release ends every hang.
	release chan struct{}
}

type behaviour int

const (
	pass behaviour = iota
	failing
	hanging
	gated // waits for release, then passes
)

var errFailing = errors.New("store is down")

func (s *countingStore) before(ctx context.Context, op string) error {
	s.calls.Add(1)
	if s.fail == nil {
		return nil
	}
	switch s.fail(op) {
	case failing:
		return fmt.Errorf("%s: %w", op, errFailing)
	case hanging:
		// Hang like a store that lost its connection and ignores the context: only the
		// end of the test releases it.
		<-s.release
		return fmt.Errorf("%s: released", op)
	case gated:
		<-s.release
	}
	return nil
}

func (s *countingStore) Load(ctx context.Context, scope string) (store.Conversation, error) {
	if err := s.before(ctx, "load"); err != nil {
		return store.Conversation{}, err
	}
	return s.Store.Load(ctx, scope)
}

func (s *countingStore) Save(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error) {
	if err := s.before(ctx, "save"); err != nil {
		return 0, err
	}
	return s.Store.Save(ctx, scope, c, ttl)
}

func (s *countingStore) Erase(ctx context.Context, scope string) error {
	if err := s.before(ctx, "erase"); err != nil {
		return err
	}
	return s.Store.Erase(ctx, scope)
}

func (s *countingStore) Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	if err := s.before(ctx, "remember"); err != nil {
		return nil, false, err
	}
	return s.Store.Remember(ctx, scope, id, value, ttl)
}

func (s *countingStore) Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error) {
	if err := s.before(ctx, "hit"); err != nil {
		return 0, err
	}
	return s.Store.Hit(ctx, scope, window, ttl)
}

// checkLogs fails when the logs hold the resident's number or any of texts.
func (e *env) checkLogs(texts ...string) {
	e.t.Helper()
	logs := e.logs.String()
	for _, s := range append([]string{resident, strings.TrimPrefix(resident, "+"), e.scope(resident)}, texts...) {
		if s != "" && strings.Contains(logs, s) {
			e.t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

// slogTo returns a logger writing everything, debug included, to w.
func slogTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// eachStore runs test on the separate store calls (a store without store.Admitter and
// store.ReplySaver, each step bounded on its own) and on the batched ones (Admit, and the
// reply saved with the state), as the app's stores do.
func eachStore(t *testing.T, test func(t *testing.T, st option)) {
	t.Run("separate", func(t *testing.T) { test(t, func(*sms.Config, *conversation.Config) {}) })
	t.Run("batched", func(t *testing.T) { test(t, batched) })
}

// batched puts a batchingStore in front of the env's countingStore.
func batched(c *sms.Config, cc *conversation.Config) {
	cs, ok := c.Store.(*countingStore)
	if !ok {
		return
	}
	b := &batchingStore{countingStore: cs}
	c.Store, cc.Store = b, b
}

// batchingStore is a countingStore with the batched calls of store.Admitter and
// store.ReplySaver, which the Memory behind it does; each counts as one call.
type batchingStore struct {
	*countingStore
}

func (s *batchingStore) Admit(ctx context.Context, scope string, a store.Admission) (store.AdmitResult, error) {
	if err := s.before(ctx, "admit"); err != nil {
		return store.AdmitResult{}, err
	}
	return s.Store.(store.Admitter).Admit(ctx, scope, a)
}

func (s *batchingStore) SaveRemember(ctx context.Context, scope string, c store.Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error) {
	if err := s.before(ctx, "save_remember"); err != nil {
		return 0, err
	}
	return s.Store.(store.ReplySaver).SaveRemember(ctx, scope, c, ttl, id, value, rememberTTL)
}
