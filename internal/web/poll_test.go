package web_test

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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

// pollStep is one poll of TestPollLimits: from session (an index into the row's sessions)
// at addr, after queueing deliver for that session and advancing the clock by wait.
type pollStep struct {
	session int
	addr    string // "" means pollAddr
	deliver string
	wait    time.Duration
	forged  bool
	status  int
	// staff is the staff reply the answer shows; "" means none.
	staff string
}

// pollAddr is the client address of a poll step that names none.
const pollAddr = "198.51.100.7:1"

// TestPollLimits: POST /chat/poll is limited per session and per client. Polls within
// the limits get the queued staff reply; a poll past a limit gets 429 with the safety
// reply and takes nothing from the inbox, so the reply comes with the first poll after
// the window; another session of the same client is held back by the client's limit and
// a session of another client is not; a forged token is 403 whatever the limits; each
// refusal is counted by limit. The row "from the environment" runs trygg's own handler,
// with TRYGG_WEB_POLL_LIMIT.
func TestPollLimits(t *testing.T) {
	const sara = "Hej, jag heter Sara och läser det du skriver."
	tests := []struct {
		name string
		// session and client are the chat's poll limits; zero: trygg's own chat and
		// handler, configured by env.
		session, client web.Limit
		env             map[string]string
		sessions        int
		steps           []pollStep
		// refused is the count of each limit's refusals at the end.
		refused map[string]string
	}{
		{
			name: "within the limits", session: web.Limit{N: 3, Per: time.Minute}, client: web.Limit{N: 10, Per: time.Minute}, sessions: 1,
			steps: []pollStep{
				{status: http.StatusOK},
				{status: http.StatusOK},
				{deliver: sara, status: http.StatusOK, staff: sara},
				{wait: 61 * time.Second, status: http.StatusOK},
			},
			refused: map[string]string{"session_poll": "0", "client_poll": "0"},
		},
		{
			name: "past the session limit", session: web.Limit{N: 3, Per: time.Minute}, client: web.Limit{N: 100, Per: time.Minute}, sessions: 2,
			steps: []pollStep{
				{status: http.StatusOK},
				{status: http.StatusOK},
				{status: http.StatusOK},
				{deliver: sara, status: http.StatusTooManyRequests},
				{wait: 30 * time.Second, status: http.StatusTooManyRequests},
				// Another session of the same client has its own count.
				{session: 1, status: http.StatusOK},
				{wait: 31 * time.Second, status: http.StatusOK, staff: sara},
				{status: http.StatusOK},
			},
			refused: map[string]string{"session_poll": "2", "client_poll": "0"},
		},
		{
			name: "past the client limit", session: web.Limit{N: 3, Per: time.Minute}, client: web.Limit{N: 4, Per: time.Minute}, sessions: 3,
			steps: []pollStep{
				{status: http.StatusOK},
				{status: http.StatusOK},
				{status: http.StatusOK},
				{session: 1, status: http.StatusOK},
				{session: 1, deliver: sara, status: http.StatusTooManyRequests},
				{status: http.StatusTooManyRequests},
				// Another client is not held back.
				{session: 2, addr: "203.0.113.9:1", status: http.StatusOK},
				{session: 1, wait: 61 * time.Second, status: http.StatusOK, staff: sara},
			},
			refused: map[string]string{"session_poll": "0", "client_poll": "2"},
		},
		{
			name: "forged token", session: web.Limit{N: 1, Per: time.Minute}, client: web.Limit{N: 100, Per: time.Minute}, sessions: 1,
			steps: []pollStep{
				{deliver: sara, forged: true, status: http.StatusForbidden},
				{status: http.StatusOK, staff: sara},
				{status: http.StatusTooManyRequests},
				{deliver: sara, forged: true, status: http.StatusForbidden},
				{wait: 61 * time.Second, status: http.StatusOK, staff: sara},
			},
			refused: map[string]string{"session_poll": "1", "client_poll": "0"},
		},
		{
			name: "from the environment", env: map[string]string{"TRYGG_WEB_POLL_LIMIT": "2/1m"}, sessions: 2,
			steps: []pollStep{
				{status: http.StatusOK},
				{session: 1, status: http.StatusOK},
				{status: http.StatusTooManyRequests},
				{session: 1, addr: "203.0.113.9:1", status: http.StatusOK},
				{session: 1, wait: 61 * time.Second, status: http.StatusOK},
			},
			refused: map[string]string{"session_poll": "0", "client_poll": "1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.env)
			inbox := handoff.Inbox{Records: h.app.Store.(store.Records), Now: h.clock.Now}
			if tt.session.N != 0 {
				chat, err := web.New(web.Config{
					Service: h.app.Service, Store: h.app.Store, Flows: h.app.Flows, Hasher: h.app.Hasher,
					ExitURL: neutralURL, Inbox: inbox, Metrics: h.app.Metrics,
					SessionPollLimit: tt.session, PollLimit: tt.client,
				})
				if err != nil {
					t.Fatal(err)
				}
				mux := http.NewServeMux()
				chat.Mount(mux)
				h.h = mux
			}
			type session struct{ id, token string }
			var sessions []session
			for range tt.sessions {
				id, token := h.visit()
				sessions = append(sessions, session{id, token})
			}
			for i, st := range tt.steps {
				s := sessions[st.session]
				if st.deliver != "" {
					if err := inbox.Deliver(context.Background(), h.app.Hasher.Of(web.Channel, s.id), "", st.deliver); err != nil {
						t.Fatal(err)
					}
				}
				h.clock.Advance(st.wait)
				token := s.token
				if st.forged {
					token = "forged"
				}
				res := h.do(from(cmp.Or(st.addr, pollAddr), post("/chat/poll", s.id, url.Values{"csrf": {token}}, true)))
				a := decode(t, res)
				if res.StatusCode != st.status {
					t.Fatalf("poll %d: status %d, want %d", i, res.StatusCode, st.status)
				}
				if st.status != http.StatusOK && !hasSafety(a.text()) {
					t.Errorf("poll %d: refused (%d) without 112 and the numbers: %q", i, st.status, a.text())
				}
				gotStaff := strings.Contains(a.text(), "Sara")
				if gotStaff != (st.staff != "") {
					t.Errorf("poll %d: answer %q; want the staff reply: %v", i, a.text(), st.staff != "")
				}
				if st.status == http.StatusOK && st.staff == "" && len(a.Replies) != 0 {
					t.Errorf("poll %d: replies %q, want none", i, a.text())
				}
			}
			for limit, want := range tt.refused {
				if got := h.metric(`trygg_web_rate_limited_total{limit="` + limit + `"}`); got != want {
					t.Errorf("refusals past %s = %q, want %s", limit, got, want)
				}
			}
		})
	}
}
