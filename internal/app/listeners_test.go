package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/server"
)

// lockedLog is a log buffer the servers' goroutines and the test may use at once.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serving is trygg as `trygg serve` runs it, on two loopback listeners: Public stands for
// TRYGG_ADDR, Metrics for TRYGG_METRICS_ADDR.
type serving struct {
	App             *app.App
	Public, Metrics string // base URLs
	Logs            *lockedLog
}

// serveLoopback builds trygg from env and serves it through App.Serve until the test ends.
func serveLoopback(t *testing.T, env map[string]string) *serving {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedLog{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	public, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	private, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		public.Close()
		t.Fatal(err)
	}
	s := &serving{App: a, Public: "http://" + public.Addr().String(), Metrics: "http://" + private.Addr().String(), Logs: logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, public, private) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
		a.Close()
	})
	return s
}

// TestMetricsOnlyOnTheirOwnListener: /metrics is served on TRYGG_METRICS_ADDR and nowhere
// on the public listener (404, whatever the method or spelling); the metrics listener
// serves no channel.
func TestMetricsOnlyOnTheirOwnListener(t *testing.T) {
	s := serveLoopback(t, map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "trygg0test0auth0token0123456789a",
		"TRYGG_PUBLIC_URL": "https://trygg.example.se", "SLACK_SIGNING_SECRET": "slack-signing-secret-for-tests", "SLACK_BOT_TOKEN": "xoxb-1",
	})
	for _, path := range []string{"/metrics", "/metrics/", "/metrics?x=1", "/METRICS", "//metrics", "/./metrics"} {
		res, err := http.Get(s.Public + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK || strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=") {
			t.Errorf("public GET %s: %d %s, want no metrics", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if status, _ := get(t, s.Public+"/metrics"); status != http.StatusNotFound {
		t.Errorf("public GET /metrics: %d, want 404", status)
	}
	status, body := get(t, s.Metrics+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, "trygg_sms_messages_in_total") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics listener GET /metrics: %d\n%.300s", status, body)
	}
	for _, path := range []string{"/", "/twilio/sms", "/slack/events", "/chat"} {
		if status, _, _ := postForm(t, s.Metrics+path, url.Values{"Body": {"hej"}}, "x"); status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("metrics listener POST %s: %d, want nothing served", path, status)
		}
	}
	if status, _ := get(t, s.Public+"/healthz"); status != http.StatusOK {
		t.Errorf("public /healthz: %d", status)
	}
}

// TestHSTSWhenPublicURLIsHTTPS: with an https TRYGG_PUBLIC_URL every response of the public
// listener carries Strict-Transport-Security (the page, health, a refused webhook, an
// unknown path, a wrong method); with an http one, or none, no response does.
func TestHSTSWhenPublicURLIsHTTPS(t *testing.T) {
	for _, row := range []struct{ publicURL, want string }{
		{"https://trygg.example.se", server.HSTS},
		{"http://trygg.example.se", ""},
		{"", ""},
	} {
		t.Run("TRYGG_PUBLIC_URL="+row.publicURL, func(t *testing.T) {
			s := serveLoopback(t, map[string]string{
				"TRYGG_PUBLIC_URL":   row.publicURL,
				"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "trygg0test0auth0token0123456789a",
				"SLACK_SIGNING_SECRET": "slack-signing-secret-for-tests", "SLACK_BOT_TOKEN": "xoxb-1",
			})
			for _, r := range []struct {
				method, path string
				status       int
			}{
				{http.MethodGet, "/", http.StatusOK},
				{http.MethodGet, "/healthz", http.StatusOK},
				{http.MethodGet, "/readyz", http.StatusOK},
				{http.MethodPost, "/twilio/sms", http.StatusForbidden},
				{http.MethodPost, "/slack/commands", http.StatusUnauthorized},
				{http.MethodGet, "/twilio/sms", http.StatusMethodNotAllowed},
				{http.MethodGet, "/metrics", http.StatusNotFound},
				{http.MethodGet, "/nowhere", http.StatusNotFound},
			} {
				req, _ := http.NewRequest(r.method, s.Public+r.path, strings.NewReader("Body=hej"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != r.status {
					t.Errorf("%s %s: %d, want %d", r.method, r.path, res.StatusCode, r.status)
				}
				got := res.Header.Values("Strict-Transport-Security")
				if (row.want == "" && len(got) > 0) || (row.want != "" && (len(got) != 1 || got[0] != row.want)) {
					t.Errorf("%s %s: Strict-Transport-Security %q, want %q", r.method, r.path, got, row.want)
				}
			}
		})
	}
}
