package sms_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"github.com/twilio/twilio-go/client"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/testkit"
)

// bareTwiML is the fixed answer of the bare handler: about as long as a real reply.
const bareTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Bra att du hör av dig. ` +
	`Brottsofferjouren har ett nummer för unga under 20: 010-567 63 25. Det är gratis, och du ` +
	`bestämmer själv vad du vill berätta. Är du i fara nu? Ring 112.</Message></Response>`

// bare is the floor the full webhook is measured against: plain net/http that parses the
// same form, checks the signature with valid and writes fixed TwiML. No store, no turn.
func bare(valid func(r *http.Request) bool) http.Handler {
	answer := []byte(bareTwiML)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, sms.MaxBody)
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if !valid(r) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(answer)
	})
}

// bareHandler checks the HMAC-SHA1 signature over the public URL and the sorted fields by
// hand, with no library.
func bareHandler(token string) http.Handler {
	key := []byte(token)
	return bare(func(r *http.Request) bool {
		keys := make([]string, 0, len(r.PostForm))
		for k := range r.PostForm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		mac := hmac.New(sha1.New, key)
		io.WriteString(mac, publicURL+r.URL.RequestURI())
		for _, k := range keys {
			io.WriteString(mac, k)
			io.WriteString(mac, r.PostForm.Get(k))
		}
		sig, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Twilio-Signature"))
		return err == nil && hmac.Equal(sig, mac.Sum(nil))
	})
}

// bareTwilioHandler checks the signature the way the channel must, with twilio-go's
// RequestValidator (the design card forbids hand-writing it): the floor for any handler
// built on the card's libraries.
func bareTwilioHandler(token string) http.Handler {
	v := client.NewRequestValidator(token)
	return bare(func(r *http.Request) bool {
		params := make(map[string]string, len(r.PostForm))
		for k := range r.PostForm {
			params[k] = r.PostForm.Get(k)
		}
		return v.Validate(publicURL+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature"))
	})
}

// benchRequests returns n signed webhook bodies, each with its own MessageSid, from one
// resident telling the same thing: every one is a full turn, none a repeat.
func benchRequests(n int) (bodies, sigs []string) {
	bodies, sigs = make([]string, n), make([]string, n)
	for i := range n {
		p := message(sidN(i+1), "Jag är 16 och blev rånad")
		bodies[i], sigs[i] = encode(p), testkit.TwilioSignature(testToken, inboundURL, p)
	}
	return bodies, sigs
}

// fullEnv is the channel as trygg serves it: the in-memory store as the app passes it on
// (batched calls, called inline since it honours its context), and a JSON log at the
// default level, info; the limits are out of reach so every message is a full turn (they
// are still counted).
func fullEnv(b *testing.B) *env {
	e := newEnv(b)
	_, e.http = e.build(func(c *sms.Config, cc *convConfig) {
		c.Store, cc.Store = e.mem, e.mem
		c.SenderLimit = config.Limit{N: 1 << 40, Per: time.Hour}
		c.GlobalLimit = config.Limit{N: 1 << 40, Per: time.Hour}
		c.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
		cc.Log = c.Log
	})
	return e
}

// BenchmarkWebhook is one signed webhook turn over a real HTTP connection (keep-alive, as
// Twilio's calls arrive), the full channel side by side with the bare handler. Report the
// ratio bare/full of ns/op; the goal is at least 0.7.
func BenchmarkWebhook(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchHTTP(b, bareHandler(testToken)) })
	b.Run("full", func(b *testing.B) { benchHTTP(b, fullEnv(b).http) })
}

// BenchmarkWebhookInProcess is the same pair without the network: ServeHTTP on a recorder,
// which shows the channel's own cost most harshly.
func BenchmarkWebhookInProcess(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchInProcess(b, bareHandler(testToken)) })
	b.Run("full", func(b *testing.B) { benchInProcess(b, fullEnv(b).http) })
}

// BenchmarkWebhookPair sends one request to a bare handler and one to the full channel in
// turn, each over its own keep-alive HTTP connection, and reports the time of each and the
// ratio bare/full. Taking turns request by request gives both the same share of a busy
// machine, so the ratio holds still where ns/op of separate runs wander.
func BenchmarkWebhookPair(b *testing.B) {
	b.Run("hmac", func(b *testing.B) { benchPair(b, bareHandler(testToken)) })
	b.Run("twilio-go", func(b *testing.B) { benchPair(b, bareTwilioHandler(testToken)) })
}

// benchPair runs the pair against one bare handler: "hmac" checks the signature with a
// hand-written HMAC, "twilio-go" with the library the channel must use.
func benchPair(b *testing.B, bareH http.Handler) {
	bare := httptest.NewServer(bareH)
	defer bare.Close()
	full := httptest.NewServer(fullEnv(b).http)
	defer full.Close()
	bodies, sigs := benchRequests(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	var bareNs, fullNs time.Duration
	for i := range b.N {
		start := time.Now()
		sendBench(b, bare, bodies[i], sigs[i])
		mid := time.Now()
		sendBench(b, full, bodies[i], sigs[i])
		bareNs += mid.Sub(start)
		fullNs += time.Since(mid)
	}
	b.ReportMetric(float64(bareNs.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(fullNs.Nanoseconds())/float64(b.N), "full-ns/op")
	b.ReportMetric(float64(bareNs)/float64(fullNs), "bare/full")
}

// sendBench posts one signed webhook to srv and checks the answer.
func sendBench(b *testing.B, srv *httptest.Server, body, sig string) {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+sms.InboundPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	res, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("status %d", res.StatusCode)
	}
}

func benchHTTP(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := srv.Client()
	u := srv.URL + sms.InboundPath
	bodies, sigs := benchRequests(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sigs[i])
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

func benchInProcess(b *testing.B, h http.Handler) {
	bodies, sigs := benchRequests(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, inboundURL, strings.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sigs[i])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// TestBareHandlersCheckSignatures: both baselines do the work they stand for: a signed
// webhook gets TwiML, a forged one 403.
func TestBareHandlersCheckSignatures(t *testing.T) {
	bodies, sigs := benchRequests(1)
	for name, h := range map[string]http.Handler{"hmac": bareHandler(testToken), "twilio-go": bareTwilioHandler(testToken)} {
		for _, tc := range []struct {
			sig  string
			want int
		}{{sigs[0], http.StatusOK}, {"AAAAAAAAAAAAAAAAAAAAAAAAAAA=", http.StatusForbidden}} {
			req := httptest.NewRequest(http.MethodPost, sms.InboundPath, strings.NewReader(bodies[0]))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", tc.sig)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("%s with signature %q: %d, want %d", name, tc.sig, rec.Code, tc.want)
			}
		}
	}
}
