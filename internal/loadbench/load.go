package loadbench

import (
	"context"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Phase is the outcome of one load phase against one target.
type Phase struct {
	// OK and Failed count answers that were and were not TwiML with 200.
	OK, Failed int
	// Elapsed is the phase's wall time.
	Elapsed time.Duration
	// Latencies are those of the OK answers.
	Latencies []time.Duration
	// CPU is the processor time this process used during the phase (the load generator,
	// the target and the idle other server), and RedisCPU that of the Redis server's main
	// thread; zero when not measured.
	CPU, RedisCPU time.Duration
}

// add merges q into p.
func (p *Phase) add(q Phase) {
	p.OK += q.OK
	p.Failed += q.Failed
	p.Elapsed += q.Elapsed
	p.Latencies = append(p.Latencies, q.Latencies...)
	p.CPU += q.CPU
	p.RedisCPU += q.RedisCPU
}

// CPUPerRequest is the processor time, this process's and Redis', per answer; 0 if none.
func (p Phase) CPUPerRequest() time.Duration { return p.perRequest(p.CPU + p.RedisCPU) }

// perRequest divides d by the answers of the phase; 0 if none.
func (p Phase) perRequest(d time.Duration) time.Duration {
	n := p.OK + p.Failed
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

// Throughput is OK answers per second.
func (p Phase) Throughput() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.OK) / p.Elapsed.Seconds()
}

// Percentile returns the q-th quantile (0..1) of the latencies, nearest rank; 0 if none.
func (p Phase) Percentile(q float64) time.Duration {
	if len(p.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(p.Latencies)
	slices.Sort(l)
	i := int(q*float64(len(l))+0.5) - 1
	return l[min(max(i, 0), len(l)-1)]
}

// ClosedLoop runs workers that each send one request, wait for its answer and send the
// next, until d has passed, ctx ends or limit requests were sent (0: no limit).
func ClosedLoop(ctx context.Context, t *Target, tr *Traffic, workers int, d time.Duration, limit int) Phase {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var sent atomic.Int64
	results := make([]Phase, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			r := &results[w]
			for ctx.Err() == nil && (limit <= 0 || sent.Add(1) <= int64(limit)) {
				t0 := time.Now()
				status, body, err := t.Send(tr.Next())
				if err == nil && ok(status, body) {
					r.OK++
					r.Latencies = append(r.Latencies, time.Since(t0))
				} else {
					r.Failed++
				}
			}
		})
	}
	wg.Wait()
	var p Phase
	for _, r := range results {
		p.add(r)
	}
	p.Elapsed = time.Since(start)
	return p
}

// OpenLoop sends requests at a fixed rate per second for d, whatever the answers take, with
// at most maxInFlight outstanding. Each latency is counted from the moment the request was
// due, so a server that falls behind shows it in the latencies.
func OpenLoop(ctx context.Context, t *Target, tr *Traffic, rate float64, d time.Duration, maxInFlight int) Phase {
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d / interval)
	sem := make(chan struct{}, maxInFlight)
	lat := make([]time.Duration, n)
	good := make([]bool, n)
	var wg sync.WaitGroup
	start := time.Now()
	sent := 0
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		sent++
		wg.Go(func() {
			defer func() { <-sem }()
			status, body, err := t.Send(tr.Next())
			lat[i] = time.Since(due)
			good[i] = err == nil && ok(status, body)
		})
	}
	wg.Wait()
	p := Phase{Elapsed: time.Since(start)}
	for i := range sent {
		if good[i] {
			p.OK++
			p.Latencies = append(p.Latencies, lat[i])
		} else {
			p.Failed++
		}
	}
	return p
}

// RoundTrips is a go-redis hook that counts round trips to Redis: one per command, one
// per pipeline, leaving out what a new connection sends to set itself up (HELLO, AUTH,
// CLIENT SETINFO, SELECT), which is not part of any request.
type RoundTrips struct{ n atomic.Int64 }

// setup reports whether cmd is one a new connection sends before it is used.
func setup(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "client", "select":
		return true
	}
	return false
}

// Count returns the round trips so far.
func (c *RoundTrips) Count() int64 { return c.n.Load() }

// DialHook passes dials through.
func (c *RoundTrips) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return next(ctx, network, addr)
	}
}

// ProcessHook counts one round trip per command.
func (c *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !setup(cmd) {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook counts one round trip per pipeline.
func (c *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && !setup(cmds[0]) {
			c.n.Add(1)
		}
		return next(ctx, cmds)
	}
}
