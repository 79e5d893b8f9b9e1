package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	twilioToken  = "trygg0test0auth0token0123456789a"
	publicURL    = "https://trygg.example.se"
	staffChannel = "C0STAFF"
)

// phonePattern is what must never reach Slack.
var phonePattern = regexp.MustCompile(`\+?46\d{6,}|07\d{8}`)

// slackCall is one call trygg made to the fake Slack Web API.
type slackCall struct {
	Method, Channel, TS, Thread, Text string
	Blocks                            []map[string]any
	Raw                               string
}

// handoffSlack is the test kit's fake of Slack's Web API, its calls read as slackCall.
type handoffSlack struct{ *testkit.SlackAPI }

// Calls returns the calls so far.
func (f *handoffSlack) Calls() []slackCall {
	var out []slackCall
	for _, k := range f.SlackAPI.Calls() {
		c := slackCall{Method: k.Method, Channel: k.Channel(), TS: k.TS, Thread: k.ThreadTS(), Text: k.Text(), Raw: k.Form.Encode()}
		_ = json.Unmarshal([]byte(k.Form.Get("blocks")), &c.Blocks)
		out = append(out, c)
	}
	return out
}

// sms is one message trygg sent through the fake Twilio API.
type sentSMS struct{ To, Body string }

// handoffTwilio is the test kit's fake of Twilio's Messages API, its messages read as
// sentSMS.
type handoffTwilio struct{ *testkit.TwilioAPI }

// Sent returns the messages so far.
func (f *handoffTwilio) Sent() []sentSMS {
	var out []sentSMS
	for _, m := range f.Messages() {
		out = append(out, sentSMS{To: m.To, Body: m.Body})
	}
	return out
}

// handoffEnv is trygg with SMS, Slack and handoffs on, talking to fakes.
type handoffEnv struct {
	t      *testing.T
	a      *App
	clock  *clock.Fake
	slack  *handoffSlack
	twilio *handoffTwilio
	sid    int
}

// monday10 is Monday 16 November 2026, 10:00 in Västerås: staffed.
var monday10 = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

func newHandoffEnv(t *testing.T, now time.Time, env map[string]string) *handoffEnv {
	t.Helper()
	e := &handoffEnv{t: t, clock: clock.NewFake(now),
		slack:  &handoffSlack{testkit.NewSlackAPI(t, "xoxb-1")},
		twilio: &handoffTwilio{testkit.NewTwilioAPI(t, "AC0123456789abcdef0123456789abcdef", twilioToken)}}
	base := map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": twilioToken,
		"TWILIO_FROM": "+46700000000", "TRYGG_PUBLIC_URL": publicURL, "TRYGG_SECRET": "handoff-test-secret-0123456789",
		"SLACK_SIGNING_SECRET": slackSecret, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_STAFF_CHANNEL": staffChannel,
		"TRYGG_STAFFED_HOURS": "mon-fri 09:00-16:00", "TRYGG_HANDOFF_WAIT": "10m",
		// The REST sender paces on the real clock; at the default 1/s each second SMS waits.
		"TRYGG_SMS_PER_SECOND": "100",
	}
	for k, v := range env {
		if v == "" {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	cfg, err := config.Load(func(k string) string { return base[k] })
	if err != nil {
		t.Fatal(err)
	}
	e.a, err = New(context.Background(), cfg, nil, Options{Now: e.clock.Now, Clock: e.clock, SlackAPIURL: e.slack.APIURL(), TwilioTransport: e.twilio.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.a.Close() })
	return e
}

// settle waits for the background work of Slack and the handoff service.
func (e *handoffEnv) settle() {
	for range 3 { // a button's work may start handoff work and the other way round
		if e.a.Slack != nil {
			e.a.Slack.Wait()
		}
		if e.a.Handoff != nil {
			e.a.Handoff.Wait()
		}
	}
}

// sms posts a signed Twilio webhook from number and returns the TwiML.
func (e *handoffEnv) sms(from, text string) string {
	e.t.Helper()
	e.sid++
	form := url.Values{"From": {from}, "To": {"+46700000000"}, "Body": {text},
		"MessageSid": {fmt.Sprintf("SM%032x", e.sid)}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}}
	r := testkit.TwilioRequest(twilioToken, publicURL+"/twilio/sms", form)
	w := serve(e.a, r)
	if w.Code != http.StatusOK {
		e.t.Fatalf("webhook: %d %s", w.Code, w.Body)
	}
	e.settle()
	return w.Body.String()
}

// slackSigned posts body to path signed like Slack.
func (e *handoffEnv) slackSigned(path, contentType string, body []byte) {
	e.t.Helper()
	r := testkit.SlackRequest(slackSecret, path, contentType, body, time.Now())
	if w := serve(e.a, r); w.Code != http.StatusOK {
		e.t.Fatalf("%s: %d %s", path, w.Code, w.Body)
	}
	e.settle()
}

// staffReply sends a staff member's reply in the thread of the card at thread.
func (e *handoffEnv) staffReply(eventID, user, thread, text string) {
	body, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": "T0TEAM", "api_app_id": "A0TRYGG", "type": "event_callback",
		"event_id": eventID, "event_time": 1764486100,
		"authorizations": []map[string]any{{"team_id": "T0TEAM", "user_id": "U0TRYGG", "is_bot": true}},
		"event": map[string]any{"type": "message", "channel": staffChannel, "channel_type": "channel", "user": user,
			"text": text, "ts": "1764486100.000900", "thread_ts": thread},
	})
	e.slackSigned("/slack/events", "application/json", body)
}

// press presses a button of the card of code.
func (e *handoffEnv) press(user, action, code string) {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T0TEAM"}, "user": map[string]any{"id": user},
		"channel": map[string]any{"id": staffChannel}, "trigger_id": "1.2.3",
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": "handoff_actions", "value": code, "action_ts": "1764486200.0001"}},
	})
	e.slackSigned("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
}

// card returns the last card posted and its code.
func (e *handoffEnv) card() (slackCall, string) {
	e.t.Helper()
	for _, c := range e.slack.Calls() {
		if c.Method == "chat.postMessage" && c.Thread == "" && strings.Contains(c.Text, "Ärende K-") {
			code := regexp.MustCompile(`K-[0-9A-Z]{4}`).FindString(c.Text)
			defer func() {}()
			return c, code
		}
	}
	e.t.Fatalf("no card posted: %+v", e.slack.Calls())
	return slackCall{}, ""
}

// thread returns the texts of the card's thread and of its updates, rendered.
func (e *handoffEnv) thread(ts string) []string {
	var out []string
	for _, c := range e.slack.Calls() {
		if c.Thread == ts || (c.Method == "chat.update" && c.TS == ts) {
			out = append(out, render(c))
		}
	}
	return out
}

func (e *handoffEnv) records(scope string) map[string][]byte {
	e.t.Helper()
	m, err := e.a.Store.(store.Records).List(context.Background(), scope)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// noNumbersInSlack checks every call to the fake Slack for a phone number.
func (e *handoffEnv) noNumbersInSlack() {
	e.t.Helper()
	for _, c := range e.slack.Calls() {
		form, _ := url.ParseQuery(c.Raw)
		// Slack's own message timestamps ("1746511808.000200") are ids Slack gave, not
		// text trygg wrote: their digits may look like a number (46…).
		form.Del("ts")
		form.Del("thread_ts")
		raw, _ := url.QueryUnescape(form.Encode())
		if m := phonePattern.FindString(raw); m != "" {
			e.t.Errorf("a phone number reached Slack in %s: %q", c.Method, m)
		}
	}
}

// render writes a Slack message as text: each block on its lines, buttons in brackets.
func render(c slackCall) string {
	var b strings.Builder
	switch {
	case c.Method == "chat.update":
		b.WriteString("(kortet uppdateras)\n")
	case c.Thread != "":
		b.WriteString("(i tråden)\n")
	}
	text := func(v any) string {
		m, _ := v.(map[string]any)
		s, _ := m["text"].(string)
		return s
	}
	for _, bl := range c.Blocks {
		switch bl["type"] {
		case "header":
			b.WriteString("# " + text(bl["text"]) + "\n")
		case "section":
			if bl["text"] != nil {
				b.WriteString(text(bl["text"]) + "\n")
			}
			if fs, ok := bl["fields"].([]any); ok {
				parts := make([]string, len(fs))
				for i, f := range fs {
					parts[i] = text(f)
				}
				b.WriteString(strings.Join(parts, " | ") + "\n")
			}
		case "actions":
			els, _ := bl["elements"].([]any)
			for _, el := range els {
				m, _ := el.(map[string]any)
				fmt.Fprintf(&b, "[%s] ", text(m["text"]))
			}
			b.WriteString("\n")
		case "context":
			els, _ := bl["elements"].([]any)
			for _, el := range els {
				b.WriteString("> " + text(el) + "\n")
			}
		}
	}
	return b.String()
}

func TestHandoffBySMS(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234567"
	scope := e.a.Hasher.Of("sms", number)

	e.sms(number, "Jag är 16 och blev rånad")
	if got := e.sms(number, "PERSON"); !strings.Contains(got, "Svarar du JA") || !strings.Contains(got, "112") {
		t.Fatalf("PERSON in staffed hours does not offer a person:\n%s", got)
	}
	if len(e.slack.Calls()) != 0 {
		t.Fatal("a card was posted before the resident agreed")
	}
	if got := e.sms(number, "JA"); !strings.Contains(got, "En person läser") {
		t.Fatalf("JA: %s", got)
	}
	card, code := e.card()
	if card.Channel != staffChannel || code == "" {
		t.Fatalf("card in %q, code %q", card.Channel, code)
	}
	if !strings.Contains(card.Raw, "handoff_take") || !strings.Contains(card.Raw, "handoff_end") {
		t.Errorf("the card lacks its buttons: %s", render(card))
	}
	sealed := e.records(scope)["handoff_to"]
	if len(sealed) == 0 || bytes.Contains(sealed, []byte("701234567")) {
		t.Errorf("the number is not kept sealed: %q", sealed)
	}
	if ix := e.records(handoff.CasesScope); len(ix) != 1 || ix[code] == nil {
		t.Errorf("case index: %q", ix)
	}

	// The resident's messages go to the thread, with no reply from the bot.
	if got := e.sms(number, "Han hotar mig. Ring mig på 0701234567"); strings.Contains(got, "<Message>") {
		t.Errorf("the bot answered a message meant for staff: %s", got)
	}
	th := e.thread(card.TS)
	if len(th) != 1 || !strings.Contains(th[0], "Han hotar mig") || !strings.Contains(th[0], "[telefonnummer dolt]") {
		t.Errorf("relay: %q", th)
	}

	// A staff reply in the thread goes to the resident's number by SMS.
	e.staffReply("Ev001", "U0STAFF", card.TS, "Hej, jag heter Anna. Är du på en säker plats nu?")
	e.staffReply("Ev001", "U0STAFF", card.TS, "Hej, jag heter Anna. Är du på en säker plats nu?") // retried by Slack
	// Staff's words as written, then 112 and the youth number (the resident is 16), in Swedish.
	sent := e.twilio.Sent()
	if len(sent) != 1 || sent[0].To != number {
		t.Fatalf("staff reply by SMS: %+v", sent)
	}
	if want := "Hej, jag heter Anna. Är du på en säker plats nu?\n\n" + footerYouthSV; sent[0].Body != want {
		t.Errorf("staff reply by SMS:\n%q\nwant\n%q", sent[0].Body, want)
	}

	// Danger during the handoff: 112 to the resident at once, flagged in the thread.
	if got := e.sms(number, "han slår mig nu"); !strings.Contains(got, "112") {
		t.Errorf("danger during a handoff: %s", got)
	}
	th = e.thread(card.TS)
	if last := th[len(th)-1]; !strings.Contains(last, ":rotating_light:") || !strings.Contains(last, "han slår mig nu") {
		t.Errorf("danger not flagged in the thread: %q", last)
	}

	// Ta ärendet, then someone else presses it too: the case stays with the first.
	e.press("U0STAFF", "handoff_take", code)
	e.press("U0OTHER", "handoff_take", code)
	th = e.thread(card.TS)
	if last := th[len(th)-1]; !strings.Contains(last, "<@U0STAFF> har tagit ärendet") || strings.Contains(strings.Join(th, ""), "U0OTHER") {
		t.Errorf("taken: %q", th)
	}

	// Avsluta: the resident is told and gets the numbers; the number and case are gone.
	e.press("U0STAFF", "handoff_end", code)
	sent = e.twilio.Sent()
	if len(sent) != 2 || sent[1].To != number || !strings.Contains(sent[1].Body, "avslutat") || !strings.Contains(sent[1].Body, "112") ||
		!strings.Contains(sent[1].Body, "010-567 63 25") || strings.Contains(sent[1].Body, "021-41 32 60") {
		t.Fatalf("Avsluta by SMS: %+v", sent)
	}
	if recs := e.records(scope); recs["handoff_to"] != nil || recs["handoff"] != nil {
		t.Errorf("after Avsluta the resident's records keep %v", keys(recs))
	}
	if ix := e.records(handoff.CasesScope); len(ix) != 0 {
		t.Errorf("case index after Avsluta: %v", keys(ix))
	}
	th = e.thread(card.TS)
	if !strings.Contains(strings.Join(th, ""), "Avslutat av <@U0STAFF>") {
		t.Errorf("card after Avsluta: %q", th)
	}
	// A reply in the ended thread reaches nobody; the bot answers the resident again.
	e.staffReply("Ev002", "U0STAFF", card.TS, "Hallå?")
	if n := len(e.twilio.Sent()); n != 2 {
		t.Errorf("%d SMS after a reply in an ended thread, want 2", n)
	}
	if got := e.sms(number, "Jag blev rånad igår"); !strings.Contains(got, "010-567 63 25") {
		t.Errorf("after the handoff the bot does not answer: %s", got)
	}
	e.noNumbersInSlack()

	golden(t, "testdata/handoff.golden", append([]string{render(card)}, e.thread(card.TS)...))
}

// The handoff footers as residents read them (locales/*.yaml handoff_footer*): written out
// here so that an edit of the texts cannot quietly drop a number.
const (
	footerSV      = "Fara nu: ring 112. Brottsofferjouren: under 20 år 010-567 63 25, 20 år eller äldre 021-41 32 60"
	footerYouthSV = "Fara nu: ring 112. Brottsofferjouren: 010-567 63 25"
	footerAdultSV = "Fara nu: ring 112. Brottsofferjouren: 021-41 32 60"
	footerAdultEN = "Danger now: call 112. Brottsofferjouren: 021-41 32 60"
	footerYouthEN = "Danger now: call 112. Brottsofferjouren: 010-567 63 25"
	footerFI      = "Hätätilanteessa soita 112. Brottsofferjouren: alle 20-vuotiaat 010-567 63 25, 20 vuotta täyttäneet 021-41 32 60"
)

// TestHandoffStaffReplyFooter: every staff message a resident receives by SMS is staff's
// words exactly as written (a phone number in them included) and, on their own lines, 112
// and the Brottsofferjouren number for the resident's age group (both while it is
// unknown), in the resident's language. An age the resident gives during the handoff
// counts from then on. Nothing trygg posts to Slack shows the resident's number.
func TestHandoffStaffReplyFooter(t *testing.T) {
	const staffWords = "Hej! Du kan också ringa mig direkt på 021-123 45 67 i eftermiddag."
	tests := []struct {
		name  string
		first []string // before PERSON
		agree string
		// during the handoff, relayed to staff
		during []string
		want   string
		never  string
	}{
		{name: "sv age unknown", agree: "JA", want: footerSV},
		{name: "sv 16", first: []string{"Jag är 16 och blev rånad"}, agree: "JA", want: footerYouthSV, never: "021-41 32 60"},
		{name: "sv 19", first: []string{"jag är 19 år och blev slagen"}, agree: "JA", want: footerYouthSV, never: "021-41 32 60"},
		{name: "sv 20", first: []string{"jag är 20 år och blev slagen"}, agree: "JA", want: footerAdultSV, never: "010-567 63 25"},
		{name: "en 40", first: []string{"I'm 40 and I was robbed"}, agree: "yes", want: footerAdultEN, never: "010-567 63 25"},
		{name: "en 15", first: []string{"I am 15 years old and I was robbed"}, agree: "yes", want: footerYouthEN, never: "021-41 32 60"},
		{name: "fi age unknown", first: []string{"minut ryöstettiin"}, agree: "kyllä", want: footerFI},
		{name: "sv age given during the handoff", agree: "JA", during: []string{"jag är 34 år"}, want: footerAdultSV, never: "010-567 63 25"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHandoffEnv(t, monday10, nil)
			number := fmt.Sprintf("+4670123460%d", i)
			for _, m := range tt.first {
				e.sms(number, m)
			}
			if got := e.sms(number, "PERSON"); !strings.Contains(got, "112") {
				t.Fatalf("PERSON: %s", got)
			}
			e.sms(number, tt.agree)
			card, _ := e.card()
			for _, m := range tt.during {
				if got := e.sms(number, m); strings.Contains(got, "<Message>") {
					t.Fatalf("the bot answered %q during the handoff: %s", m, got)
				}
			}
			e.staffReply(fmt.Sprintf("Ev1%02d", i), "U0STAFF", card.TS, staffWords)
			e.staffReply(fmt.Sprintf("Ev2%02d", i), "U0STAFF", card.TS, "Okej.")
			sent := e.twilio.Sent()
			if len(sent) != 2 || sent[0].To != number {
				t.Fatalf("staff replies by SMS: %+v", sent)
			}
			for j, words := range []string{staffWords, "Okej."} {
				if want := words + "\n\n" + tt.want; sent[j].Body != want {
					t.Errorf("SMS %d:\n%q\nwant\n%q", j+1, sent[j].Body, want)
				}
				if tt.never != "" && strings.Contains(sent[j].Body, tt.never) {
					t.Errorf("SMS %d gives %s: %q", j+1, tt.never, sent[j].Body)
				}
			}
			e.noNumbersInSlack()
		})
	}
}

// TestHandoffStaffReplyCost: the footer keeps a typical staff reply (100 GSM-7
// characters) in one SMS segment when the age is known; with both numbers (age unknown)
// it takes two. A staff reply with a character outside GSM-7 (an emoji, a curly
// apostrophe from a phone's keyboard) goes as UCS-2 and costs more: logged, not limited.
func TestHandoffStaffReplyCost(t *testing.T) {
	typical := "Hej, jag heter Anna och arbetar med stöd till brottsoffer. Är du på en säker plats nu? Berätta gärna"
	if n := len([]rune(typical)); n != 100 {
		t.Fatalf("the typical reply has %d characters, want 100", n)
	}
	tests := []struct {
		name, first string
		segments    int
	}{
		{"age unknown", "", 2},
		{"under 20", "Jag är 16 och blev rånad", 1},
		{"20 or older", "Jag är 40 och blev rånad", 1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHandoffEnv(t, monday10, nil)
			number := fmt.Sprintf("+4670123470%d", i)
			if tt.first != "" {
				e.sms(number, tt.first)
			}
			e.sms(number, "PERSON")
			e.sms(number, "JA")
			card, _ := e.card()
			e.staffReply(fmt.Sprintf("Ev4%02d", i), "U0STAFF", card.TS, typical)
			e.staffReply(fmt.Sprintf("Ev5%02d", i), "U0STAFF", card.TS, "Jag förstår \U0001F64F Vi hörs.")
			sent := e.twilio.Sent()
			if len(sent) != 2 {
				t.Fatalf("%d SMS, want 2", len(sent))
			}
			info := gsm7.Analyze(sent[0].Body)
			t.Logf("100-character reply + footer: %s, %d units, %d segments", info.Encoding, info.Units, info.Segments)
			if info.Encoding != gsm7.GSM7 || info.Segments != tt.segments {
				t.Errorf("100-character reply + footer: %s in %d segments, want GSM-7 in %d", info.Encoding, info.Segments, tt.segments)
			}
			emoji := gsm7.Analyze(sent[1].Body)
			t.Logf("short reply with an emoji + footer: %s, %d units, %d segments", emoji.Encoding, emoji.Units, emoji.Segments)
		})
	}
}

// TestHandoffStaffReplyFooterWeb: a staff reply to a resident in the web chat waits in the
// chat's queue with the same footer, in the chat's language.
func TestHandoffStaffReplyFooterWeb(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	w := openWebChat(t, e)
	w.post("/chat", url.Values{"message": {"I'm 40 and I was robbed"}})
	w.post("/chat", url.Values{"message": {"talk to someone"}})
	w.post("/chat", url.Values{"message": {"yes"}})
	card, _ := e.card()
	e.staffReply("Ev300", "U0STAFF", card.TS, "Hi, I'm Sam. Are you safe right now?")
	got := w.post("/chat/poll", url.Values{})
	if want := "Hi, I'm Sam. Are you safe right now?\n\n" + footerAdultEN; len(got) != 1 || got[0] != want {
		t.Errorf("staff reply in the web chat: %q, want [%q]", got, want)
	}
}

// webChat is a browser in the web chat of a handoff test: it keeps the session cookie and
// the request token as the page's script does.
type webChat struct {
	t       *testing.T
	e       *handoffEnv
	srv     *httptest.Server
	session *http.Cookie
	token   string
}

// openWebChat opens the web chat's page.
func openWebChat(t *testing.T, e *handoffEnv) *webChat {
	t.Helper()
	srv := httptest.NewServer(e.a.Server.Handler())
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil || len(res.Cookies()) == 0 {
		t.Fatalf("web chat page: status %d, no session cookie or token", res.StatusCode)
	}
	return &webChat{t: t, e: e, srv: srv, session: res.Cookies()[0], token: string(m[1])}
}

// post sends a form as the page's script does and returns the replies' texts; a new
// cookie or token in the answer replaces the old.
func (w *webChat) post(path string, form url.Values) []string {
	t := w.t
	t.Helper()
	form.Set("csrf", w.token)
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	req.AddCookie(w.session)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a struct {
		Replies []struct {
			Text string `json:"text"`
		} `json:"replies"`
		CSRF string `json:"csrf"`
	}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d, %v", path, res.StatusCode, err)
	}
	for _, c := range res.Cookies() {
		if c.Name == w.session.Name {
			w.session = c
		}
	}
	if a.CSRF != "" {
		w.token = a.CSRF
	}
	w.e.settle()
	var out []string
	for _, r := range a.Replies {
		out = append(out, r.Text)
	}
	return out
}

func TestHandoffTimeout(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234568"
	scope := e.a.Hasher.Of("sms", number)
	e.sms(number, "PERSON")
	e.sms(number, "JA")
	card, _ := e.card()
	e.clock.Add(9 * time.Minute)
	if err := e.a.Handoff.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.twilio.Sent()); n != 0 {
		t.Fatalf("%d SMS before the wait is over", n)
	}
	e.clock.Add(time.Minute)
	// Two replicas sweep at the same time: the resident is told once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { _ = e.a.Handoff.Sweep(context.Background()) })
	}
	wg.Wait()
	sent := e.twilio.Sent()
	if len(sent) != 1 || sent[0].To != number || !strings.Contains(sent[0].Body, "112") {
		t.Fatalf("timeout SMS: %+v", sent)
	}
	if !strings.Contains(strings.Join(e.thread(card.TS), ""), "Ingen personal svarade i tid") {
		t.Errorf("card after timeout: %q", e.thread(card.TS))
	}
	if recs := e.records(scope); recs["handoff_to"] != nil {
		t.Error("the number is kept after the timeout")
	}
	if got := e.sms(number, "hej"); !strings.Contains(got, "<Message>") {
		t.Errorf("after the timeout the bot does not answer: %s", got)
	}
	e.noNumbersInSlack()
}

func TestHandoffAnsweredDoesNotTimeOut(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	e.sms("+46701234569", "PERSON")
	e.sms("+46701234569", "JA")
	card, _ := e.card()
	e.staffReply("Ev010", "U0STAFF", card.TS, "Hej!")
	e.clock.Add(time.Hour)
	if err := e.a.Handoff.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sent := e.twilio.Sent(); len(sent) != 1 {
		t.Errorf("an answered case timed out: %+v", sent)
	}
}

// TestHandoffExpires: an answered case with no message either way for the conversation's
// lifetime (TRYGG_CONVERSATION_TTL, 24 h) ends by itself, once across replicas: the
// resident gets the closing message with the numbers for their age, also when staff had
// the last word and the conversation itself expired first; the card and thread say why;
// the number and the indexes are gone; the bot answers the resident again.
func TestHandoffExpires(t *testing.T) {
	for i, lastWord := range []string{"resident", "staff"} {
		t.Run(lastWord+" last", func(t *testing.T) {
			e := newHandoffEnv(t, monday10, nil)
			number := fmt.Sprintf("+4670123480%d", i)
			scope := e.a.Hasher.Of("sms", number)
			e.sms(number, "Jag är 16 och blev rånad")
			e.sms(number, "PERSON")
			e.sms(number, "JA")
			card, code := e.card()
			e.staffReply(fmt.Sprintf("Ev6%02d", i), "U0STAFF", card.TS, "Hej, jag heter Anna.")
			e.clock.Add(time.Hour)
			e.sms(number, "tack, jag hör av mig")
			if lastWord == "staff" {
				e.clock.Add(time.Hour)
				e.staffReply(fmt.Sprintf("Ev7%02d", i), "U0STAFF", card.TS, "Hör av dig när du vill.")
			}
			last := e.clock.Now()
			// The resident's last message waits for staff: after the wait they get the
			// waiting notice once; the case stays open.
			e.clock.Add(10 * time.Minute)
			if err := e.a.Handoff.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
			sentBefore := len(e.twilio.Sent())
			if sentBefore != 2 { // a staff reply, then the waiting notice or the second staff reply
				t.Fatalf("%d SMS before expiry, want 2: %+v", sentBefore, e.twilio.Sent())
			}

			e.clock.Set(last.Add(24*time.Hour - time.Minute))
			if err := e.a.Handoff.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(e.twilio.Sent()); n != sentBefore {
				t.Fatalf("%d SMS a minute before the case expires", n-sentBefore)
			}
			e.clock.Set(last.Add(24 * time.Hour))
			var wg sync.WaitGroup
			for range 2 { // two replicas
				wg.Go(func() { _ = e.a.Handoff.Sweep(context.Background()) })
			}
			wg.Wait()
			sent := e.twilio.Sent()[sentBefore:]
			if len(sent) != 1 || sent[0].To != number {
				t.Fatalf("closing SMS on expiry: %+v", sent)
			}
			if b := sent[0].Body; !strings.Contains(b, "Samtalet med personalen är avslutat") || !strings.Contains(b, "Ring 112") ||
				!strings.Contains(b, "010-567 63 25") || strings.Contains(b, "021-41 32 60") {
				t.Errorf("closing SMS on expiry: %q", b)
			}
			th := strings.Join(e.thread(card.TS), "")
			if !strings.Contains(th, "Inga meddelanden i ärendet på 24 timmar, så trygg har avslutat det") || strings.Contains(th, "STOPP") {
				t.Errorf("card and thread after expiry: %q", e.thread(card.TS))
			}
			if recs := e.records(scope); recs["handoff_to"] != nil || recs["handoff"] != nil {
				t.Errorf("after expiry the resident's records keep %v", keys(recs))
			}
			if ix := e.records(handoff.CasesScope); ix[code] != nil {
				t.Errorf("case index after expiry: %v", keys(ix))
			}
			if got := e.sms(number, "hej igen"); !strings.Contains(got, "<Message>") {
				t.Errorf("after expiry the bot does not answer: %s", got)
			}
			e.noNumbersInSlack()
		})
	}
}

// TestHandoffLongCase: a case that goes on for more than a day keeps its number and thread:
// a staff reply 30 hours after the start still reaches the resident, with the footer. The
// resident's three unanswered messages (the first at night) get one waiting notice.
func TestHandoffLongCase(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234810"
	e.sms(number, "PERSON")
	e.sms(number, "JA")
	card, _ := e.card()
	e.staffReply("Ev800", "U0STAFF", card.TS, "Hej!")
	for _, h := range []time.Duration{12, 11, 7} { // resident writes at +12 h, +23 h, +30 h
		e.clock.Add(h * time.Hour)
		if err := e.a.Handoff.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := e.sms(number, "är ni kvar?"); strings.Contains(got, "<Message>") {
			t.Fatalf("+%v: the case ended early: %s", h, got)
		}
	}
	e.staffReply("Ev801", "U0STAFF", card.TS, "Ja, jag är här.")
	sent := e.twilio.Sent()
	if len(sent) != 3 || sent[1].Body != waitingSV || sent[2].Body != "Ja, jag är här.\n\n"+footerSV {
		t.Fatalf("a staff reply 30 h into the case: %+v", sent)
	}
	if th := strings.Join(e.thread(card.TS), ""); strings.Contains(th, "kunde inte skickas") {
		t.Errorf("thread: %q", th)
	}
}

func TestHandoffStopp(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234570"
	scope := e.a.Hasher.Of("sms", number)
	e.sms(number, "PERSON")
	e.sms(number, "JA")
	card, _ := e.card()
	if got := e.sms(number, "STOPP"); !strings.Contains(got, "<Message>") {
		t.Fatalf("STOPP during a handoff got no confirmation: %s", got)
	}
	if !strings.Contains(strings.Join(e.thread(card.TS), ""), "Invånaren avslutade med STOPP") {
		t.Errorf("thread after STOPP: %q", e.thread(card.TS))
	}
	if recs := e.records(scope); len(recs) != 0 {
		t.Errorf("after STOPP the resident's records keep %v", keys(recs))
	}
	if ix := e.records(handoff.CasesScope); len(ix) != 0 {
		t.Errorf("case index after STOPP: %v", keys(ix))
	}
	if n := len(e.twilio.Sent()); n != 0 {
		t.Errorf("%d SMS after STOPP, want none (the TwiML confirms)", n)
	}
	e.noNumbersInSlack()
}

// TestHandoffNotOffered: off duty, or without Slack's staff channel, or with SMS but no
// sender, a resident asking for a person gets the numbers, and nothing reaches Slack.
func TestHandoffNotOffered(t *testing.T) {
	saturday := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		now  time.Time
		env  map[string]string
	}{
		{"off duty", saturday, nil},
		{"no staff channel", monday10, map[string]string{"SLACK_STAFF_CHANNEL": ""}},
		{"no Slack", monday10, map[string]string{"SLACK_STAFF_CHANNEL": "", "SLACK_SIGNING_SECRET": "", "SLACK_BOT_TOKEN": ""}},
		{"no SMS sender", monday10, map[string]string{"TWILIO_FROM": ""}},
		{"no staffed hours", monday10, map[string]string{"TRYGG_STAFFED_HOURS": ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newHandoffEnv(t, c.now, c.env)
			got := e.sms("+46701234571", "PERSON")
			if !strings.Contains(got, "ingen personal") || !strings.Contains(got, "116 006") || strings.Contains(got, "Svarar du JA") {
				t.Errorf("PERSON: %s", got)
			}
			e.sms("+46701234571", "JA")
			if n := len(e.slack.Calls()); n != 0 {
				t.Errorf("%d calls to Slack", n)
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// golden compares the card and thread as text with path (-update rewrites it). The case
// code and times vary and are replaced.
func golden(t *testing.T, path string, parts []string) {
	t.Helper()
	got := strings.Join(parts, "\n---\n")
	got = regexp.MustCompile(`K-[0-9A-Z]{4}`).ReplaceAllString(got, "K-XXXX")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to rewrite):\n%s", path, got)
	}
}
