package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/web"
)

// TestProxiesClient: the client address behind trusted proxies, header by header.
func TestProxiesClient(t *testing.T) {
	trusted, err := config.ParseProxies("10.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	proxies := web.Proxies(trusted)
	for _, tt := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"198.51.100.7:1", []string{"203.0.113.1"}, "198.51.100.7"},               // not a proxy: header ignored
		{"10.0.0.1:1", nil, "10.0.0.1"},                                           // a proxy without a header
		{"10.0.0.1:1", []string{"203.0.113.1"}, "203.0.113.1"},                    // one hop
		{"10.0.0.1:1", []string{"6.6.6.6, 203.0.113.1, 10.9.9.9"}, "203.0.113.1"}, // rightmost untrusted
		{"10.0.0.1:1", []string{"6.6.6.6", "203.0.113.1"}, "203.0.113.1"},         // several header lines
		{"10.0.0.1:1", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},                // all trusted: the leftmost
		{"10.0.0.1:1", []string{"6.6.6.6, garbage"}, "10.0.0.1"},                  // unreadable hop: stop there
		{"[::1]:1", []string{"[2001:db8::7]:443"}, "2001:db8::7"},                 // IPv6 with a port
		{"[::ffff:10.0.0.1]:1", []string{"203.0.113.1"}, "203.0.113.1"},           // IPv4 in IPv6 form
		{"10.0.0.1:1", []string{"::ffff:203.0.113.1"}, "203.0.113.1"},             // the same in the header
		{"[2001:db8::1%eth0]:1", []string{"203.0.113.1"}, "2001:db8::1"},          // a zone is no address of its own
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		got, ok := proxies.Client(req)
		if !ok || got.String() != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %v %v, want %s", tt.peer, tt.xff, got, ok, tt.want)
		}
	}
}
