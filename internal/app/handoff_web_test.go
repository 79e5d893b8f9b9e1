package app

import (
	"net/url"
	"testing"
)

// TestHandoffRenewsWebSession: when a handoff starts in the web chat the session gets a new
// id (issue 16, item 5), so whoever knew the old one (planted it in the resident's browser,
// or saw it) reads nothing staff write; the resident's page goes on with the new one.
func TestHandoffRenewsWebSession(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	w := openWebChat(t, e)
	w.post("/chat", url.Values{"message": {"I'm 40 and I was robbed"}})
	w.post("/chat", url.Values{"message": {"talk to someone"}})
	old := *w
	w.post("/chat", url.Values{"message": {"yes"}})
	if w.session.Value == old.session.Value || w.token == old.token {
		t.Fatal("the session id and its token stayed the same when the handoff started")
	}
	if w.session.Name != old.session.Name || !w.session.HttpOnly || w.session.Path != "/" {
		t.Errorf("new session cookie %q", w.session.Raw)
	}
	card, _ := e.card()
	e.staffReply("Ev301", "U0STAFF", card.TS, "Hi, I'm Sam.")
	if got := old.post("/chat/poll", url.Values{}); len(got) != 0 {
		t.Errorf("the old session id read the staff reply: %q", got)
	}
	if got := w.post("/chat/poll", url.Values{}); len(got) != 1 {
		t.Errorf("the resident's page got %q, want the staff reply", got)
	}
}
