package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the proxies (addresses and networks) whose X-Forwarded-For and
// X-Forwarded-Proto trygg believes: TRYGG_TRUSTED_PROXIES, read by config.ParseProxies.
// Empty: none, and the client is always the socket's peer.
type Proxies []netip.Prefix

// contains reports whether a is one of the proxies.
func (p Proxies) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Trusted reports whether r came straight from one of the proxies.
func (p Proxies) Trusted(r *http.Request) bool {
	peer, ok := parseHop(r.RemoteAddr)
	return ok && p.contains(peer)
}

// Client returns the address of the client that sent r: the socket's peer, or, when the
// peer is a trusted proxy, the rightmost address in X-Forwarded-For that is not a trusted
// proxy (what a client writes there itself stands left of what the proxies add, so it is
// never believed). When every hop is a trusted proxy, the leftmost is the client. false
// when no address can be read at all.
func (p Proxies) Client(r *http.Request) (netip.Addr, bool) {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	if !p.contains(peer) {
		return peer, true
	}
	hops := forwarded(r.Header.Values("X-Forwarded-For"))
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			// Not an address: what is left of it cannot be believed either.
			return client, true
		}
		client = a
		if !p.contains(a) {
			return a, true
		}
	}
	return client, true
}

// forwarded splits X-Forwarded-For header values into hops, left to right.
func forwarded(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops
}

// lastHop is the rightmost item of a comma-separated header (X-Forwarded-Proto): the one
// the nearest proxy added.
func lastHop(values []string) string {
	hops := forwarded(values)
	if len(hops) == 0 {
		return ""
	}
	return hops[len(hops)-1]
}

// parseHop reads an address as RemoteAddr or a forwarding header writes it: "1.2.3.4",
// "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]:5678".
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.WithZone("").Unmap(), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.WithZone("").Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// clientGroup is the block of addresses one client is counted by: the address itself for
// IPv4, its /64 for IPv6 (one household or phone gets a whole /64, so counting single
// IPv6 addresses would let one client be many).
func clientGroup(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// clientChannel is the channel name behind the pseudonyms of web clients: their limits and
// lägesbild caps live under Hasher.Of(clientChannel, group), never under the address.
const clientChannel = "web-client"

// client returns the store scope of r's client: the pseudonym of its address group.
func (c *Chat) client(r *http.Request) string {
	if r.Header.Get("X-Forwarded-For") != "" && !c.cfg.Proxies.Trusted(r) {
		c.untrustedProxy.Do(func() {
			c.cfg.Log.Warn("web chat: requests carry X-Forwarded-For from a peer not in TRYGG_TRUSTED_PROXIES; " +
				"if trygg runs behind a proxy, name it there, or every resident counts as the proxy's one client")
		})
	}
	a, ok := c.cfg.Proxies.Client(r)
	group := "unknown"
	if ok {
		group = clientGroup(a)
	}
	return c.cfg.Hasher.Of(clientChannel, group)
}
