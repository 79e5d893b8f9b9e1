package redisstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// BenchmarkTurn measures one conversation.Service turn (GET, the engine, EVALSHA) on a
// real Redis when TRYGG_TEST_REDIS_URL is set, else on miniredis.
func BenchmarkTurn(b *testing.B) {
	var s *redisstore.Store
	if url := os.Getenv(redistest.EnvURL); url != "" {
		s = openURL(b, url)
	} else {
		s = openURL(b, redistest.StartMini(b).URL())
	}
	defer s.Close()
	svc := newService(b, s)
	scope := newScope()
	defer s.Erase(context.WithoutCancel(b.Context()), scope)
	msgs := []string{"Jag blev rånad", "16", "MENY"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if o := svc.Handle(b.Context(), conversation.Inbound{Scope: scope, Text: msgs[i%len(msgs)]}); o.Degraded {
			b.Fatal(o.Err)
		}
	}
}
