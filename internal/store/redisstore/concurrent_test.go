package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// concurrentTurns is how many turns the concurrent-turn test runs on one conversation.
//
// Optimistic concurrency costs O(inFlight) attempts per turn when every turn hits one
// conversation: with all 1,000 in flight at once it took about 191,000 attempts (30 s on
// a real Redis). A resident sends a few messages at once, not hundreds, so the tests keep
// 32 turns in flight on a real Redis (contention far beyond a real resident's, at a cost
// CI can pay) and 4 on miniredis, which runs every Lua script in a fresh interpreter
// behind one lock.
const concurrentTurns = 1000

// runConcurrentTurns runs concurrentTurns turns on the same conversation from inFlight
// goroutines, alternating between the stores a and b (two clients, as two replicas). A
// turn loads, adds one to the counter in the state, saves on condition of the version
// loaded, and on a conflict runs again on fresh state, as conversation.Service does. Every
// turn must be counted: the counter and the version end at concurrentTurns.
func runConcurrentTurns(t *testing.T, inFlight int, a, b *redisstore.Store) {
	t.Helper()
	ctx := t.Context()
	scope := "concurrent-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Cleanup(func() { a.Erase(context.WithoutCancel(ctx), scope) })

	var attempts atomic.Int64
	start := make(chan struct{})
	turns := make(chan struct{}, concurrentTurns)
	for range concurrentTurns {
		turns <- struct{}{}
	}
	close(turns)
	errs := make(chan error, inFlight)
	var wg sync.WaitGroup
	for i := range inFlight {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			for range turns {
				if err := countTurn(ctx, s, scope, &attempts); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for name, s := range map[string]*redisstore.Store{"a": a, "b": b} {
		c, err := s.Load(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		if string(c.Data) != strconv.Itoa(concurrentTurns) || c.Version != concurrentTurns {
			t.Fatalf("store %s sees counter %q at version %d, want %d at version %d: turns were lost",
				name, c.Data, c.Version, concurrentTurns, concurrentTurns)
		}
	}
	t.Logf("%d turns on one conversation, %d at a time from two clients: all %d counted, %d attempts (%d conflicts retried)",
		concurrentTurns, inFlight, concurrentTurns, attempts.Load(), attempts.Load()-concurrentTurns)
}

// countTurn is one turn that adds one to the counter, run again on each conflict.
func countTurn(ctx context.Context, s store.Store, scope string, attempts *atomic.Int64) error {
	for {
		attempts.Add(1)
		c, err := s.Load(ctx, scope)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		n := 0
		if len(c.Data) > 0 {
			if n, err = strconv.Atoi(string(c.Data)); err != nil {
				return fmt.Errorf("counter %q: %w", c.Data, err)
			}
		}
		_, err = s.Save(ctx, scope, store.Conversation{Data: []byte(strconv.Itoa(n + 1)), Version: c.Version}, time.Hour)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		return nil
	}
}

// patientTimeout replaces trygg's 500 ms read timeout in the concurrent-turn test: on a
// CI machine busy with the race detector a reply can be late, and a save whose reply
// timed out may still have been applied, so it could be counted neither as done nor as
// lost. The test is about lost updates, not speed.
const patientTimeout = 10 * time.Second

// patientStore opens a Store on url like trygg does, but with patientTimeout.
func patientStore(t *testing.T, url string) *redisstore.Store {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = patientTimeout, patientTimeout, patientTimeout
	opts.MaxRetries = -1
	return redisstore.New(redis.NewClient(opts))
}

// patientCluster opens a Store on the Cluster nodes addrs with patientTimeout.
func patientCluster(addrs []string) *redisstore.Store {
	opts := redisstore.UniversalOptions(addrs, "")
	opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = patientTimeout, patientTimeout, patientTimeout
	return redisstore.New(redis.NewUniversalClient(opts))
}

func TestMiniredisConcurrentTurns(t *testing.T) {
	m := redistest.StartMini(t)
	a, b := patientStore(t, m.URL()), patientStore(t, m.URL())
	defer a.Close()
	defer b.Close()
	runConcurrentTurns(t, 4, a, b)
}

func TestRedisConcurrentTurns(t *testing.T) {
	url := redistest.URL(t)
	a, b := patientStore(t, url), patientStore(t, url)
	defer a.Close()
	defer b.Close()
	runConcurrentTurns(t, 32, a, b)
}

func TestClusterConcurrentTurns(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	a, b := patientCluster(addrs), patientCluster(addrs)
	defer a.Close()
	defer b.Close()
	runConcurrentTurns(t, 32, a, b)
}
