package grannsamverkan_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/locales"
)

const (
	authToken = "12345678901234567890123456789012"
	accountID = "AC0123456789abcdef0123456789abcdef"
	publicURL = "https://trygg.test"
)

var loadEngine = sync.OnceValues(func() (*bot.Engine, error) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		return nil, err
	}
	return bot.New(set, bot.Options{}), nil
})

// world is trygg's SMS channel and Grannsamverkan on one miniredis, driven through the
// signed Twilio webhooks.
type world struct {
	t     *testing.T
	mini  *redistest.Mini
	store *redisstore.Store
	clock *clock.Fake
	gs    *grannsamverkan.Service
	sms   *sms.Handler
	msgs  int
	// outbox is the fake Twilio the register's not-registered notices go to, through the
	// real REST sender.
	outbox *testkit.TwilioAPI
	// between, when set, runs after Grannsamverkan's Prepare of each turn and before the
	// engine answers: what another replica does in between.
	between func(msg *bot.Message)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	engine, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, mini: redistest.StartMini(t), clock: clock.NewFake(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))}
	w.store, err = redisstore.Open(redisstore.Config{URL: w.mini.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.store.Close() })
	hasher, err := pseudonym.New([]byte("a test secret of at least 16 bytes"))
	if err != nil {
		t.Fatal(err)
	}
	w.outbox = newFakeTwilio(t, w.clock)
	notices := w.sender(w.outbox, 100)
	w.gs, err = grannsamverkan.New(grannsamverkan.Config{
		Records: w.store, Guard: w.store, Hasher: hasher, Now: w.clock.Now,
		Areas: map[string]string{"backby": "Bäckby", "vallby": "Vallby", "oster_malarstrand": "Öster Mälarstrand"},
		IsYes: func(text string) bool { return engine.Says(text, "yes") }, // as the app wires it
		NotRegistered: func(ctx context.Context, to, lang string) error {
			_, err := notices.Send(ctx, to, engine.OmbudNotRegistered(lang).Text)
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.gs.Wait)
	conv := conversation.New(conversation.Config{Engine: engine, Store: w.store, Now: w.clock.Now})
	conv.Register(between{w})
	w.sms, err = sms.New(sms.Config{
		AccountSID: accountID, AuthToken: authToken, PublicURL: publicURL, Service: conv, Store: w.store, Hasher: hasher,
		Metrics: metrics.New(), SenderLimit: config.Limit{N: 1000, Per: time.Minute},
		GlobalLimit: config.Limit{N: 100000, Per: time.Minute}, Now: w.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// post sends a signed Twilio webhook to handler and returns the response body.
func post(t *testing.T, handler http.HandlerFunc, path string, params map[string]string) string {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	r := httptest.NewRequest(http.MethodPost, publicURL+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", testkit.TwilioSignature(authToken, publicURL+path, params))
	rec := httptest.NewRecorder()
	handler(rec, r)
	if rec.Code/100 != 2 {
		t.Fatalf("%s: status %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// text sends an SMS from the number from and returns trygg's TwiML answer.
func (w *world) text(from, body string) string {
	w.t.Helper()
	w.msgs++
	return post(w.t, w.sms.ServeInbound, sms.InboundPath, map[string]string{
		"MessageSid": fmt.Sprintf("SM%032x", w.msgs), "AccountSid": accountID, "From": from,
		"To": "+46766860000", "Body": body, "NumSegments": "1",
	})
}

// invite makes an invite code for area.
func (w *world) invite(area string) string {
	w.t.Helper()
	inv, err := w.gs.NewInvite(context.Background(), area)
	if err != nil {
		w.t.Fatal(err)
	}
	return inv.Code
}

// join makes from an ombud of area through the SMS conversation.
func (w *world) join(from, area string) {
	w.t.Helper()
	w.joinCode(from, w.invite(area), area)
}

// joinCode makes from an ombud of area with the invite code.
func (w *world) joinCode(from, code, area string) {
	w.t.Helper()
	yes, _ := w.offer(from, code)
	before := len(w.list(area))
	w.text(from, yes)
	if after := len(w.list(area)); after != before+1 {
		w.t.Fatalf("%s: not registered (%d → %d)", yes, before, after)
	}
}

// offer sends OMBUD and code from from, checks that the offer to join came, and returns the
// word that accepts it and the language of the offer. The engine guesses the language from
// the message, and a code's letters can read as an English word ("AT"): answer in the
// language of the offer.
func (w *world) offer(from, code string) (yes, lang string) {
	w.t.Helper()
	switch got := w.text(from, "OMBUD "+code); {
	case strings.Contains(got, "Svara JA"):
		return "ja", "sv"
	case strings.Contains(got, "Reply YES"):
		return "yes", "en"
	case strings.Contains(got, "Vastaa KYLLÄ"):
		return "kyllä", "fi"
	default:
		w.t.Fatalf("OMBUD %s: no offer:\n%s", code, got)
		return "", ""
	}
}

func (w *world) list(area string) []grannsamverkan.Ombud {
	w.t.Helper()
	l, err := w.gs.List(context.Background(), area)
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// assertNoPlainNumbers scans every raw value in Redis for the digits of the numbers.
func (w *world) assertNoPlainNumbers(numbers ...string) {
	w.t.Helper()
	var raw strings.Builder
	for _, k := range w.mini.Keys() {
		raw.WriteString(k + "\n")
		switch w.mini.Type(k) {
		case "hash":
			fields, _ := w.mini.HKeys(k)
			for _, f := range fields {
				raw.WriteString(f + "=" + w.mini.HGet(k, f) + "\n")
			}
		case "string":
			v, _ := w.mini.Get(k)
			raw.WriteString(v + "\n")
		}
	}
	dump := raw.String()
	if !strings.Contains(dump, "gs-ombud") {
		w.t.Fatalf("the register is not in Redis:\n%s", dump)
	}
	for _, n := range numbers {
		digits := strings.TrimPrefix(n, "+")
		local := "0" + strings.TrimPrefix(digits, "46")
		for _, d := range []string{digits, local, digits[len(digits)-7:]} {
			if strings.Contains(dump, d) {
				w.t.Errorf("the number %s is in Redis in plain text (%s)", n, d)
			}
		}
	}
}

func TestFindCode(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"OMBUD BK-4821", "BK-4821"},
		{"ombud bk-4821", "BK-4821"},
		{"Ombud BK 4821", "BK-4821"},
		{"ombud bk4821", "BK-4821"},
		{"OMBUD  bk - 4821 tack", "BK-4821"},
		{"ombud", ""},
		{"ombud BK-48210", ""}, // five digits: not a code
		{"ombud XBK-4821", ""}, // three letters: not a code
		{"ring 112", ""},
	} {
		if got := grannsamverkan.FindCode(tc.text); got != tc.want {
			t.Errorf("FindCode(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestInviteCodes: a code opens the offer when valid, typed in any case or with spaces;
// used, expired, unknown or for an unknown area it gives the normal Grannsamverkan text
// and stores nothing.
func TestInviteCodes(t *testing.T) {
	const offer, info = "112", "Grannsamverkan"
	for _, tc := range []struct {
		name  string
		setup func(w *world) string // returns the message to send
		want  string
	}{
		{"valid", func(w *world) string { return "OMBUD " + w.invite("backby") }, offer},
		{"fixed code", func(w *world) string {
			v, _ := json.Marshal(map[string]any{"area": "backby", "expires": w.clock.Now().Add(time.Hour)})
			if err := w.store.Put(context.Background(), "gs-invites", "BK-4821", v, time.Hour); err != nil {
				t.Fatal(err)
			}
			return "OMBUD bk 4821"
		}, offer},
		{"area by name", func(w *world) string { return "OMBUD " + w.invite("BÄCKBY") }, offer},
		{"lower case", func(w *world) string { return "ombud " + strings.ToLower(w.invite("vallby")) }, offer},
		{"with spaces", func(w *world) string {
			return "ombud " + strings.Replace(w.invite("backby"), "-", " ", 1)
		}, offer},
		{"used twice", func(w *world) string {
			code := w.invite("backby")
			w.joinCode("+46701110001", code, "backby")
			return "OMBUD " + code
		}, info},
		{"expired", func(w *world) string {
			code := w.invite("backby")
			w.clock.Add(grannsamverkan.InviteValid + time.Minute)
			return "OMBUD " + code
		}, info},
		{"unknown code", func(*world) string { return "OMBUD ZZ-0000" }, info},
		{"wrong area", func(w *world) string {
			v, _ := json.Marshal(map[string]any{"area": "atlantis", "expires": w.clock.Now().Add(time.Hour)})
			if err := w.store.Put(context.Background(), "gs-invites", "AT-1234", v, time.Hour); err != nil {
				t.Fatal(err)
			}
			return "OMBUD AT-1234"
		}, info},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			msg := tc.setup(w)
			before := len(w.list(""))
			got := w.text("+46702220002", msg)
			if tc.want == offer && !strings.Contains(got, "Svara JA") && !strings.Contains(got, "Reply YES") {
				t.Fatalf("%q: no offer in\n%s", msg, got)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("%q: want %q in\n%s", msg, tc.want, got)
			}
			if !strings.Contains(got, "112") {
				t.Errorf("no 112 in %s", got)
			}
			if tc.want == info {
				if strings.Contains(got, "Svara JA") || strings.Contains(got, "Reply YES") {
					t.Fatalf("%q: offered to join with an invalid code:\n%s", msg, got)
				}
				w.text("+46702220002", "ja")
				if n := len(w.list("")); n != before {
					t.Errorf("register went from %d to %d after an invalid code", before, n)
				}
			}
		})
	}
	t.Run("unknown area is refused", func(t *testing.T) {
		w := newWorld(t)
		if _, err := w.gs.NewInvite(context.Background(), "atlantis"); !errors.Is(err, grannsamverkan.ErrUnknownArea) {
			t.Fatalf("err = %v, want ErrUnknownArea", err)
		}
	})
}

// TestJoinAndLeave: OMBUD <kod> → JA registers with the number encrypted; OMBUD SLUTA and
// STOPP remove; a NEJ registers nothing.
func TestJoinAndLeave(t *testing.T) {
	w := newWorld(t)
	const anna, bo, cecilia = "+46701234567", "+46709876543", "+46705551234"
	w.join(anna, "backby")
	w.join(bo, "backby")
	l := w.list("backby")
	if len(l) != 2 || !l[0].Active || !l[1].Active {
		t.Fatalf("register = %+v, want 2 active ombud", l)
	}
	areas, err := w.gs.ActiveAreas(context.Background())
	if err != nil || len(areas) != 1 || areas[0] != "backby" {
		t.Fatalf("ActiveAreas = %v, %v", areas, err)
	}
	w.assertNoPlainNumbers(anna, bo)

	// NEJ: nothing stored.
	code := w.invite("vallby")
	w.text(cecilia, "OMBUD "+code)
	w.text(cecilia, "nej")
	if n := len(w.list("vallby")); n != 0 {
		t.Fatalf("NEJ registered %d", n)
	}

	if got := w.text(anna, "OMBUD SLUTA"); !strings.Contains(got, "borttaget") {
		t.Fatalf("OMBUD SLUTA:\n%s", got)
	}
	if l := w.list(""); len(l) != 1 {
		t.Fatalf("after OMBUD SLUTA: %+v", l)
	}
	w.text(bo, "STOPP")
	if l := w.list(""); len(l) != 0 {
		t.Fatalf("after STOPP: %+v", l)
	}
	// "Finns det grannsamverkan där jag bor?" now says no for Bäckby.
	w.clock.Add(grannsamverkan.DefaultCacheFor)
	if got := w.text("+46700000003", "finns det grannsamverkan i bäckby?"); !strings.Contains(got, "känner inte till några aktiva") {
		t.Errorf("gs_where after everyone left:\n%s", got)
	}
}

// TestJoinAnswersTruthfully: the answer to JA tells the truth about the registration. The
// host tells the engine before the turn whether the invite is still held and valid: when
// the hold ran out, the code was used by someone else or the invite expired meanwhile,
// the answer says the resident is not registered and how to try again, and nothing is
// registered or sent besides. When the code is lost between that check and the
// registration (another replica's JA in between), the answer already said "registered",
// so a correction goes out by SMS in the resident's language.
func TestJoinAnswersTruthfully(t *testing.T) {
	engine, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	const resident, other = "+46701112233", "+46704445566"
	type outcome int
	const (
		joined outcome = iota
		refused
		corrected
	)
	for _, tc := range []struct {
		name string
		// before runs before the OMBUD message and returns the code; after runs between
		// the offer and the JA.
		before func(w *world) string
		after  func(w *world, code string)
		want   outcome
		// retry is whether OMBUD and the same code then get the offer again.
		retry bool
	}{
		{name: "in time", want: joined},
		{name: "hold expired", after: func(w *world, _ string) {
			w.clock.Add(grannsamverkan.PendingTTL + time.Minute)
			w.mini.Advance(grannsamverkan.PendingTTL + time.Minute)
		}, want: refused, retry: true},
		{name: "code used by another meanwhile", after: func(w *world, code string) {
			w.joinCode(other, code, "backby")
		}, want: refused},
		{name: "invite expired while waiting", before: func(w *world) string {
			code := w.invite("backby")
			w.clock.Add(grannsamverkan.InviteValid - 10*time.Minute)
			return code
		}, after: func(w *world, _ string) {
			w.clock.Add(20 * time.Minute)
			w.mini.Advance(20 * time.Minute)
		}, want: refused},
		{name: "lost race after the check", after: func(w *world, code string) {
			w.between = func(msg *bot.Message) {
				w.between = nil
				if !msg.InviteHeld {
					t.Errorf("Prepare did not find the invite held for %q", msg.Text)
				}
				// Another replica registers someone with the same code now: it takes the
				// code's once-guard first, as the register's join does.
				if _, taken, err := w.store.Remember(context.Background(), "gs-invite-used", code, []byte("x"), time.Hour); err != nil || taken {
					t.Fatalf("take the code: %v, %v", taken, err)
				}
			}
		}, want: corrected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			code := w.invite("backby")
			if tc.before != nil {
				code = tc.before(w)
			}
			yes, lang := w.offer(resident, code)
			if tc.after != nil {
				tc.after(w, code)
			}
			before := len(w.list("backby"))
			got := w.text(resident, yes)
			w.gs.Wait()
			sent := w.outbox.Messages()
			registered := len(w.list("backby")) - before
			notice := engine.OmbudNotRegistered(lang).Text
			switch tc.want {
			case joined:
				if strings.Contains(got, notice) || registered != 1 || len(sent) != 0 {
					t.Fatalf("%s: registered %d, %d notices, answer:\n%s", yes, registered, len(sent), got)
				}
			case refused:
				if !strings.Contains(got, notice) {
					t.Errorf("%s: answer lacks the not-registered text %q:\n%s", yes, notice, got)
				}
				if registered != 0 || len(sent) != 0 {
					t.Errorf("%s: registered %d, %d notices; want none", yes, registered, len(sent))
				}
			case corrected:
				if !strings.Contains(got, "du är med") && !strings.Contains(got, "you are a contact person") && !strings.Contains(got, "olet yhteyshenkilö") {
					t.Errorf("%s: the engine was told the invite was held, but answered:\n%s", yes, got)
				}
				if registered != 0 {
					t.Errorf("%s: registered %d with a code used by someone else", yes, registered)
				}
				if len(sent) != 1 || sent[0].To != resident || sent[0].Body != notice {
					t.Errorf("notices = %+v, want one to %s: %q", sent, resident, notice)
				}
			}
			if tc.retry {
				yes, _ := w.offer(resident, code)
				w.text(resident, yes)
				if n := len(w.list("backby")) - before; n != 1 {
					t.Errorf("retry with the same code: registered %d, want 1", n)
				}
			}
		})
	}
}

// newFakeTwilio is Twilio's Messages API from the test kit, its messages timed by the fake
// clock.
func newFakeTwilio(t *testing.T, c *clock.Fake) *testkit.TwilioAPI {
	f := testkit.NewTwilioAPI(t, accountID, authToken)
	f.SetNow(c.Now)
	return f
}

// cards records the counts the alert card was updated with.
type cards struct {
	mu   sync.Mutex
	last grannsamverkan.Counts
	n    int
}

func (c *cards) update(_ context.Context, _ grannsamverkan.Alert, n grannsamverkan.Counts) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.n = n, c.n+1
	return nil
}

// sender is the real REST sender at perSecond against the fake Twilio, its pacing on the
// fake clock (a wait moves the clock).
func (w *world) sender(tw *testkit.TwilioAPI, perSecond float64) *sms.Sender {
	w.t.Helper()
	sender, err := sms.NewSender(sms.SenderConfig{
		AccountSID: accountID, AuthToken: authToken, From: "+46766860000",
		StatusCallback: publicURL + sms.StatusPath, PerSecond: perSecond,
		Transport: tw.Transport(), Now: w.clock.Now, Metrics: metrics.New(),
		Sleep: func(ctx context.Context, d time.Duration) error { w.clock.Add(d); return ctx.Err() },
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return sender
}

// newAlerts is one process's alert sender: the real REST sender at perSecond against the
// fake Twilio, its pacing on the fake clock (a wait moves the clock).
func (w *world) newAlerts(tw *testkit.TwilioAPI, perSecond float64, c *cards) *grannsamverkan.Alerts {
	w.t.Helper()
	sender := w.sender(tw, perSecond)
	al, err := grannsamverkan.NewAlerts(grannsamverkan.AlertsConfig{
		Service: w.gs, Records: w.store, Guard: w.store, Send: sender.Send,
		OptedOut: func(err error) bool { return errors.Is(err, sms.ErrOptedOut) },
		Card:     c.update, Clock: w.clock,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return al
}

// TestAlertToTwentyFive: Skicka to an area with 25 ombud sends 25 SMS at the configured
// rate, a restart in the middle sends none twice, status callbacks update the counts, and
// an opted-out number (21610) is deactivated.
func TestAlertToTwentyFive(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var numbers []string
	for i := range 25 {
		n := fmt.Sprintf("+467012300%02d", i)
		numbers = append(numbers, n)
		w.join(n, "backby")
	}
	w.join("+46709990000", "vallby") // another area: gets nothing
	w.assertNoPlainNumbers(numbers...)

	tw := newFakeTwilio(t, w.clock)
	c := &cards{}
	const rate = 2.0
	first := w.newAlerts(tw, rate, c)
	const text = "Flera inbrott i källarförråd på Bäckby i natt. Lås förråden och ring 112 om det pågår."
	p, err := first.Prepare(ctx, "Bäckby", text)
	if err != nil || p.Problem != nil || p.Recipients != 25 || p.Info.Segments != 1 {
		t.Fatalf("preview = %+v, %v", p, err)
	}
	al, err := first.Queue(ctx, p.ID, "U0STAFF")
	if err != nil || al.Total != 25 {
		t.Fatalf("queue = %+v, %v", al, err)
	}
	if _, err := first.Queue(ctx, p.ID, "U0STAFF"); !errors.Is(err, grannsamverkan.ErrNoPrev) {
		t.Fatalf("second Skicka: err = %v, want ErrNoPrev", err)
	}
	if err := first.Attach(ctx, al.ID, "C0TRYGG", "1763283001.000100"); err != nil {
		t.Fatal(err)
	}

	// The first process stops after its 10th SMS.
	runCtx, stop := context.WithCancel(ctx)
	tw.OnCreate(func(testkit.TwilioMessage) {
		if len(tw.Messages()) == 10 {
			stop()
		}
	})
	if err := first.Drain(runCtx); err != nil {
		t.Fatal(err)
	}
	if n := len(tw.Messages()); n != 10 {
		t.Fatalf("the first process sent %d, want 10", n)
	}
	tw.OnCreate(nil)
	// A restart: a new process on the same Redis finishes the alert.
	second := w.newAlerts(tw, rate, c)
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := tw.Messages()
	if len(got) != 25 {
		t.Fatalf("sent %d SMS, want 25", len(got))
	}
	seen := map[string]bool{}
	for _, s := range got {
		if seen[s.To] {
			t.Errorf("%s got the alert twice", s.To)
		}
		seen[s.To] = true
		if s.Body != text {
			t.Errorf("SMS body = %q, want exactly the staff text", s.Body)
		}
	}
	for _, n := range numbers {
		if !seen[n] {
			t.Errorf("%s got no alert", n)
		}
	}
	// The rate within each process: 10 and 15 messages.
	for _, part := range [][]testkit.TwilioMessage{got[:10], got[10:]} {
		span := part[len(part)-1].At.Sub(part[0].At)
		measured := float64(len(part)-1) / span.Seconds()
		t.Logf("measured send rate: %d SMS in %v = %.3f SMS/s (configured %.1f)", len(part), span, measured, rate)
		if measured < rate*0.99 || measured > rate*1.01 {
			t.Errorf("send rate %.3f/s, want %.1f/s", measured, rate)
		}
	}

	// Status callbacks through the signed webhook: 20 delivered, 5 undelivered.
	var status sms.Hooks
	status.Status = second.Status
	h, err := sms.New(sms.Config{
		AccountSID: accountID, AuthToken: authToken, PublicURL: publicURL, Service: conversation.New(conversation.Config{Engine: mustEngine(t), Store: w.store}),
		Store: w.store, Hasher: pseudonym.Random(), Metrics: metrics.New(),
		SenderLimit: config.Limit{N: 10, Per: time.Minute}, GlobalLimit: config.Limit{N: 10, Per: time.Minute},
		Hooks: status,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got {
		st, code := "delivered", ""
		if i >= 20 {
			st, code = "undelivered", "30003"
		}
		post(t, h.ServeStatus, sms.StatusPath, map[string]string{
			"MessageSid": s.SID, "MessageStatus": st, "ErrorCode": code, "AccountSid": accountID, "To": s.To,
		})
	}
	counts, err := second.Counts(ctx, al.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := grannsamverkan.Counts{Total: 25, Delivered: 20, Failed: 5}
	if counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}
	if c.last != want {
		t.Errorf("the card shows %+v, want %+v", c.last, want)
	}
	// Twilio repeats every callback (the channel counts each once), and a contradicting
	// final status that gets past the channel does not change a job: the first one wins.
	for i, s := range got {
		st, code, later := "delivered", "", "failed"
		if i >= 20 {
			st, code, later = "undelivered", "30003", "delivered"
		}
		post(t, h.ServeStatus, sms.StatusPath, map[string]string{
			"MessageSid": s.SID, "MessageStatus": st, "ErrorCode": code, "AccountSid": accountID, "To": s.To,
		})
		if err := second.Status(ctx, s.SID, later, ""); err != nil {
			t.Fatal(err)
		}
	}
	if counts, err := second.Counts(ctx, al.ID); err != nil || counts != want {
		t.Errorf("after repeats and contradictions: counts = %+v, %v; want %+v", counts, err, want)
	}

	// 21610: the next alert deactivates the opted-out ombud and does not count them again.
	tw.OptOut(numbers[3])
	p2, _ := second.Prepare(ctx, "backby", "Test igen. Ring 112 om det brinner.")
	al2, err := second.Queue(ctx, p2.ID, "U0STAFF")
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c2, _ := second.Counts(ctx, al2.ID)
	if c2.Failed != 1 || c2.Sent != 24 {
		t.Errorf("second alert counts = %+v, want 24 sent and 1 failed", c2)
	}
	active := 0
	for _, o := range w.list("backby") {
		if o.Active {
			active++
		}
	}
	if active != 24 {
		t.Errorf("%d active ombud after a 21610, want 24", active)
	}
	w.assertNoPlainNumbers(numbers...)
}

// TestAlertGuardTakenIsNotResent: a job whose once-guard was taken by a process that died
// during the send is never sent again; it is counted as unknown.
func TestAlertGuardTakenIsNotResent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.join("+46701111111", "backby")
	w.join("+46702222222", "backby")
	tw := newFakeTwilio(t, w.clock)
	a := w.newAlerts(tw, 1, &cards{})
	p, _ := a.Prepare(ctx, "backby", "Inbrott i natt.")
	al, err := a.Queue(ctx, p.ID, "U0STAFF")
	if err != nil {
		t.Fatal(err)
	}
	crashed := w.list("backby")[0].ID
	if _, _, err := w.store.Remember(ctx, "gs-alert-sent:"+al.ID, crashed, []byte{1}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := a.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(tw.Messages()); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	c, _ := a.Counts(ctx, al.ID)
	if c.Unknown != 1 || c.Sent != 1 {
		t.Errorf("counts = %+v, want 1 sent, 1 unknown", c)
	}
}

// TestAlertPreviewRefusals: over 2 segments, outside GSM-7 and personal numbers are refused.
func TestAlertPreviewRefusals(t *testing.T) {
	w := newWorld(t)
	a := w.newAlerts(newFakeTwilio(t, w.clock), 1, &cards{})
	for _, tc := range []struct {
		text string
		want error
	}{
		{strings.Repeat("Inbrott. ", 35), grannsamverkan.ErrTooLong},
		{"Inbrott i natt 🚨", grannsamverkan.ErrNotGSM},
		{"Ring Anna på 070-123 45 67", grannsamverkan.ErrPersonal},
		{"Mannen 19800101-1234 greps", grannsamverkan.ErrPersonal},
		{"  ", grannsamverkan.ErrEmpty},
		{"Inbrott i källare på Bäckby. Ring 112 eller 114 14.", nil},
	} {
		p, err := a.Prepare(context.Background(), "backby", tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(p.Problem, tc.want) || (tc.want == nil) != (p.ID != "") {
			t.Errorf("%q: problem %v id %q, want %v", tc.text, p.Problem, p.ID, tc.want)
		}
	}
}

func mustEngine(t *testing.T) *bot.Engine {
	e, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// countingRecords counts the reads of one key.
type countingRecords struct {
	store.Records
	key   string
	reads int
}

func (c *countingRecords) Get(ctx context.Context, scope, key string) ([]byte, bool, error) {
	if key == c.key {
		c.reads++
	}
	return c.Records.Get(ctx, scope, key)
}

// TestPrepareReadsTheHoldOnlyForYes: whether the invite is still held matters only to a yes
// (the answer to the offer), so Prepare reads the hold for such a message alone and every
// other SMS turn keeps its two Redis round trips.
func TestPrepareReadsTheHoldOnlyForYes(t *testing.T) {
	engine, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := pseudonym.New([]byte("a test secret of at least 16 bytes"))
	if err != nil {
		t.Fatal(err)
	}
	mem := store.NewMemory(time.Now)
	rec := &countingRecords{Records: mem, key: grannsamverkan.PendingKey}
	gs, err := grannsamverkan.New(grannsamverkan.Config{
		Records: rec, Guard: mem, Hasher: hasher, Now: time.Now,
		Areas: map[string]string{"backby": "Bäckby"},
		IsYes: func(text string) bool { return engine.Says(text, "yes") },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text  string
		reads int
	}{
		{"hej", 0}, {"Jag är 16 och blev rånad", 0}, {"1", 0}, {"nej", 0},
		{"JA", 1}, {"ja tack", 1}, {"yes", 1}, {"kyllä", 1},
	} {
		rec.reads = 0
		msg := bot.Message{Text: tc.text, Channel: "sms"}
		if err := gs.Prepare(t.Context(), "scope", &msg); err != nil {
			t.Fatal(err)
		}
		if rec.reads != tc.reads {
			t.Errorf("Prepare(%q) read the hold %d times, want %d", tc.text, rec.reads, tc.reads)
		}
	}
}

// between is the Grannsamverkan feature with the world's hook between its Before step
// and the turn.
type between struct{ w *world }

func (b between) Name() string { return "grannsamverkan" }
func (b between) Before(ctx context.Context, in conversation.Inbound, msg *bot.Message) error {
	err := b.w.gs.Before(ctx, in, msg)
	if b.w.between != nil {
		b.w.between(msg)
	}
	return err
}
func (b between) After(ctx context.Context, in conversation.Inbound, o conversation.Outcome) error {
	return b.w.gs.After(ctx, in, o)
}
