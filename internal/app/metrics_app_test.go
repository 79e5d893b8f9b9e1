package app_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vasteras/trygg/internal/loadbench"
)

// phoneRE is any Swedish phone number, international or national mobile form.
var phoneRE = regexp.MustCompile(`\+?46\d{6,}|07\d{8}`)

// TestMetricsAfterTurns drives trygg as served (SMS configured, Slack configured, the web
// chat) through a few turns and a few refusals, then scrapes /metrics: the series of the
// turns, routes, languages, store and refusals are there with the expected counts (on the
// metrics listener; the public one has no /metrics), and no
// phone number, pseudonym or session id appears anywhere in the trygg series or in any
// label.
func TestMetricsAfterTurns(t *testing.T) {
	const public = "https://trygg.example.se"
	const resident = "+46701234567"
	env := map[string]string{
		"TWILIO_ACCOUNT_SID":   loadbench.AccountSID,
		"TWILIO_AUTH_TOKEN":    loadbench.AuthToken,
		"TRYGG_PUBLIC_URL":     public,
		"TRYGG_SECRET":         "metrics-test-secret-0123456789",
		"SLACK_SIGNING_SECRET": "slack-signing-secret-for-tests",
		"SLACK_BOT_TOKEN":      "xoxb-1",
	}
	// As served: the channels on the public listener, /metrics on its own.
	s := serveLoopback(t, env)
	a := s.App
	srv := struct{ URL string }{s.Public}

	// Two SMS turns from one resident, then a forged webhook.
	for i, text := range []string{"hej", "Jag är 16 och blev rånad"} {
		p := loadbench.NewTraffic(1).Next()
		p["From"], p["Body"] = resident, text
		p["MessageSid"] = "SM0000000000000000000000000000000" + string(rune('1'+i))
		p["SmsMessageSid"], p["SmsSid"] = p["MessageSid"], p["MessageSid"]
		form := url.Values{}
		for k, v := range p {
			form.Set(k, v)
		}
		status, _, body := postForm(t, srv.URL+"/twilio/sms", form, loadbench.Sign(loadbench.AuthToken, public+"/twilio/sms", p))
		if status != http.StatusOK || !strings.Contains(body, "<Message>") {
			t.Fatalf("SMS %q: status %d: %s", text, status, body)
		}
	}
	if status, _, _ := postForm(t, srv.URL+"/twilio/sms", url.Values{"From": {resident}, "Body": {"hej"}}, "Zm9yZ2Vk"); status != http.StatusForbidden {
		t.Errorf("forged SMS: status %d, want 403", status)
	}
	// An unsigned Slack command.
	if status, _, _ := postForm(t, srv.URL+"/slack/commands", url.Values{"command": {"/trygg"}}, ""); status != http.StatusUnauthorized {
		t.Errorf("unsigned Slack command: status %d, want 401", status)
	}

	// One web chat turn.
	session, token := webSession(t, srv.URL)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat", strings.NewReader(url.Values{"message": {"Jag är 16 och blev rånad"}, "csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	req.AddCookie(session)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "010-567 63 25") {
		t.Fatalf("web chat: status %d: %s", res.StatusCode, body)
	}

	if status, _ := get(t, srv.URL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: status %d, want 404", status)
	}
	status, scrape := get(t, s.Metrics+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics on the metrics listener: status %d", status)
	}
	for _, want := range []string{
		`trygg_messages_in_total{channel="sms"} 2`,
		`trygg_messages_in_total{channel="web"} 1`,
		`trygg_turns_degraded_total{channel="sms"} 0`,
		`trygg_turns_degraded_total{channel="web"} 0`,
		`trygg_turn_duration_seconds_count{channel="sms",result="answered"} 2`,
		`trygg_turn_duration_seconds_count{channel="web",result="answered"} 1`,
		`trygg_routes_total{route="boj_youth"} 2`,
		`trygg_conversations_total{channel="sms",lang="sv"} 1`,
		`trygg_conversations_total{channel="web",lang="sv"} 1`,
		`trygg_webhook_signature_failures_total{route="/twilio/sms"} 1`,
		`trygg_webhook_signature_failures_total{route="/slack/commands"} 1`,
		`trygg_web_rate_limited_total{limit="session"} 0`,
		`trygg_sms_rate_limited_total`,
		`trygg_sms_segments_out_total{encoding="GSM-7",via="twiml"}`,
		`trygg_store_errors_total{class="timeout",op="load"} 0`,
		// The web turn loads and saves; each SMS turn is one admission (with its load)
		// and one save with its reply.
		`trygg_store_duration_seconds_count{op="load"} 1`,
		`trygg_store_duration_seconds_count{op="save"} 1`,
		`trygg_store_duration_seconds_count{op="admit"} 2`,
		`trygg_store_duration_seconds_count{op="save_remember"} 2`,
		`trygg_store_duration_seconds_bucket{op="hit",le="0.0005"}`,
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !regexp.MustCompile(`trygg_messages_out_total\{channel="sms"\} [1-9]`).MatchString(scrape) {
		t.Error("/metrics counts no SMS replies out")
	}

	// Personal data: phone numbers in trygg's series or any label, the resident's
	// pseudonym, the web session id.
	secrets := []string{a.Hasher.Of("sms", resident), session.Value}
	for _, line := range strings.Split(scrape, "\n") {
		labels := ""
		if i, j := strings.IndexByte(line, '{'), strings.LastIndexByte(line, '}'); i >= 0 && j > i {
			labels = line[i:j]
		}
		// The sample value is a number, and a float such as 0.00074086000000 may hold
		// "07" and eight digits: only names and labels can carry a phone number.
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		if phoneRE.MatchString(name) || phoneRE.MatchString(labels) {
			t.Errorf("a phone number in /metrics: %s", line)
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a pseudonym or session id in /metrics: %s", line)
			}
		}
	}
}

// webSession opens the web chat page and returns its session cookie and request token.
func webSession(t *testing.T, base string) (*http.Cookie, string) {
	t.Helper()
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil || len(res.Cookies()) == 0 {
		t.Fatalf("web chat page: status %d, no session cookie or token", res.StatusCode)
	}
	return res.Cookies()[0], string(m[1])
}
