package sms_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/testkit"
)

// TestInboundWebhook sends the form bodies Twilio really sends, signed by the npm package
// twilio, through the server's handler. Every attack is a row: a refused request gets its
// status, is counted, touches nothing in the store and leaves nothing personal in the log.
func TestInboundWebhook(t *testing.T) {
	fx := fixtures(t)
	// withParams returns a copy of a fixture's params with changes; "" deletes.
	withParams := func(name string, changes map[string]string) map[string]string {
		p := fixtures(t)[name].Params // a fresh copy
		for k, v := range changes {
			if v == "" {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		return p
	}
	npm := func(name string) func() *http.Request {
		return func() *http.Request {
			f := fx[name]
			return post(f.URL, f.Params, f.Signature)
		}
	}
	noPublicURL := func(c *sms.Config, _ *convConfig) { c.PublicURL = "" }
	countries := func(cc ...string) option {
		return func(c *sms.Config, _ *convConfig) { c.Countries = cc }
	}
	// from returns a signed message from number (with other changes; "" deletes).
	from := func(number string, changes map[string]string) func() *http.Request {
		return func() *http.Request {
			p := message(sidN(1), "Hej")
			p["From"] = number
			for k, v := range changes {
				if v == "" {
					delete(p, k)
				} else {
					p[k] = v
				}
			}
			return signed(inboundURL, p)
		}
	}

	tests := []struct {
		name    string
		opts    []option
		req     func() *http.Request
		status  int
		sigFail bool   // counted as a signature failure
		reason  string // counted as a rejection for this reason
		refused string // answered with empty TwiML, counted as refused for this reason
		sender  string // whose conversation an answered message moves; "" means resident
	}{
		{name: "valid", req: npm("sms_valid"), status: 200},
		{name: "valid MMS without text", req: npm("sms_mms"), status: 200},
		{name: "valid with emoji, quotes and markup", req: npm("sms_emoji"), status: 200},
		{name: "valid via messaging service", req: npm("sms_messaging_service"), status: 200},
		{name: "valid with charset in content type", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return r
		}, status: 200},
		{name: "query string present and signed", req: npm("sms_with_query"), status: 200},
		{name: "query string present, signed without it", req: func() *http.Request {
			f := fx["sms_valid"]
			return post(f.URL+"?src=twilio", f.Params, f.Signature)
		}, status: 403, sigFail: true},
		{name: "query string changed", req: func() *http.Request {
			f := fx["sms_with_query"]
			return post(strings.Replace(f.URL, "src=twilio", "src=other", 1), f.Params, f.Signature)
		}, status: 403, sigFail: true},
		{name: "forged: body changed", req: func() *http.Request {
			return post(inboundURL, withParams("sms_valid", map[string]string{"Body": "Hej igen"}), fx["sms_valid"].Signature)
		}, status: 403, sigFail: true},
		{name: "forged: sender changed", req: func() *http.Request {
			return post(inboundURL, withParams("sms_valid", map[string]string{"From": "+46701740606"}), fx["sms_valid"].Signature)
		}, status: 403, sigFail: true},
		{name: "forged: unsigned field added", req: func() *http.Request {
			return post(inboundURL, withParams("sms_valid", map[string]string{"Extra": "1"}), fx["sms_valid"].Signature)
		}, status: 403, sigFail: true},
		{name: "forged: signed field removed", req: func() *http.Request {
			return post(inboundURL, withParams("sms_valid", map[string]string{"FromCity": ""}), fx["sms_valid"].Signature)
		}, status: 403, sigFail: true},
		{name: "forged: made-up signature", req: func() *http.Request {
			return post(inboundURL, fx["sms_valid"].Params, "u627RkXmV2vhZ+JmU4xfzpiruZA=")
		}, status: 403, sigFail: true},
		{name: "signature missing", req: func() *http.Request {
			return post(inboundURL, fx["sms_valid"].Params, "")
		}, status: 403, sigFail: true},
		{name: "signed for another URL", req: func() *http.Request {
			f := fx["sms_other_url"]
			return post(inboundURL, f.Params, f.Signature)
		}, status: 403, sigFail: true},
		{name: "signed for another URL, sent there", req: npm("sms_other_url"), status: 403, sigFail: true},
		{name: "signed with another token", req: npm("sms_other_token"), status: 403, sigFail: true},
		{name: "status callback signature on the webhook", req: func() *http.Request {
			f := fx["status_delivered"]
			return post(inboundURL, f.Params, f.Signature)
		}, status: 403, sigFail: true},
		{name: "URL derived from X-Forwarded-Proto and Host", opts: []option{noPublicURL}, req: func() *http.Request {
			r := npm("sms_derived_url")()
			r.URL.Scheme, r.TLS = "http", nil // the proxy speaks plain HTTP to trygg
			r.Header.Set("X-Forwarded-Proto", "https")
			return r
		}, status: 200},
		{name: "URL derived from a list of X-Forwarded-Proto", opts: []option{noPublicURL}, req: func() *http.Request {
			r := npm("sms_derived_url")()
			r.TLS = nil
			r.Header.Set("X-Forwarded-Proto", "HTTPS, http")
			return r
		}, status: 200},
		{name: "URL derived without X-Forwarded-Proto is http", opts: []option{noPublicURL}, req: func() *http.Request {
			r := npm("sms_derived_url")()
			r.TLS = nil
			return r
		}, status: 403, sigFail: true},
		{name: "URL derived with a made-up X-Forwarded-Proto", opts: []option{noPublicURL}, req: func() *http.Request {
			r := npm("sms_derived_url")()
			r.TLS = nil
			r.Header.Set("X-Forwarded-Proto", "gopher")
			return r
		}, status: 403, sigFail: true},
		{name: "public URL set: Host header ignored", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Host = "evil.example.com"
			return r
		}, status: 200},
		{name: "wrong content type: JSON", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Header.Set("Content-Type", "application/json")
			return r
		}, status: 415, reason: metrics.RejectContentType},
		{name: "wrong content type: multipart", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			return r
		}, status: 415, reason: metrics.RejectContentType},
		{name: "content type missing", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Header.Del("Content-Type")
			return r
		}, status: 415, reason: metrics.RejectContentType},
		{name: "oversize", req: func() *http.Request {
			return post(inboundURL, withParams("sms_valid", map[string]string{"Body": strings.Repeat("a", sms.MaxBody)}), "x")
		}, status: 413, reason: metrics.RejectTooLarge},
		{name: "oversize without Content-Length", req: func() *http.Request {
			r := post(inboundURL, withParams("sms_valid", map[string]string{"Body": strings.Repeat("a", sms.MaxBody)}), "x")
			r.ContentLength = -1
			return r
		}, status: 413, reason: metrics.RejectTooLarge},
		{name: "GET", req: func() *http.Request {
			return httptest.NewRequest(http.MethodGet, inboundURL+"?Body=hej", nil)
		}, status: 405, reason: metrics.RejectMethod},
		{name: "PUT", req: func() *http.Request {
			r := npm("sms_valid")()
			r.Method = http.MethodPut
			return r
		}, status: 405, reason: metrics.RejectMethod},
		{name: "broken form encoding", req: func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, inboundURL, strings.NewReader("Body=%zz&From=x"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Twilio-Signature", "x")
			return r
		}, status: 400, reason: metrics.RejectBadForm},
		{name: "repeated field", req: func() *http.Request {
			f := fx["sms_valid"]
			r := httptest.NewRequest(http.MethodPost, inboundURL, strings.NewReader(encode(f.Params)+"&Body=second"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Twilio-Signature", f.Signature)
			return r
		}, status: 400, reason: metrics.RejectBadForm},
		{name: "signed, no sender", req: func() *http.Request {
			p := message(sidN(1), "Hej")
			delete(p, "From")
			return signed(inboundURL, p)
		}, status: 400, reason: metrics.RejectMissing},
		{name: "signed, MessageSid not a SID", req: func() *http.Request {
			p := message("SM../../etc", "Hej")
			return signed(inboundURL, p)
		}, status: 400, reason: metrics.RejectMissing},
		// A signature covers names and values run together, so a signed request can be
		// re-cut into other fields under the same signature: FromCity folded into From.
		{name: "replayed: From re-cut from FromCity under the same signature", req: func() *http.Request {
			p := message(sidN(1), "Hej")
			p["FromCity"] = "VASTERAS"
			sig := testkit.TwilioSignature(testToken, inboundURL, p)
			p["From"] += "FromCity" + p["FromCity"]
			delete(p, "FromCity")
			return post(inboundURL, p, sig)
		}, status: 200, refused: metrics.RefuseNumber},
		{name: "signed, another account", req: from(resident, map[string]string{"AccountSid": "AC00000000000000000000000000000000"}), status: 200, refused: metrics.RefuseAccount},
		{name: "signed, no AccountSid", req: from(resident, map[string]string{"AccountSid": ""}), status: 200, refused: metrics.RefuseAccount},
		{name: "signed, AccountSid with a prefix of ours", req: from(resident, map[string]string{"AccountSid": testSID[:20]}), status: 200, refused: metrics.RefuseAccount},
		{name: "signed, a German number", req: from("+4915123456789", nil), status: 200, refused: metrics.RefuseCountry},
		{name: "signed, a Finnish number", req: from("+358401234567", nil), status: 200, refused: metrics.RefuseCountry},
		{name: "signed, a Finnish number, Finland served", opts: []option{countries("46", "358")}, req: from("+358401234567", nil), status: 200, sender: "+358401234567"},
		{name: "signed, a Swedish number, only Finland served", opts: []option{countries("358")}, req: from(resident, nil), status: 200, refused: metrics.RefuseCountry},
		{name: "signed, number without +", req: from(strings.TrimPrefix(resident, "+"), nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, national number", req: from("0701740605", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, 00 prefix", req: from("0046701740605", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, +0", req: from("+046701740605", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, short code", req: from("+46720", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, alphanumeric sender", req: from("Vasteras", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, 16 digits", req: from("+4670174060512345", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, spaces in the number", req: from("+46 70 174 06 05", nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, WhatsApp sender on the SMS route", req: from("whatsapp:"+resident, nil), status: 200, refused: metrics.RefuseNumber},
		{name: "signed, 15 digits", req: from("+467017406051234", nil), status: 200, sender: "+467017406051234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			w := e.do(tt.req())
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tt.status, w.Body.String())
			}
			if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
				t.Errorf("Allow %q, want POST", w.Header().Get("Allow"))
			}
			sigFails := testutil.ToFloat64(e.metrics.SignatureFailures.WithLabelValues(sms.InboundPath))
			if want := map[bool]float64{true: 1}[tt.sigFail]; sigFails != want {
				t.Errorf("signature failures %v, want %v", sigFails, want)
			}
			if tt.reason != "" {
				if n := testutil.ToFloat64(e.metrics.WebhookRejected.WithLabelValues(sms.InboundPath, tt.reason)); n != 1 {
					t.Errorf("rejections for %s: %v, want 1", tt.reason, n)
				}
			}
			conv := e.conversation(resident)
			refused := testutil.ToFloat64(e.metrics.SMSRefused.WithLabelValues(tt.refused))
			if tt.refused != "" && refused != 1 {
				t.Errorf("refused for %s: %v, want 1", tt.refused, refused)
			}
			if tt.refused == "" {
				for _, r := range []string{metrics.RefuseAccount, metrics.RefuseNumber, metrics.RefuseCountry} {
					if n := testutil.ToFloat64(e.metrics.SMSRefused.WithLabelValues(r)); n != 0 {
						t.Errorf("refused for %s: %v, want 0", r, n)
					}
				}
			}
			switch {
			case tt.refused != "":
				if msgs := messages(t, w); len(msgs) != 0 {
					t.Errorf("refused message answered %q, want empty TwiML", msgs)
				}
				if n := e.store.calls.Load(); n != 0 {
					t.Errorf("refused message made %d store calls, want none", n)
				}
				if conv.Version != 0 {
					t.Errorf("refused message stored a conversation (version %d)", conv.Version)
				}
			case tt.status != http.StatusOK:
				if n := e.store.calls.Load(); n != 0 {
					t.Errorf("refused request made %d store calls, want none", n)
				}
				if conv.Version != 0 {
					t.Errorf("refused request stored a conversation (version %d)", conv.Version)
				}
				if w.Header().Get("Content-Type") == "text/xml" {
					t.Error("refused request answered with TwiML")
				}
			default:
				msgs := messages(t, w)
				if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, " "), "112") {
					t.Errorf("replies %q: want at least one, with 112", msgs)
				}
				sender := resident
				if tt.sender != "" {
					sender = tt.sender
				}
				if c := e.conversation(sender); c.Version != 1 {
					t.Errorf("conversation version %d, want 1", c.Version)
				}
				if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultAnswered)); n != 1 {
					t.Errorf("answered %v, want 1", n)
				}
				if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultAnswered)); n != 1 {
					t.Errorf("answered %v, want 1", n)
				}
			}
			e.checkLogs("Hej", "Hjälp")
		})
	}
}

// TestStatusCallback counts Twilio's status callbacks by status and error code, and refuses
// forged ones like the webhook; the npm-signed fixtures are the callbacks.
func TestStatusCallback(t *testing.T) {
	fx := fixtures(t)
	e := newEnv(t)
	for _, name := range []string{"status_delivered", "status_undelivered"} {
		f := fx[name]
		if w := e.do(post(f.URL, f.Params, f.Signature)); w.Code != http.StatusNoContent {
			t.Fatalf("%s: status %d, want 204", name, w.Code)
		}
	}
	forged := fx["status_delivered"].Params
	forged["MessageStatus"] = "failed"
	if w := e.do(post(statusURL, forged, fx["status_delivered"].Signature)); w.Code != http.StatusForbidden {
		t.Fatalf("forged: status %d, want 403", w.Code)
	}
	if w := e.do(httptest.NewRequest(http.MethodGet, statusURL, nil)); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: status %d, want 405", w.Code)
	}
	odd := map[string]string{"MessageSid": sidN(7), "MessageStatus": "<script>", "ErrorCode": "12345678901"}
	if w := e.do(signed(statusURL, odd)); w.Code != http.StatusNoContent {
		t.Fatalf("odd values: status %d, want 204", w.Code)
	}
	for _, c := range []struct {
		status, code string
		want         float64
	}{
		{"delivered", "none", 1},
		{"undelivered", "30003", 1},
		{"failed", "none", 0},
		{"other", "other", 1},
	} {
		if got := testutil.ToFloat64(e.metrics.SMSStatus.WithLabelValues(c.status, c.code)); got != c.want {
			t.Errorf("status %s, code %s: %v, want %v", c.status, c.code, got, c.want)
		}
	}
	if got := testutil.ToFloat64(e.metrics.SignatureFailures.WithLabelValues(sms.StatusPath)); got != 1 {
		t.Errorf("signature failures %v, want 1", got)
	}
	// One store call per callback with a MessageSid: the repeat check (TestStatusCountedOnce).
	if n := e.store.calls.Load(); n != 3 {
		t.Errorf("status callbacks made %d store calls, want 3", n)
	}
}
