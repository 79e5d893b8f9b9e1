package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
)

// smsTurn runs one turn as the SMS webhook does: one admission (reserve the message id,
// count both windows, load) and the turn, saved with its reply.
func smsTurn(t *testing.T, s *redisstore.Store, svc *conversation.Service, scope, id, text, want string) {
	t.Helper()
	r, err := s.Admit(t.Context(), scope, store.Admission{
		ID: "sms:" + id, Value: []byte("r1"), TTL: time.Hour,
		Sender: store.Window{Name: "sms:sender", TTL: time.Hour, Limit: 100},
		Global: store.Window{Name: "sms:global", TTL: time.Minute, Limit: 1 << 30},
	})
	if err != nil || r.Duplicate || !r.Loaded {
		t.Fatalf("admit %q: %+v, %v; want admitted and loaded", text, r, err)
	}
	o := svc.Handle(t.Context(), conversation.Inbound{
		Scope: scope, Text: text, Loaded: &r.Conv, ReplyID: "sms:" + id + ":reply", ReplyTTL: time.Hour,
		Render: func(rs []bot.Reply) ([]byte, error) { return []byte(rs[0].Text), nil },
	})
	if o.Degraded || !o.Remembered {
		t.Fatalf("turn %q: degraded %v (%v), remembered %v", text, o.Degraded, o.Err, o.Remembered)
	}
	var all strings.Builder
	for _, rep := range o.Replies {
		all.WriteString(rep.Text)
	}
	if !strings.Contains(all.String(), want) {
		t.Fatalf("turn %q: replies %q lack %q", text, all.String(), want)
	}
}

// TestRoundTripsPerSMSTurn counts the round trips of an SMS turn done as the webhook does
// it: two once the scripts are cached (the admission pipeline and the save with the
// reply). On a Cluster the admission's pipeline goes to the resident's node and the global
// window's at once, which the per-node hook counts as two.
func TestRoundTripsPerSMSTurn(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			defer s.Close()
			h := &roundTrips{}
			countRoundTrips(s, h)
			svc := newService(t, s)
			want := int64(2)
			if _, ok := s.Client().(*redis.ClusterClient); ok {
				want = 3
			}
			scope := newScope()
			defer s.Erase(context.WithoutCancel(t.Context()), scope)
			smsTurn(t, s, svc, scope, "warm", "Hej", "112")
			first, firstCmds := h.take()
			t.Logf("first SMS turn of a new client: %d round trips %v", first, firstCmds)
			if err := s.Erase(t.Context(), scope); err != nil {
				t.Fatal(err)
			}
			h.take()
			for i, step := range []struct{ text, want string }{
				{"Jag blev rånad", "Hur gammal"},
				{"16", "010-567 63 25"},
				{"tack", "112"},
			} {
				smsTurn(t, s, svc, scope, strconv.Itoa(i), step.text, step.want)
				n, cmds := h.take()
				if n > want {
					t.Errorf("SMS turn %q took %d round trips %v, want at most %d", step.text, n, cmds, want)
				}
				t.Logf("SMS turn %q: %d round trips %v", step.text, n, cmds)
			}
		})
	}
}
