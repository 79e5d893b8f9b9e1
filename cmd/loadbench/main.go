// Command loadbench measures trygg's SMS webhook under load against a bare baseline in the
// same run, on loopback with a real local Redis:
//
//	redis-server --port 6395 --save '' &
//	go run ./cmd/loadbench -redis redis://127.0.0.1:6395/0
//
// It starts trygg in-process (internal/app.New, as `trygg serve` builds it, with Redis and
// test Twilio credentials) and the baseline (same form, same twilio-go signature check, one
// Redis GET and SET, fixed TwiML), sends signed webhooks from many simulated residents, and
// prints the throughput of both at max load (closed loop), the ratio full/bare, p50/p99
// latency at a fixed rate (open loop) and Redis round trips per request. Every loop is
// bounded in time and count; it exits by itself. Use a Redis of its own: the run leaves
// conversations and baseline keys behind (they expire).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"time"

	"github.com/vasteras/trygg/internal/loadbench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run() error {
	def := os.Getenv("LOADBENCH_REDIS_URL")
	if def == "" {
		def = "redis://127.0.0.1:6395/0"
	}
	redisURL := flag.String("redis", def, "URL of a Redis on loopback (env LOADBENCH_REDIS_URL)")
	workers := flag.Int("workers", 16, "closed-loop senders per target")
	phase := flag.Duration("phase", 10*time.Second, "length of one closed-loop phase")
	rounds := flag.Int("rounds", 2, "phases per target, alternating bare and full")
	rate := flag.Float64("rate", 200, "open-loop rate, requests per second")
	ratePhase := flag.Duration("rate-phase", 10*time.Second, "length of one open-loop phase")
	warmup := flag.Int("warmup", 500, "warm-up requests per target")
	residents := flag.Int("residents", 2000, "simulated residents (distinct From numbers)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the closed-loop phases to this file")
	flag.Parse()
	switch {
	case *workers < 1 || *workers > 1024:
		return fmt.Errorf("-workers %d: want 1 to 1024", *workers)
	case *rounds < 1 || *rounds > 20:
		return fmt.Errorf("-rounds %d: want 1 to 20", *rounds)
	case *phase <= 0 || *phase > 5*time.Minute || *ratePhase <= 0 || *ratePhase > 5*time.Minute:
		return fmt.Errorf("-phase and -rate-phase: want more than 0 and at most 5m")
	case *rate <= 0 || *rate > 10000:
		return fmt.Errorf("-rate %v: want more than 0 and at most 10000", *rate)
	}
	// The whole run is bounded: every phase, plus a minute for warm-up and shutdown.
	limit := time.Duration(*rounds)*2*(*phase+*ratePhase) + time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	s, err := loadbench.Start(ctx, *redisURL, *workers*2)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("trygg at %s, baseline at %s, Redis %s\n", s.Full.URL, s.Bare.URL, *redisURL)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := s.Run(ctx, loadbench.Options{
		Workers: *workers, Phase: *phase, Rounds: *rounds, Rate: *rate, RatePhase: *ratePhase,
		Warmup: *warmup, Residents: *residents, Progress: os.Stdout,
	})
	if err != nil {
		return err
	}
	rep.Write(os.Stdout)
	return nil
}
