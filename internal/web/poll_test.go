package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/web"
)

// TestPollShowsStaffReplies: during a handoff a staff reply waits in the resident's records
// until the page asks for it; it is shown once, needs the session's token, and runs no turn.
func TestPollShowsStaffReplies(t *testing.T) {
	h := newHarness(t, nil)
	inbox := handoff.Inbox{Records: h.app.Store.(store.Records), Now: h.clock.Now}
	chat, err := web.New(web.Config{
		Service: h.app.Service, Store: h.app.Store, Flows: h.app.Flows, Hasher: h.app.Hasher,
		ExitURL: neutralURL, Inbox: inbox,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	chat.Mount(mux)
	h.h = mux

	session, token := h.visit()
	if status, _ := h.say(session, token, "PERSON"); status != http.StatusOK {
		t.Fatalf("say: %d", status)
	}
	before := h.version(session)
	scope := h.app.Hasher.Of(web.Channel, session)
	if err := inbox.Deliver(context.Background(), scope, "", "Hej, jag heter Sara och läser det du skriver."); err != nil {
		t.Fatal(err)
	}
	poll := func(form url.Values) (int, answer) {
		res := h.do(post("/chat/poll", session, form, true))
		return res.StatusCode, decode(t, res)
	}
	status, a := poll(url.Values{"csrf": {token}})
	if status != http.StatusOK || len(a.Replies) != 1 || !strings.Contains(a.Replies[0].Text, "Sara") {
		t.Fatalf("poll = %d %+v; want the staff reply", status, a.Replies)
	}
	if _, again := poll(url.Values{"csrf": {token}}); len(again.Replies) != 0 {
		t.Errorf("the staff reply was shown twice: %+v", again.Replies)
	}
	if h.version(session) != before {
		t.Error("a poll ran a turn")
	}
	if status, _ := poll(url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("poll with a wrong token = %d, want 403", status)
	}
}
