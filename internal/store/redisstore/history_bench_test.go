package redisstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// The SMS channel's limits and what one message's writes are, for the history benchmark.
const (
	historyLimit  = 30 // TRYGG_SMS_SENDER_LIMIT's default count
	historyWindow = 10 * time.Minute
	historyTTL    = 24 * time.Hour // sms.DedupeTTL
	// historyAnswer is the size of a typical remembered reply (TwiML of one message).
	historyAnswer = 400
)

// historyWrite is the store's part of one SMS turn, as the channel does it: Admit (reserve
// the MessageSid, count the sender and all senders, load) and remember the reply to it.
// window names the sender's window; a fresh name makes the message the first of a window.
func historyWrite(ctx context.Context, s *redisstore.Store, scope string, n int, window string) error {
	id := fmt.Sprintf("sms:SM%032x", n)
	r, err := store.Admit(ctx, s, scope, store.Admission{
		ID: id, Value: []byte("r1764000000000000000"), TTL: historyTTL,
		Sender: store.Window{Name: window, TTL: historyWindow, Limit: historyLimit},
		Global: store.Window{Name: "bench-global", TTL: time.Minute, Limit: 1 << 40},
		Keep:   historyLimit + 1,
	})
	if err != nil || !r.Reserved {
		return err
	}
	_, _, err = s.Remember(ctx, scope, store.AnswerID(id), []byte(strings.Repeat("x", historyAnswer)), historyTTL)
	return err
}

// BenchmarkWriteHistory measures one message's writes (historyWrite, each the first of a
// new sender window, so a turn) for a sender who sent 10, 1,000 or 100,000 messages before,
// spread over the 23 hours before, so that their 24-hour records expire while the
// benchmark runs (where reading every record of the sender cost most). The cost must not
// grow with the history. On miniredis, whose time moves; with TRYGG_TEST_REDIS_URL also on
// that server, where the history is written at once and nothing expires.
func BenchmarkWriteHistory(b *testing.B) {
	for _, history := range []int{10, 1_000, 100_000} {
		b.Run(fmt.Sprintf("miniredis/history=%d", history), func(b *testing.B) {
			m := redistest.StartMini(b)
			// miniredis runs Lua slowly: let a write that reads a long history finish.
			s := openURL(b, m.URL()+"?read_timeout=60s")
			defer s.Close()
			ctx := b.Context()
			scope := newScope()
			step := 23 * time.Hour / time.Duration(history)
			for i := range history {
				if err := historyWrite(ctx, s, scope, i, "sms:sender"); err != nil {
					b.Fatal(err)
				}
				m.Advance(step)
			}
			m.Advance(time.Hour + time.Minute) // the first hour of the history has expired
			n := history
			for b.Loop() {
				b.StopTimer() // moving miniredis' clock walks its keys
				m.Advance(historyWindow + time.Millisecond)
				b.StartTimer()
				if err := historyWrite(ctx, s, scope, n, "sms:sender"); err != nil {
					b.Fatal(err)
				}
				n++
			}
		})
	}
	url := os.Getenv(redistest.EnvURL)
	if url == "" {
		return
	}
	for _, history := range []int{10, 1_000, 100_000} {
		b.Run(fmt.Sprintf("redis/history=%d", history), func(b *testing.B) {
			s := openURL(b, url)
			defer s.Close()
			ctx := b.Context()
			scope := newScope()
			defer s.Erase(context.WithoutCancel(ctx), scope)
			for i := range history {
				// A busy shared machine may time a single call out: try it again.
				var err error
				for range 3 {
					if err = historyWrite(ctx, s, scope, i, "sms:sender"); err == nil {
						break
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			n := history
			calls, usec := scriptTime(b, s)
			for b.Loop() {
				if err := historyWrite(ctx, s, scope, n, fmt.Sprintf("sms:sender-%d", n)); err != nil {
					b.Fatal(err)
				}
				n++
			}
			calls2, usec2 := scriptTime(b, s)
			if calls2 > calls {
				b.ReportMetric(float64(usec2-usec)/float64(calls2-calls), "server-µs/script")
			}
		})
	}
}

// scriptTime returns how many scripts the server ran (EVALSHA and EVAL) and the
// microseconds of its time they took, from INFO commandstats: the time of the single
// Redis thread that every resident shares.
func scriptTime(b *testing.B, s *redisstore.Store) (calls, usec int64) {
	b.Helper()
	info, err := s.Client().Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "cmdstat_evalsha" && name != "cmdstat_eval") {
			continue
		}
		for _, kv := range strings.Split(stats, ",") {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseInt(v, 10, 64)
			switch k {
			case "calls":
				calls += n
			case "usec":
				usec += n
			}
		}
	}
	return calls, usec
}
