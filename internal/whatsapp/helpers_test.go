package whatsapp_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/server"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/internal/whatsapp"
	"github.com/vasteras/trygg/locales"
)

// The Twilio account and numbers of the tests.
const (
	testToken  = "trygg0test0auth0token0123456789a"
	otherToken = "other0test0auth0token012345678b"
	testSID    = "AC0123456789abcdef0123456789abcdef"
	publicURL  = "https://trygg.example.se"
	inboundURL = publicURL + whatsapp.Path
	resident   = "+46701740605"
	waResident = "whatsapp:" + resident
	waTrygg    = "whatsapp:+46701740650"
	profile    = "Maria Svensson" // ProfileName: never stored nor logged
	mediaURL   = "https://api.twilio.com/2010-04-01/Accounts/" + testSID + "/Messages/MM1/Media/ME1"
)

// The numbers replies are checked for.
const (
	youthBOJ = "010-567 63 25"
	adultBOJ = "021-41 32 60"
)

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
		engine = bot.New(set, bot.Options{})
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
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

// env is the WhatsApp channel as the app builds it, on an in-memory store and a fake clock.
type env struct {
	t       testing.TB
	clock   *clock.Fake
	mem     *store.Memory
	metrics *metrics.Metrics
	hasher  *pseudonym.Hasher
	service *conversation.Service
	http    http.Handler
	logs    *syncBuffer
	cfg     config.Config
}

// newEnv builds the channel from a configuration, as the app does; change may adjust it.
func newEnv(t testing.TB, change ...func(*config.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: clock.NewFake(time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)), metrics: metrics.New(), logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.mem = store.NewMemory(e.clock.Now)
	var err error
	if e.hasher, err = pseudonym.New([]byte("whatsapp-test-secret-012345")); err != nil {
		t.Fatal(err)
	}
	e.service = conversation.New(conversation.Config{Engine: testEngine(t), Store: e.mem, TTL: 24 * time.Hour, Now: e.clock.Now, Log: log})
	e.cfg = config.Config{
		TwilioAccountSID: testSID, TwilioAuthToken: testToken, WhatsAppFrom: waTrygg, PublicURL: publicURL,
		SMSCountries:   []string{"46"},
		SMSSenderLimit: config.Limit{N: 30, Per: 10 * time.Minute}, SMSGlobalLimit: config.Limit{N: 600, Per: time.Minute},
		ConversationTTL: 24 * time.Hour,
	}
	for _, c := range change {
		c(&e.cfg)
	}
	h, err := whatsapp.FromConfig(e.cfg, whatsapp.Deps{Service: e.service, Store: e.mem, Hasher: e.hasher, Metrics: e.metrics, Now: e.clock.Now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(":0", log, nil)
	h.Mount(srv)
	e.http = srv.Handler()
	return e
}

// scope is the resident's pseudonym on WhatsApp.
func (e *env) scope(number string) string { return e.hasher.Of(whatsapp.Channel, number) }

// conversation is what the store holds for the resident's WhatsApp conversation.
func (e *env) conversation(number string) store.Conversation {
	e.t.Helper()
	c, err := e.mem.Load(context.Background(), e.scope(number))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// do serves r and returns the recorded response.
func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.http.ServeHTTP(w, r)
	return w
}

// sidN returns the n-th made-up message SID.
func sidN(n int) string { return fmt.Sprintf("SM%032x", n) }

// form is what Twilio posts for an incoming WhatsApp text from resident.
func form(sid, body string) url.Values {
	return url.Values{
		"SmsMessageSid": {sid}, "NumMedia": {"0"}, "ProfileName": {profile}, "MessageType": {"text"},
		"SmsSid": {sid}, "WaId": {strings.TrimPrefix(resident, "+")}, "SmsStatus": {"received"},
		"Body": {body}, "To": {waTrygg}, "NumSegments": {"1"}, "ReferralNumMedia": {"0"},
		"MessageSid": {sid}, "AccountSid": {testSID}, "From": {waResident}, "ApiVersion": {"2010-04-01"},
		"ChannelMetadata": {`{"type":"whatsapp","data":{"context":{"ProfileName":"` + profile + `","WaId":"46701740605"}}}`},
	}
}

// photo is what Twilio posts for a picture (a voice note is the same with audio/ogg).
func photo(sid, caption, contentType string) url.Values {
	f := form(sid, caption)
	f.Set("NumMedia", "1")
	f.Set("MessageType", strings.SplitN(contentType, "/", 2)[0])
	f.Set("MediaUrl0", mediaURL)
	f.Set("MediaContentType0", contentType)
	return f
}

// with returns f with changes; an empty value deletes the field.
func with(f url.Values, changes map[string]string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	for k, v := range changes {
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
	}
	return out
}

// signed is a request of f signed for inboundURL with the test token.
func signed(f url.Values) *http.Request { return testkit.TwilioRequest(testToken, inboundURL, f) }

// say sends text as the resident and returns the replies.
func (e *env) say(f url.Values) []string {
	e.t.Helper()
	return messages(e.t, e.do(signed(f)))
}

// messages checks that w is 200 TwiML and returns its messages' texts.
func messages(t testing.TB, w *httptest.ResponseRecorder) []string {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	var resp struct {
		XMLName  xml.Name `xml:"Response"`
		Messages []string `xml:"Message"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("not TwiML: %v: %q", err, w.Body.String())
	}
	return resp.Messages
}

// checkPrivate fails when the logs or the store hold the number, the profile name or a
// media URL.
func (e *env) checkPrivate(extra ...string) {
	e.t.Helper()
	logs := e.logs.String()
	for _, s := range append([]string{resident, strings.TrimPrefix(resident, "+"), profile, mediaURL, "Media/ME1"}, extra...) {
		if strings.Contains(logs, s) {
			e.t.Errorf("logs contain %q", s)
		}
	}
	recs, err := e.mem.List(context.Background(), e.scope(resident))
	if err != nil {
		e.t.Fatal(err)
	}
	conv := e.conversation(resident)
	all := string(conv.Data)
	for k, v := range recs {
		all += k + string(v)
	}
	for _, s := range []string{resident, profile, mediaURL, "Media/ME1"} {
		if strings.Contains(all, s) {
			e.t.Errorf("the store holds %q", s)
		}
	}
}

// withBody is r with another body under r's signature.
func withBody(r *http.Request, body string) *http.Request {
	n := httptest.NewRequest(r.Method, r.URL.String(), strings.NewReader(body))
	n.Header = r.Header.Clone()
	return n
}

// withForm is r with another form under r's signature.
func withForm(r *http.Request, f url.Values) *http.Request { return withBody(r, f.Encode()) }

// withURL is r sent to another URL under r's signature.
func withURL(r *http.Request, to string) *http.Request {
	b, _ := io.ReadAll(r.Body)
	n := httptest.NewRequest(r.Method, to, bytes.NewReader(b))
	n.Header = r.Header.Clone()
	return n
}
