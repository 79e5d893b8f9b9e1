package redisstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestRedisDown stops a real redis-server in the middle of a conversation: the resident
// gets the safety reply within 2 s and Ping fails. Started again on the same port, the
// same Store and Service carry on by themselves.
func TestRedisDown(t *testing.T) {
	srv := redistest.StartServer(t)
	s := openURL(t, srv.URL())
	defer s.Close()
	svc := newService(t, s)
	scope := newScope()
	ctx := t.Context()

	turn(t, svc, scope, "Jag blev rånad", "Hur gammal")

	srv.Stop()
	// More turns than the client's pool has connections: go-redis then stops dialling
	// for each command and probes in the background once a second.
	const turnsWhileDown = 30
	var slowest time.Duration
	for range turnsWhileDown {
		start := time.Now()
		o := svc.Handle(ctx, conversation.Inbound{Scope: scope, Text: "16"})
		took := time.Since(start)
		slowest = max(slowest, took)
		if !o.Degraded {
			t.Fatalf("turn with Redis down: not degraded, replies %v", o.Replies)
		}
		if took > 2*time.Second {
			t.Errorf("the safety reply took %v, want at most 2 s", took)
		}
		if len(o.Replies) == 0 || !strings.Contains(o.Replies[0].Text, "112") || !strings.Contains(o.Replies[0].Text, "010-567 63 25") {
			t.Fatalf("turn with Redis down replied %v, want the safety reply", o.Replies)
		}
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with Redis down: no error")
	}
	t.Logf("Redis down: %d turns answered with the safety reply, the slowest after %v", turnsWhileDown, slowest.Round(time.Millisecond))

	srv.Start()
	// Ping until Redis answers, as /readyz would be polled; the client recovers by itself.
	back := time.Now()
	for s.Ping(ctx) != nil {
		if time.Since(back) > 5*time.Second {
			t.Fatal("Ping still fails 5 s after Redis is back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("Redis back: Ping answers after %v", time.Since(back).Round(time.Millisecond))
	// The server came back empty (no persistence): the conversation starts again.
	turn(t, svc, scope, "Jag blev rånad", "Hur gammal")
	turn(t, svc, scope, "16", "010-567 63 25")
}
