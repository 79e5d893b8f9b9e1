// Package redistest gives tests the Redis servers they run against: miniredis with a clock
// that moves, a real server named by TRYGG_TEST_REDIS_URL, a real Cluster named by
// TRYGG_TEST_REDIS_CLUSTER, and a redis-server process of the test's own that it can stop
// and start again.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// The environment variables that name real servers for the tests.
const (
	// EnvURL names a standalone redis-server, e.g. redis://127.0.0.1:6390/0.
	EnvURL = "TRYGG_TEST_REDIS_URL"
	// EnvCluster names the nodes of a Redis Cluster, comma-separated host:port.
	EnvCluster = "TRYGG_TEST_REDIS_CLUSTER"
)

// Mini is a miniredis server whose time moves only when told, for TTLs and for the Lua
// scripts that read the server's TIME. It implements storetest.Clock.
type Mini struct {
	*miniredis.Miniredis
	mu  sync.Mutex
	now time.Time
}

// StartMini starts a miniredis for the test, closed when the test ends.
func StartMini(t testing.TB) *Mini {
	t.Helper()
	m := &Mini{Miniredis: miniredis.RunT(t), now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	m.SetTime(m.now)
	return m
}

// Advance moves the server's time forward by d: TTLs shrink (FastForward) and TIME moves.
func (m *Mini) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
	m.SetTime(m.now)
	m.FastForward(d)
}

// URL returns the redis:// URL of the server.
func (m *Mini) URL() string { return "redis://" + m.Addr() }

// URL returns TRYGG_TEST_REDIS_URL, or skips the test when it is unset (fails it on CI,
// where .ci/run sets it).
func URL(t testing.TB) string {
	t.Helper()
	return need(t, EnvURL, "no real redis-server to test against")
}

// ClusterAddrs returns the nodes in TRYGG_TEST_REDIS_CLUSTER, or skips the test when it
// is unset (fails it on CI, where .ci/run sets it).
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	v := need(t, EnvCluster, "no Redis Cluster to test against")
	var addrs []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// need returns the environment variable name, or skips the test when it is unset; on CI
// (CI=true) it fails the test instead, so a broken CI set-up cannot pass by skipping.
func need(t testing.TB, name, why string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set on CI: %s", name, why)
		}
		t.Skipf("%s is not set: %s", name, why)
	}
	return v
}

// Server is a redis-server process run by a test on a free loopback port, without
// persistence. Stop and Start let a test take Redis away and bring it back on the same
// address.
type Server struct {
	t    testing.TB
	bin  string
	port int
	dir  string
	// master is, for a Sentinel, the address of the master it watches.
	master string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// StartServer starts a redis-server for the test and stops it when the test ends. Without
// redis-server on PATH the test is skipped, unless CI=true: there it fails, since CI
// installs redis-server.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, bin: redisServer(t), port: freePort(t), dir: t.TempDir()}
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// SentinelMaster is the name under which a test's Sentinel knows its master.
const SentinelMaster = "trygg-test"

// StartSentinel starts a Sentinel (redis-server --sentinel) watching master as
// SentinelMaster, stopped when the test ends. Like StartServer it skips without
// redis-server, except on CI.
func StartSentinel(t testing.TB, master *Server) *Server {
	t.Helper()
	s := &Server{t: t, bin: redisServer(t), port: freePort(t), dir: t.TempDir(), master: master.Addr()}
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// redisServer returns the path of redis-server, or skips the test (fails it on CI).
func redisServer(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is not on PATH, and CI must run this test: %v", err)
		}
		t.Skipf("redis-server is not on PATH: %v", err)
	}
	return bin
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Start starts the server (again) on its port and waits until it answers PING.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.t.Fatalf("redis-server on %s is running already", s.Addr())
	}
	var cmd *exec.Cmd
	if s.master == "" {
		cmd = exec.Command(s.bin,
			"--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
			"--save", "", "--appendonly", "no", "--dir", s.dir,
			"--daemonize", "no", "--loglevel", "warning")
	} else {
		// A Sentinel rewrites its configuration file, so it gets one of its own.
		host, port, _ := net.SplitHostPort(s.master)
		conf := filepath.Join(s.dir, "sentinel.conf")
		text := fmt.Sprintf("bind 127.0.0.1\nport %d\ndir %s\nloglevel warning\nsentinel monitor %s %s %s 1\n",
			s.port, s.dir, SentinelMaster, host, port)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			s.t.Fatalf("write sentinel.conf: %v", err)
		}
		cmd = exec.Command(s.bin, conf, "--sentinel")
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.cmd = cmd
	if err := waitForPing(s.Addr(), 10*time.Second); err != nil {
		s.t.Fatalf("redis-server on %s: %v", s.Addr(), err)
	}
}

// Stop kills the server, as a crash would, and waits until it is gone.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// waitForPing polls addr with PING until it answers PONG or timeout passes.
func waitForPing(addr string, timeout time.Duration) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err = rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.Join(fmt.Errorf("no PONG within %v", timeout), err)
}
