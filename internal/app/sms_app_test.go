package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
)

// start builds trygg from env like `trygg serve` and serves it over HTTP.
func start(t *testing.T, env map[string]string) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(srv.Close)
	return srv, &logs
}

// npmFixture reads a request the npm package twilio signed (see the file's note).
func npmFixture(t *testing.T, name string) (string, url.Values, string) {
	t.Helper()
	b, err := os.ReadFile("../sms/testdata/twilio_signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Name, Token, URL, Signature string
			Params                      map[string]string
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Cases {
		if c.Name == name {
			form := url.Values{}
			for k, v := range c.Params {
				form.Set(k, v)
			}
			return c.URL, form, c.Signature
		}
	}
	t.Fatalf("no fixture %s", name)
	return "", nil, ""
}

func postForm(t *testing.T, u string, form url.Values, sig string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(body)
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestSMSChannel is the "done when": with the Twilio variables and TRYGG_PUBLIC_URL
// set, trygg answers a correctly signed webhook with TwiML that routes the resident,
// refuses a forged one, and counts both in /metrics.
func TestSMSChannel(t *testing.T) {
	s := serveLoopback(t, map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN":  "trygg0test0auth0token0123456789a",
		"TWILIO_FROM":        "+46701740650",
		"TRYGG_PUBLIC_URL":   "https://trygg.example.se",
		"TRYGG_SECRET":       "app-test-secret-0123456789",
	})
	srv, logs := struct{ URL string }{s.Public}, s.Logs
	if !strings.Contains(logs.String(), "sms: on") {
		t.Errorf("start-up log does not say SMS is on:\n%s", logs)
	}
	_, form, sig := npmFixture(t, "sms_conversation")
	status, ct, body := postForm(t, srv.URL+"/twilio/sms", form, sig)
	if status != http.StatusOK || ct != "text/xml" {
		t.Fatalf("status %d, Content-Type %q: %s", status, ct, body)
	}
	if !strings.Contains(body, "010-567 63 25") || strings.Contains(body, "021-41 32 60") || !strings.Contains(body, "<Message>") {
		t.Errorf("TwiML does not route a 16-year-old to the youth line:\n%s", body)
	}
	form.Set("Body", "Jag är 30 och blev rånad")
	if status, _, _ := postForm(t, srv.URL+"/twilio/sms", form, sig); status != http.StatusForbidden {
		t.Errorf("forged: status %d, want 403", status)
	}
	status, metrics := get(t, s.Metrics+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: status %d", status)
	}
	for _, want := range []string{
		`trygg_sms_messages_in_total{channel="sms",result="answered"} 1`,
		`trygg_webhook_signature_failures_total{route="/twilio/sms"} 1`,
		`trygg_sms_segments_out_total{encoding="GSM-7",via="twiml"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, "46701740605") || strings.Contains(logs.String(), "46701740605") {
		t.Error("the resident's number is in /metrics or the log")
	}
}

// TestSMSOff checks that without the Twilio variables the SMS routes are not mounted, the
// start-up log says so, and /metrics is served anyway (on its own listener).
func TestSMSOff(t *testing.T) {
	s := serveLoopback(t, map[string]string{})
	srv, logs := struct{ URL string }{s.Public}, s.Logs
	if !strings.Contains(logs.String(), "sms: off") {
		t.Errorf("start-up log does not say SMS is off:\n%s", logs)
	}
	if status, _, _ := postForm(t, srv.URL+"/twilio/sms", url.Values{"Body": {"hej"}}, "x"); status != http.StatusNotFound {
		t.Errorf("/twilio/sms: status %d, want 404", status)
	}
	if status, body := get(t, s.Metrics+"/metrics"); status != http.StatusOK || !strings.Contains(body, "trygg_sms_messages_in_total") {
		t.Errorf("/metrics: status %d", status)
	}
}
