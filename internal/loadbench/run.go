package loadbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/pprof"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store/redisstore"
)

// Test credentials of the simulated Twilio account; nothing leaves the machine.
const (
	AuthToken = "loadbench0auth0token0123456789ab"
	secret    = "loadbench-pseudonym-secret-0123456789"
	// noLimit is a rate limit the load never reaches, so every message is a full turn.
	noLimit = "1000000/1m"
)

// Servers are the two webhooks under load, on loopback: trygg (Full) and the baseline
// (Bare), each with its own Redis client and a round-trip counter on it.
type Servers struct {
	// App is trygg as `trygg serve` builds it.
	App *app.App
	// Full and Bare are the targets: trygg's /twilio/sms and the baseline.
	Full, Bare *Target
	// FullTrips and BareTrips count the Redis round trips of each server.
	FullTrips, BareTrips *RoundTrips

	bareRedis redis.UniversalClient
	// infoRedis reads the Redis server's CPU time, outside both round-trip counters.
	infoRedis *redis.Client
	bareSrv   *http.Server
	cancel    context.CancelFunc
	served    chan error
}

// Start starts trygg and the baseline on loopback ports against the Redis at redisURL,
// which must be on loopback too. conns is the connections each client keeps open. Close
// the Servers when done.
func Start(ctx context.Context, redisURL string, conns int) (*Servers, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	if !loopback(opts.Addr) {
		return nil, errors.New("redis URL: the load benchmark only runs against a Redis on loopback")
	}
	fullLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fullLn.Close()
		return nil, err
	}
	fullBase, bareBase := "http://"+fullLn.Addr().String(), "http://"+bareLn.Addr().String()

	env := map[string]string{
		"TRYGG_ADDR":             fullLn.Addr().String(),
		"TRYGG_PUBLIC_URL":       fullBase,
		"TRYGG_SECRET":           secret,
		"REDIS_URL":              redisURL,
		"TWILIO_ACCOUNT_SID":     AccountSID,
		"TWILIO_AUTH_TOKEN":      AuthToken,
		"TRYGG_SMS_SENDER_LIMIT": noLimit,
		"TRYGG_SMS_GLOBAL_LIMIT": noLimit,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		fullLn.Close()
		bareLn.Close()
		return nil, fmt.Errorf("config: %w", err)
	}
	// The store trygg would open for REDIS_URL, opened here to put the counter on it.
	st, err := redisstore.Open(redisstore.Config{URL: redisURL})
	if err != nil {
		fullLn.Close()
		bareLn.Close()
		return nil, err
	}
	s := &Servers{FullTrips: &RoundTrips{}, BareTrips: &RoundTrips{}, served: make(chan error, 2)}
	st.Client().AddHook(s.FullTrips)
	// Logs as in production: JSON at info, here into the void.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if s.App, err = app.New(ctx, cfg, log, app.Options{Store: st}); err != nil {
		st.Close()
		fullLn.Close()
		bareLn.Close()
		return nil, fmt.Errorf("trygg: %w", err)
	}
	s.bareRedis = redis.NewClient(opts)
	s.infoRedis = redis.NewClient(opts)
	s.bareRedis.AddHook(s.BareTrips)
	s.bareSrv = &http.Server{Handler: Bare(AuthToken, bareBase, s.bareRedis), ReadHeaderTimeout: 5 * time.Second}

	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	// Each server's goroutines carry a profiler label (goroutines inherit it from the one
	// that starts them), so a -cpuprofile tells the two apart from the load generator:
	// go tool pprof -tagfocus server=full ….
	go pprof.Do(sctx, pprof.Labels("server", "full"), func(ctx context.Context) {
		s.served <- s.App.Server.Serve(ctx, fullLn)
	})
	go pprof.Do(sctx, pprof.Labels("server", "bare"), func(context.Context) {
		err := s.bareSrv.Serve(bareLn)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.served <- err
	})
	s.Full = NewTarget("full", fullBase+sms.InboundPath, AuthToken, conns)
	s.Bare = NewTarget("bare", bareBase+sms.InboundPath, AuthToken, conns)
	return s, nil
}

// Close stops both servers and releases their Redis clients.
func (s *Servers) Close() error {
	s.Full.Close()
	s.Bare.Close()
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs := []error{s.bareSrv.Shutdown(ctx)}
	for range 2 {
		errs = append(errs, <-s.served)
	}
	errs = append(errs, s.App.Close(), s.bareRedis.Close(), s.infoRedis.Close())
	return errors.Join(errs...)
}

// loopback reports whether addr (host:port) is on loopback.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Options shape a run.
type Options struct {
	// Workers is the number of closed-loop senders per target.
	Workers int
	// Phase is the length of one closed-loop phase; Rounds is how many phases each target
	// gets, alternating bare and full (bare, full, full, bare, …).
	Phase  time.Duration
	Rounds int
	// Rate is the open-loop rate in requests per second, run for RatePhase per target and
	// round, alternating as well.
	Rate      float64
	RatePhase time.Duration
	// Warmup requests per target before measuring.
	Warmup int
	// Residents is the number of simulated residents.
	Residents int
	// Progress receives a line per phase; nil discards.
	Progress io.Writer
}

// Report is what a run measured.
type Report struct {
	// Max is the closed-loop result per target ("bare", "full").
	Max map[string]Phase
	// Paced is the open-loop result per target at Options.Rate.
	Paced map[string]Phase
	// Trips is Redis round trips per OK request, per target, over the closed-loop phases.
	Trips map[string]float64
	// Options are the options of the run.
	Options Options
}

// Ratio is full/bare of the closed-loop throughput.
func (r Report) Ratio() float64 {
	b := r.Max["bare"].Throughput()
	if b == 0 {
		return 0
	}
	return r.Max["full"].Throughput() / b
}

// Run measures both targets: warm-up, closed-loop phases, then open-loop phases, each
// alternating between the targets so both get the same share of a busy machine.
func (s *Servers) Run(ctx context.Context, o Options) (Report, error) {
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	tr := NewTraffic(o.Residents)
	targets := map[string]*Target{"bare": s.Bare, "full": s.Full}
	trips := map[string]*RoundTrips{"bare": s.BareTrips, "full": s.FullTrips}
	for _, t := range []*Target{s.Bare, s.Full} {
		p := ClosedLoop(ctx, t, tr, o.Workers, time.Minute, o.Warmup)
		if p.Failed > 0 || p.OK == 0 {
			return Report{}, fmt.Errorf("warm-up of %s: %d of %d requests failed", t.Name, p.Failed, p.OK+p.Failed)
		}
	}
	rep := Report{Max: map[string]Phase{}, Paced: map[string]Phase{}, Trips: map[string]float64{}, Options: o}
	tripsBefore := map[string]int64{}
	var tripsUsed = map[string]int64{}
	for round := range o.Rounds {
		for _, name := range order(round) {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			tripsBefore[name] = trips[name].Count()
			cpu0, rcpu0 := processCPU(), s.redisCPU(ctx)
			p := ClosedLoop(ctx, targets[name], tr, o.Workers, o.Phase, 0)
			p.CPU, p.RedisCPU = processCPU()-cpu0, s.redisCPU(ctx)-rcpu0
			tripsUsed[name] += trips[name].Count() - tripsBefore[name]
			fmt.Fprintf(progress, "max load  %-4s round %d: %6d ok %3d failed in %v: %7.0f req/s\n",
				name, round+1, p.OK, p.Failed, p.Elapsed.Round(time.Millisecond), p.Throughput())
			m := rep.Max[name]
			m.add(p)
			rep.Max[name] = m
		}
	}
	for name, used := range tripsUsed {
		if n := rep.Max[name].OK + rep.Max[name].Failed; n > 0 {
			rep.Trips[name] = float64(used) / float64(n)
		}
	}
	for round := range o.Rounds {
		for _, name := range order(round) {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			p := OpenLoop(ctx, targets[name], tr, o.Rate, o.RatePhase, 4*o.Workers+64)
			fmt.Fprintf(progress, "%.0f req/s %-4s round %d: %6d ok %3d failed: p50 %v p99 %v\n",
				o.Rate, name, round+1, p.OK, p.Failed, p.Percentile(0.5).Round(time.Microsecond), p.Percentile(0.99).Round(time.Microsecond))
			m := rep.Paced[name]
			m.add(p)
			rep.Paced[name] = m
		}
	}
	return rep, nil
}

// order is the order of the targets in a round: bare first in even rounds, full first in
// odd ones, so neither always runs on a warmer or cooler machine.
func order(round int) []string {
	if round%2 == 0 {
		return []string{"bare", "full"}
	}
	return []string{"full", "bare"}
}

// Write prints the report.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "\nmax load, closed loop, %d workers, %d × %v per target:\n", r.Options.Workers, r.Options.Rounds, r.Options.Phase)
	for _, name := range []string{"bare", "full"} {
		p := r.Max[name]
		fmt.Fprintf(w, "  %-4s %8.0f req/s  (%d ok, %d failed; p50 %v, p99 %v)\n", name, p.Throughput(), p.OK, p.Failed,
			p.Percentile(0.5).Round(time.Microsecond), p.Percentile(0.99).Round(time.Microsecond))
	}
	verdict := "goal ≥ 0.70 met"
	if r.Ratio() < 0.7 {
		verdict = "goal ≥ 0.70 NOT met"
	}
	fmt.Fprintf(w, "  ratio full/bare %.2f (%s)\n", r.Ratio(), verdict)
	if b, f := r.Max["bare"].CPUPerRequest(), r.Max["full"].CPUPerRequest(); b > 0 && f > 0 {
		fmt.Fprintf(w, "  processor time per request (this process: load generator and server; plus Redis):\n")
		for _, name := range []string{"bare", "full"} {
			p := r.Max[name]
			fmt.Fprintf(w, "    %-4s %v (process %v, Redis %v)\n", name, p.CPUPerRequest().Round(time.Microsecond),
				p.perRequest(p.CPU).Round(time.Microsecond), p.perRequest(p.RedisCPU).Round(time.Microsecond))
		}
		pb, pf := r.Max["bare"].perRequest(r.Max["bare"].CPU), r.Max["full"].perRequest(r.Max["full"].CPU)
		fmt.Fprintf(w, "    bare/full %.2f counting Redis too, %.2f counting this process only\n",
			float64(b)/float64(f), float64(pb)/float64(pf))
	}
	fmt.Fprintf(w, "open loop at %.0f req/s, %d × %v per target (latency from the moment each request was due):\n",
		r.Options.Rate, r.Options.Rounds, r.Options.RatePhase)
	for _, name := range []string{"bare", "full"} {
		p := r.Paced[name]
		p99 := p.Percentile(0.99)
		verdict := "goal p99 < 20ms met"
		if p99 >= 20*time.Millisecond {
			verdict = "goal p99 < 20ms NOT met"
		}
		if name == "bare" {
			verdict = ""
		}
		fmt.Fprintf(w, "  %-4s p50 %v  p99 %v  (%d ok, %d failed) %s\n", name,
			p.Percentile(0.5).Round(time.Microsecond), p99.Round(time.Microsecond), p.OK, p.Failed, verdict)
	}
	fmt.Fprintf(w, "Redis round trips per request: bare %.2f, full %.2f (trygg's turn)\n", r.Trips["bare"], r.Trips["full"])
}
