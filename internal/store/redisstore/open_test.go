package redisstore_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store/redisstore"
)

// TestOpen checks that each configuration form builds the right kind of client, with
// trygg's short timeouts unless the URL sets its own, and TLS for rediss://.
func TestOpen(t *testing.T) {
	tests := []struct {
		name      string
		cfg       redisstore.Config
		wantAddr  string // the client's Addr; "FailoverClient" for Sentinel
		cluster   bool
		tls       bool
		wantDial  time.Duration
		wantRead  time.Duration
		wantDB    int
		wantUser  string
		wantRetry int
	}{
		{name: "redis URL", cfg: redisstore.Config{URL: "redis://127.0.0.1:6379/0"},
			wantAddr: "127.0.0.1:6379", wantDial: redisstore.DialTimeout, wantRead: redisstore.ReadTimeout, wantRetry: redisstore.MaxRetries},
		{name: "rediss URL is TLS", cfg: redisstore.Config{URL: "rediss://user:secret@redis.example.se:6380/2"},
			wantAddr: "redis.example.se:6380", tls: true, wantDial: redisstore.DialTimeout, wantRead: redisstore.ReadTimeout, wantDB: 2, wantUser: "user", wantRetry: redisstore.MaxRetries},
		{name: "URL sets its own timeouts", cfg: redisstore.Config{URL: "redis://127.0.0.1:6379?dial_timeout=3s&read_timeout=2s&max_retries=2"},
			wantAddr: "127.0.0.1:6379", wantDial: 3 * time.Second, wantRead: 2 * time.Second, wantRetry: 2},
		{name: "one address is one server", cfg: redisstore.Config{Addrs: []string{"127.0.0.1:6379"}},
			wantAddr: "127.0.0.1:6379", wantDial: redisstore.DialTimeout, wantRead: redisstore.ReadTimeout, wantRetry: redisstore.MaxRetries},
		{name: "sentinel", cfg: redisstore.Config{Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "mymaster"},
			wantAddr: "FailoverClient", wantDial: redisstore.DialTimeout, wantRead: redisstore.ReadTimeout, wantRetry: redisstore.MaxRetries},
		{name: "cluster", cfg: redisstore.Config{Addrs: []string{"n1:7001", "n2:7002", "n3:7003"}},
			cluster: true, wantDial: redisstore.DialTimeout, wantRead: redisstore.ReadTimeout, wantRetry: redisstore.MaxRetries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redisstore.Open(tt.cfg)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if tt.cluster {
				c, ok := s.Client().(*redis.ClusterClient)
				if !ok {
					t.Fatalf("client is a %T, want *redis.ClusterClient", s.Client())
				}
				o := c.Options()
				if o.DialTimeout != tt.wantDial || o.ReadTimeout != tt.wantRead || o.WriteTimeout != redisstore.WriteTimeout ||
					o.PoolTimeout != redisstore.PoolTimeout || o.MaxRetries > 0 || o.DialerRetries != redisstore.DialAttempts || !o.ContextTimeoutEnabled {
					t.Errorf("cluster options: dial %v read %v write %v pool %v retries %d ctx %v",
						o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout, o.MaxRetries, o.ContextTimeoutEnabled)
				}
				return
			}
			c, ok := s.Client().(*redis.Client)
			if !ok {
				t.Fatalf("client is a %T, want *redis.Client", s.Client())
			}
			o := c.Options()
			if o.Addr != tt.wantAddr {
				t.Errorf("Addr = %q, want %q", o.Addr, tt.wantAddr)
			}
			if (o.TLSConfig != nil) != tt.tls {
				t.Errorf("TLS = %v, want %v", o.TLSConfig != nil, tt.tls)
			}
			if o.DialTimeout != tt.wantDial || o.ReadTimeout != tt.wantRead || o.MaxRetries != tt.wantRetry {
				t.Errorf("dial %v read %v retries %d, want %v %v %d", o.DialTimeout, o.ReadTimeout, o.MaxRetries, tt.wantDial, tt.wantRead, tt.wantRetry)
			}
			if !o.ContextTimeoutEnabled {
				t.Error("ContextTimeoutEnabled = false: a turn's deadline would not bound a command")
			}
			if o.DialerRetries != redisstore.DialAttempts {
				t.Errorf("DialerRetries = %d, want %d", o.DialerRetries, redisstore.DialAttempts)
			}
			if o.DB != tt.wantDB || o.Username != tt.wantUser {
				t.Errorf("DB %d user %q, want %d %q", o.DB, o.Username, tt.wantDB, tt.wantUser)
			}
		})
	}
}

// TestOpenRejects checks configurations Open refuses, and that no message repeats a
// password from the URL.
func TestOpenRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  redisstore.Config
	}{
		{"nothing", redisstore.Config{}},
		{"URL and addresses", redisstore.Config{URL: "redis://:hunter2hunter2@h:6379", Addrs: []string{"h:6379"}}},
		{"unknown URL option", redisstore.Config{URL: "redis://:hunter2hunter2@h:6379?bogus=1"}},
		{"broken URL", redisstore.Config{URL: "redis://:hunter2hunter2@h:port"}},
		{"other scheme", redisstore.Config{URL: "http://:hunter2hunter2@h:6379"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redisstore.Open(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("Open: no error")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}
}

// TestSlogLogger checks that go-redis' messages come out as structured warnings.
func TestSlogLogger(t *testing.T) {
	var buf strings.Builder
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	redisstore.SlogLogger(l).Printf(t.Context(), "failed to dial after %d attempts: %v", 1, "connection refused")
	if got := buf.String(); !strings.Contains(got, `"level":"WARN"`) || !strings.Contains(got, `"msg":"redis client: failed to dial after 1 attempts: connection refused"`) {
		t.Fatalf("log line %q", got)
	}
}
