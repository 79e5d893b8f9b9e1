package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/internal/whatsapp"
)

// Content API template SIDs of the tests.
const (
	templateSV = "HX0123456789abcdef0123456789abcdef"
	templateEN = "HXfedcba9876543210fedcba9876543210"
)

// outbox is the env with the WhatsApp outbox on the fake Twilio API.
type outbox struct {
	*env
	api    *testkit.TwilioAPI
	sender *whatsapp.Sender

	mu   sync.Mutex
	told []string // reasons passed to Undelivered
}

func newOutbox(t *testing.T, templates map[string]string) *outbox {
	e := newEnv(t)
	o := &outbox{env: e, api: testkit.NewTwilioAPI(t, testSID, testToken)}
	o.api.SetNow(e.clock.Now)
	s, err := whatsapp.NewSender(whatsapp.SenderConfig{
		AccountSID: testSID, AuthToken: testToken, From: waTrygg, StatusCallback: publicURL + "/twilio/status",
		Templates: templates, Records: e.mem, Now: e.clock.Now, Transport: o.api.Transport(),
		Metrics: e.metrics, Log: nil,
		Undelivered: func(_ context.Context, scope, reason string) error {
			if scope != e.scope(resident) {
				t.Errorf("Undelivered for another scope")
			}
			o.mu.Lock()
			defer o.mu.Unlock()
			o.told = append(o.told, reason)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	o.sender = s
	return o
}

// deliver sends a staff message to the resident and returns the reason it was not
// delivered now ("" when sent) and whether it is held.
func (o *outbox) deliver(text string) (string, bool) {
	o.t.Helper()
	err := o.sender.Deliver(context.Background(), o.scope(resident), waResident, text)
	if err == nil {
		return "", false
	}
	var u *whatsapp.Undelivered
	if !errors.As(err, &u) {
		o.t.Fatalf("Deliver: %v", err)
	}
	return u.UndeliveredReason(), u.Held()
}

// TestWindow checks the 24-hour window on the fake clock: free text while the resident's
// last message is less than 24 hours (less the margin) old; outside it the message is
// held and one template per closed window asks the resident to reply; their reply gets
// the held messages first and opens the window again.
func TestWindow(t *testing.T) {
	o := newOutbox(t, map[string]string{"sv": templateSV, "en": templateEN})
	start := o.clock.Now()
	o.say(form(sidN(1), "Hej"))

	steps := []struct {
		at     time.Duration // after the resident's message
		reason string        // "" sent as free text
	}{
		{time.Minute, ""},
		{23 * time.Hour, ""},
		{24*time.Hour - whatsapp.DefaultMargin - time.Second, ""},
		{24*time.Hour - whatsapp.DefaultMargin, whatsapp.ReasonTemplate},
		{25 * time.Hour, whatsapp.ReasonAsked},
		{48 * time.Hour, whatsapp.ReasonAsked},
	}
	for i, s := range steps {
		o.clock.Set(start.Add(s.at))
		before := len(o.api.Messages())
		text := "Meddelande " + string(rune('A'+i))
		reason, held := o.deliver(text)
		if reason != s.reason || held != (s.reason != "") {
			t.Errorf("after %v: reason %q held %v, want %q", s.at, reason, held, s.reason)
		}
		sent := o.api.Messages()[before:]
		switch s.reason {
		case "":
			if len(sent) != 1 || sent[0].Body != text || sent[0].To != waResident || sent[0].From != waTrygg || sent[0].ContentSID != "" {
				t.Errorf("after %v: sent %+v, want the text as free text", s.at, sent)
			}
		case whatsapp.ReasonTemplate:
			if len(sent) != 1 || sent[0].ContentSID != templateSV || sent[0].Body != "" || sent[0].To != waResident {
				t.Fatalf("after %v: sent %+v, want the Swedish template", s.at, sent)
			}
			var vars map[string]string
			if err := json.Unmarshal([]byte(sent[0].ContentVariables), &vars); err != nil || vars["1"] != o.clock.Now().Format("15:04") {
				t.Errorf("template variables %q, want {{1}} the time", sent[0].ContentVariables)
			}
		default:
			if len(sent) != 0 {
				t.Errorf("after %v: sent %+v, want nothing (asked already)", s.at, sent)
			}
		}
	}

	// The resident replies: the held messages come first, in order, then the turn's
	// answer; they are gone afterwards; the window is open again.
	got := o.say(form(sidN(2), "ok"))
	if len(got) < 4 || got[0] != "Meddelande D" || got[1] != "Meddelande E" || got[2] != "Meddelande F" {
		t.Fatalf("the reply after the template: %q", got)
	}
	if again := o.say(form(sidN(3), "MENY")); strings.HasPrefix(again[0], "Meddelande") {
		t.Errorf("held messages given twice: %q", again)
	}
	before := len(o.api.Messages())
	if reason, _ := o.deliver("Efter svaret"); reason != "" || len(o.api.Messages()) != before+1 {
		t.Errorf("after the resident wrote again: %q, want free text", reason)
	}
	if n := testutil.ToFloat64(o.metrics.TwilioSends.WithLabelValues(whatsapp.Channel, metrics.SendSent)); n != 5 {
		t.Errorf("WhatsApp sends %v, want 5 (4 texts and a template)", n)
	}
	o.checkPrivate("Meddelande")
}

// TestTemplateLanguage checks which template goes out: the conversation's language's,
// else English, else Swedish; without any, staff are told the window is closed and the
// message is still held for the resident's next message.
func TestTemplateLanguage(t *testing.T) {
	tests := []struct {
		name      string
		templates map[string]string
		first     string // the resident's first message, which sets the language
		want      string // the template sent, "" none
		reason    string
	}{
		{"swedish", map[string]string{"sv": templateSV, "en": templateEN}, "Hej", templateSV, whatsapp.ReasonTemplate},
		{"english", map[string]string{"sv": templateSV, "en": templateEN}, "ENGLISH", templateEN, whatsapp.ReasonTemplate},
		{"arabic falls back to english", map[string]string{"sv": templateSV, "en": templateEN}, "مرحبا", templateEN, whatsapp.ReasonTemplate},
		{"only swedish", map[string]string{"sv": templateSV}, "ENGLISH", templateSV, whatsapp.ReasonTemplate},
		{"none", nil, "Hej", "", whatsapp.ReasonClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutbox(t, tt.templates)
			o.say(form(sidN(1), tt.first))
			o.clock.Add(30 * time.Hour)
			reason, held := o.deliver("Hej från personalen")
			if reason != tt.reason || !held {
				t.Errorf("reason %q held %v, want %q held", reason, held, tt.reason)
			}
			msgs := o.api.Messages()
			switch {
			case tt.want == "" && len(msgs) != 0:
				t.Errorf("sent %+v without a template", msgs)
			case tt.want != "" && (len(msgs) != 1 || msgs[0].ContentSID != tt.want):
				t.Errorf("sent %+v, want template %s", msgs, tt.want)
			}
			// Held all the same: the resident's next message gets it.
			if got := o.say(form(sidN(2), "hej")); got[0] != "Hej från personalen" {
				t.Errorf("held message not given: %q", got)
			}
		})
	}
}

// TestTwilioErrors checks Twilio's answers to a send inside the window: 63016 holds the
// message and sends the template; 63014 and 21610 are an opt-out, told to staff, not held;
// anything else is an error.
func TestTwilioErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    testkit.TwilioError
		reason string
		held   bool
	}{
		{"outside the window", testkit.ErrOutsideWindow, whatsapp.ReasonTemplate, true},
		{"blocked", testkit.ErrBlocked, whatsapp.ReasonOptedOut, false},
		{"opted out", testkit.ErrUnsubscribed, whatsapp.ReasonOptedOut, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutbox(t, map[string]string{"sv": templateSV})
			o.say(form(sidN(1), "Hej"))
			o.api.FailNext(tt.err)
			reason, held := o.deliver("Hej")
			if reason != tt.reason || held != tt.held {
				t.Errorf("reason %q held %v, want %q %v", reason, held, tt.reason, tt.held)
			}
		})
	}
	o := newOutbox(t, nil)
	o.say(form(sidN(1), "Hej"))
	o.api.FailNext(testkit.ErrInvalidTo)
	err := o.sender.Deliver(context.Background(), o.scope(resident), waResident, "Hej")
	var u *whatsapp.Undelivered
	if err == nil || errors.As(err, &u) {
		t.Errorf("21211: %v, want Twilio's error", err)
	}
}

// TestFailedLater checks a failure Twilio reports in a status callback after the send: a
// 63016 holds the text and sends the template, a 63014 is an opt-out; staff are told
// either way (Undelivered); a delivered message and an unknown one tell nobody.
func TestFailedLater(t *testing.T) {
	o := newOutbox(t, map[string]string{"sv": templateSV})
	o.say(form(sidN(1), "Hej"))
	o.deliver("Svar ett")
	o.deliver("Svar två")
	sent := o.api.Messages()
	ctx := context.Background()
	if err := o.sender.Status(ctx, sent[0].SID, "delivered", "", waResident); err != nil {
		t.Fatal(err)
	}
	if err := o.sender.Status(ctx, sidN(99), "failed", "63016", waResident); err != nil {
		t.Fatal(err)
	}
	if len(o.told) != 0 {
		t.Fatalf("told %v for a delivered and an unknown message", o.told)
	}
	if err := o.sender.Status(ctx, sent[0].SID, "failed", "63016", waResident); err != nil {
		t.Fatal(err)
	}
	if err := o.sender.Status(ctx, sent[1].SID, "undelivered", "63014", waResident); err != nil {
		t.Fatal(err)
	}
	if want := []string{whatsapp.ReasonTemplate, whatsapp.ReasonOptedOut}; strings.Join(o.told, ",") != strings.Join(want, ",") {
		t.Errorf("told %v, want %v", o.told, want)
	}
	msgs := o.api.Messages()
	if len(msgs) != 3 || msgs[2].ContentSID != templateSV {
		t.Errorf("after the 63016: %+v, want the template", msgs)
	}
	if got := o.say(form(sidN(2), "ok")); got[0] != "Svar ett" {
		t.Errorf("the message that failed with 63016 was not held: %q", got)
	}
}

// TestStopErasesHeld checks that STOPP and RADERA erase what the channel keeps: the
// window and the held messages, and the confirmation stands alone.
func TestStopErasesHeld(t *testing.T) {
	for _, word := range []string{"STOPP", "RADERA", "stop"} {
		t.Run(word, func(t *testing.T) { stopErasesHeld(t, word) })
	}
}

func stopErasesHeld(t *testing.T, word string) {
	o := newOutbox(t, map[string]string{"sv": templateSV})
	o.say(form(sidN(1), "Hej"))
	o.clock.Add(30 * time.Hour)
	o.deliver("Ett hemligt svar")
	got := o.say(form(sidN(2), word))
	if len(got) != 1 || strings.Contains(got[0], "hemligt") {
		t.Errorf("%s answered %q, want the confirmation alone", word, got)
	}
	recs, err := o.mem.List(context.Background(), o.scope(resident))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 {
		t.Errorf("records left after STOPP: %d", len(recs))
	}
	if got := o.say(form(sidN(3), "Hej")); strings.Contains(strings.Join(got, " "), "hemligt") {
		t.Errorf("a held message survived STOPP: %q", got)
	}
}
