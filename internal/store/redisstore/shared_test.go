package redisstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestSharedDedupeAndLimits runs Remember and Hit from two clients, as two replicas: the
// same message delivered to both at once is claimed by exactly one, and a rate window
// counts the hits of both.
func TestSharedDedupeAndLimits(t *testing.T) {
	pairs := []struct {
		name string
		open func(t *testing.T) (a, b *redisstore.Store)
	}{
		{"miniredis", func(t *testing.T) (a, b *redisstore.Store) {
			m := redistest.StartMini(t)
			return openURL(t, m.URL()), openURL(t, m.URL())
		}},
		{"redis", func(t *testing.T) (a, b *redisstore.Store) {
			url := redistest.URL(t)
			return openURL(t, url), openURL(t, url)
		}},
		{"cluster", func(t *testing.T) (a, b *redisstore.Store) {
			addrs := redistest.ClusterAddrs(t)
			return openCluster(t, addrs), openCluster(t, addrs)
		}},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			a, b := p.open(t)
			defer a.Close()
			defer b.Close()
			ctx := t.Context()
			scope := newScope()
			defer a.Erase(context.WithoutCancel(ctx), scope)

			// One message id delivered 20 times at once, half to each replica.
			const deliveries = 20
			var claimed atomic.Int64
			var wg sync.WaitGroup
			for i := range deliveries {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Go(func() {
					prev, found, err := s.Remember(ctx, scope, "SM42", []byte("reply"), time.Hour)
					switch {
					case err != nil:
						t.Error(err)
					case !found:
						claimed.Add(1)
					case string(prev) != "reply":
						t.Errorf("Remember found %q, want \"reply\"", prev)
					}
				})
			}
			wg.Wait()
			if n := claimed.Load(); n != 1 {
				t.Errorf("the same message was claimed %d times across two replicas, want once", n)
			}

			for i, s := range []*redisstore.Store{a, b, a, b} {
				n, err := s.Hit(ctx, scope, "sms", time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if n != int64(i+1) {
					t.Fatalf("hit %d (alternating replicas) counted %d", i+1, n)
				}
			}
		})
	}
}
