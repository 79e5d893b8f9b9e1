package slack

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
)

// BenchmarkAskCommand measures one signed "/trygg fråga" over HTTP: signature check, form
// parsing, the engine's turn and the Block Kit answer, well inside Slack's 3 seconds.
func BenchmarkAskCommand(b *testing.B) {
	st := store.NewMemory(nil)
	bot, err := New(Config{
		Engine:        newEngine(b),
		Store:         st,
		Stats:         st,
		API:           slackapi.New("xoxb-test", slackapi.OptionAPIURL("http://127.0.0.1:1/")),
		SigningSecret: testSigningSecret,
		InlineWait:    time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	bot.Mount(mux)
	body := commandBody("fråga Jag är 16 och blev rånad", "http://127.0.0.1:1/hook")
	now := time.Now().Unix()
	ts, sig := strconv.FormatInt(now, 10), testkit.SlackSignature(testSigningSecret, now, body)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Slack-Request-Timestamp", ts)
		r.Header.Set("X-Slack-Signature", sig)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Body.Len() == 0 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
