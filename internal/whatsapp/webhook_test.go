package whatsapp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/internal/whatsapp"
)

// TestWebhook is the signed-webhook table of the WhatsApp route, with the attacks of the
// SMS table as ordinary rows: each differs from the valid request only in how it is signed
// or what it carries. A refused request changes nothing.
func TestWebhook(t *testing.T) {
	valid := func() *http.Request { return signed(form(sidN(1), "Hej")) }
	resign := func(f func(r *http.Request)) func() *http.Request {
		return func() *http.Request { r := valid(); f(r); return r }
	}
	tests := []struct {
		name    string
		change  func(*config.Config)
		req     func() *http.Request
		status  int
		sigFail bool
		reason  string // counted in WebhookRejected
		refused string // counted in the channel's refusals
	}{
		{name: "valid", req: valid, status: 200},
		{name: "valid, tapped button without Body", req: func() *http.Request {
			return signed(with(form(sidN(1), ""), map[string]string{"ButtonText": "Hej", "ButtonPayload": "hej", "MessageType": "button"}))
		}, status: 200},
		{name: "valid without WaId", req: func() *http.Request { return signed(with(form(sidN(1), "Hej"), map[string]string{"WaId": ""})) }, status: 200},
		{name: "forged: body changed", req: func() *http.Request {
			r := valid()
			return withForm(r, with(form(sidN(1), "Hej igen"), nil))
		}, status: 403, sigFail: true},
		{name: "forged: sender changed", req: func() *http.Request {
			r := valid()
			return withForm(r, with(form(sidN(1), "Hej"), map[string]string{"From": "whatsapp:+46701740606", "WaId": "46701740606"}))
		}, status: 403, sigFail: true},
		{name: "forged: made-up signature", req: resign(func(r *http.Request) { r.Header.Set("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl") }), status: 403, sigFail: true},
		{name: "signature missing", req: resign(func(r *http.Request) { r.Header.Del("X-Twilio-Signature") }), status: 403, sigFail: true},
		{name: "signed with another token", req: func() *http.Request {
			return testkit.TwilioRequest(otherToken, inboundURL, form(sidN(1), "Hej"))
		}, status: 403, sigFail: true},
		{name: "signed for the SMS route", req: func() *http.Request {
			r := testkit.TwilioRequest(testToken, publicURL+sms.InboundPath, form(sidN(1), "Hej"))
			return withURL(r, inboundURL)
		}, status: 403, sigFail: true},
		{name: "public URL set: Host header ignored", req: resign(func(r *http.Request) { r.Host = "evil.example.com" }), status: 200},
		{name: "wrong content type", req: resign(func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }), status: 415, reason: metrics.RejectContentType},
		{name: "oversize", req: func() *http.Request {
			return signed(form(sidN(1), strings.Repeat("a", sms.MaxBody)))
		}, status: 413, reason: metrics.RejectTooLarge},
		{name: "GET", req: func() *http.Request { return httptest.NewRequest(http.MethodGet, inboundURL+"?Body=hej", nil) }, status: 405, reason: metrics.RejectMethod},
		{name: "repeated field", req: func() *http.Request {
			r := valid()
			return withBody(r, form(sidN(1), "Hej").Encode()+"&Body=second")
		}, status: 400, reason: metrics.RejectBadForm},
		{name: "signed, no sender", req: func() *http.Request { return signed(with(form(sidN(1), "Hej"), map[string]string{"From": ""})) }, status: 400, reason: metrics.RejectMissing},
		{name: "signed, MessageSid not a SID", req: func() *http.Request { return signed(form("SM../../etc", "Hej")) }, status: 400, reason: metrics.RejectMissing},
		{name: "signed, SMS sender on the WhatsApp route", req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"From": resident, "WaId": ""}))
		}, status: 400, reason: metrics.RejectMissing},
		{name: "signed, WaId is another number", req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"WaId": "46701740606"}))
		}, status: 400, reason: metrics.RejectMissing},
		// The signature covers names and values run together: a field that sorts after
		// From folded into it under the same signature is no E.164 number.
		{name: "replayed: From re-cut from FromCity under the same signature", req: func() *http.Request {
			f := with(form(sidN(1), "Hej"), map[string]string{"WaId": "", "FromCity": "VASTERAS"})
			r := signed(f)
			f.Set("From", waResident+"FromCity"+"VASTERAS")
			f.Del("FromCity")
			return withForm(r, f)
		}, status: 200, refused: metrics.RefuseNumber},
		{name: "signed, another account", req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"AccountSid": "AC00000000000000000000000000000000"}))
		}, status: 200, refused: metrics.RefuseAccount},
		{name: "signed, a German number", req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"From": "whatsapp:+4915123456789", "WaId": "4915123456789"}))
		}, status: 200, refused: metrics.RefuseCountry},
		{name: "signed, a Finnish number, Finland served", change: func(c *config.Config) { c.SMSCountries = []string{"46", "358"} }, req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"From": "whatsapp:+358401234567", "WaId": "358401234567"}))
		}, status: 200},
		{name: "signed, national number", req: func() *http.Request {
			return signed(with(form(sidN(1), "Hej"), map[string]string{"From": "whatsapp:0701740605", "WaId": ""}))
		}, status: 200, refused: metrics.RefuseNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var changes []func(*config.Config)
			if tt.change != nil {
				changes = append(changes, tt.change)
			}
			e := newEnv(t, changes...)
			w := e.do(tt.req())
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tt.status, w.Body.String())
			}
			if n := testutil.ToFloat64(e.metrics.SignatureFailures.WithLabelValues(whatsapp.Path)); n != map[bool]float64{true: 1}[tt.sigFail] {
				t.Errorf("signature failures %v, want sigFail %v", n, tt.sigFail)
			}
			if tt.reason != "" {
				if n := testutil.ToFloat64(e.metrics.WebhookRejected.WithLabelValues(whatsapp.Path, tt.reason)); n != 1 {
					t.Errorf("rejections for %s: %v, want 1", tt.reason, n)
				}
			}
			if tt.refused != "" {
				if n := testutil.ToFloat64(e.metrics.TwilioRefused.WithLabelValues(whatsapp.Channel, tt.refused)); n != 1 {
					t.Errorf("refused for %s: %v, want 1", tt.refused, n)
				}
				if n := testutil.ToFloat64(e.metrics.SMSRefused.WithLabelValues(tt.refused)); n != 0 {
					t.Errorf("a WhatsApp refusal counted as SMS")
				}
			}
			conv := e.conversation(resident)
			switch {
			case tt.status != http.StatusOK || tt.refused != "":
				if conv.Version != 0 {
					t.Errorf("refused request stored a conversation (version %d)", conv.Version)
				}
				if tt.refused != "" {
					if msgs := messages(t, w); len(msgs) != 0 {
						t.Errorf("refused message answered %q", msgs)
					}
				}
			default:
				msgs := messages(t, w)
				if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, " "), "112") {
					t.Errorf("replies %q: want at least one, with 112", msgs)
				}
				if tt.change == nil && conv.Version != 1 {
					t.Errorf("conversation version %d, want 1", conv.Version)
				}
				if n := testutil.ToFloat64(e.metrics.TwilioIn.WithLabelValues(whatsapp.Channel, metrics.ResultAnswered)); n != 1 {
					t.Errorf("answered %v, want 1", n)
				}
				if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultAnswered)); n != 0 {
					t.Errorf("a WhatsApp message counted as SMS")
				}
			}
			e.checkPrivate("Hej")
		})
	}
}

// TestDuplicate checks dedupe by MessageSid: Twilio's second delivery of a message gets
// the same answer without a second turn.
func TestDuplicate(t *testing.T) {
	e := newEnv(t)
	first := e.say(form(sidN(7), "Hej"))
	again := e.say(form(sidN(7), "Hej"))
	if strings.Join(first, "|") != strings.Join(again, "|") {
		t.Errorf("repeated delivery answered %q, first %q", again, first)
	}
	if v := e.conversation(resident).Version; v != 1 {
		t.Errorf("conversation version %d after a repeated delivery, want 1", v)
	}
	if n := testutil.ToFloat64(e.metrics.TwilioIn.WithLabelValues(whatsapp.Channel, metrics.ResultDuplicate)); n != 1 {
		t.Errorf("duplicates %v, want 1", n)
	}
}

// TestSenderLimit checks the per-sender limit on WhatsApp: past it, one notice with 112,
// then silence; the SMS sender with the same number is counted apart.
func TestSenderLimit(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.SMSSenderLimit = config.Limit{N: 2, Per: 10 * 60e9} })
	e.say(form(sidN(1), "Hej"))
	e.say(form(sidN(2), "1"))
	notice := e.say(form(sidN(3), "2"))
	if len(notice) != 1 || !strings.Contains(notice[0], "112") {
		t.Errorf("past the limit: %q, want the one notice with 112", notice)
	}
	if got := e.say(form(sidN(4), "3")); len(got) != 0 {
		t.Errorf("after the notice: %q, want silence", got)
	}
	if n := testutil.ToFloat64(e.metrics.TwilioLimited.WithLabelValues(whatsapp.Channel, metrics.LimitSender, metrics.ActionNotice)); n != 1 {
		t.Errorf("WhatsApp notices %v, want 1", n)
	}
}

// TestOwnScope checks that WhatsApp is a channel of its own: the same number writing by
// WhatsApp and by SMS gives two conversations, and WhatsApp's is under its own scope.
func TestOwnScope(t *testing.T) {
	e := newEnv(t)
	e.say(form(sidN(1), "Hej"))
	if e.scope(resident) == e.hasher.Of(sms.PseudonymChannel, resident) {
		t.Fatal("WhatsApp and SMS share a scope")
	}
	if c, _ := e.mem.Load(context.Background(), e.hasher.Of(sms.PseudonymChannel, resident)); c.Version != 0 {
		t.Error("a WhatsApp message stored an SMS conversation")
	}
	if e.conversation(resident).Version != 1 {
		t.Error("no WhatsApp conversation")
	}
}
