package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twilio/twilio-go/client"

	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// rewrite sends every request to target instead of api.twilio.com, keeping path and query:
// twilio-go's base URL is fixed, its HTTP client is not.
type rewrite struct{ target *url.URL }

func (rw rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.target.Scheme, rw.target.Host, rw.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// fakeTwilio is an httptest fake of Twilio's Messages API answering with a script of
// responses, one per request; the last one repeats.
type fakeTwilio struct {
	t      *testing.T
	srv    *httptest.Server
	script []func(w http.ResponseWriter, r *http.Request)

	mu    sync.Mutex
	forms []url.Values
}

func newFakeTwilio(t *testing.T, script ...func(w http.ResponseWriter, r *http.Request)) *fakeTwilio {
	f := &fakeTwilio{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		http.Error(w, `{"code":20404,"message":"not found","status":404}`, http.StatusNotFound)
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != testSID || pass != testToken {
		http.Error(w, `{"code":20003,"message":"Authenticate","status":401}`, http.StatusUnauthorized)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	n := len(f.forms)
	f.mu.Unlock()
	f.script[min(n, len(f.script))-1](w, r)
}

func (f *fakeTwilio) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

// twilioJSON answers with status and a JSON body like Twilio's.
func twilioJSON(status int, body string, headers ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

var (
	created  = twilioJSON(http.StatusCreated, `{"sid":"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","status":"queued","num_segments":"1","account_sid":"`+testSID+`"}`)
	busy     = twilioJSON(http.StatusTooManyRequests, `{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}`, "Retry-After", "3")
	optedOut = twilioJSON(http.StatusBadRequest, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}`)
	badTo    = twilioJSON(http.StatusBadRequest, `{"code":21211,"message":"The 'To' number `+resident+` is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`)
	broken   = twilioJSON(http.StatusInternalServerError, `{"code":20500,"message":"Internal Server Error","status":500}`)
	gateway  = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>502 Bad Gateway</html>")
	}
)

// newSender returns a sender talking to fake, with waits recorded instead of slept.
func newSender(t *testing.T, fake *fakeTwilio, change func(*sms.SenderConfig)) (*sms.Sender, *metrics.Metrics, *sleeps, *syncBuffer) {
	t.Helper()
	target, _ := url.Parse(fake.srv.URL)
	m, sl, logs := metrics.New(), &sleeps{}, &syncBuffer{}
	cfg := sms.SenderConfig{
		AccountSID:     testSID,
		AuthToken:      testToken,
		From:           trygNumber,
		StatusCallback: statusURL,
		Transport:      rewrite{target},
		Sleep:          sl.sleep,
		Metrics:        m,
		Log:            slogTo(logs),
	}
	if change != nil {
		change(&cfg)
	}
	s, err := sms.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, m, sl, logs
}

// TestSender sends through twilio-go's CreateMessage against a fake of Twilio's API: it
// retries only on 429 and 5xx, waiting longer each time, treats 21610 as opted out, and
// gives up on a timeout without retrying (the message may exist).
func TestSender(t *testing.T) {
	tests := []struct {
		name     string
		script   []func(http.ResponseWriter, *http.Request)
		timeout  time.Duration
		requests int
		waits    []time.Duration
		wantErr  func(error) bool
		result   string
	}{
		{name: "success", script: h(created), requests: 1, result: metrics.SendSent},
		{name: "429 then success", script: h(busy, created), requests: 2, waits: []time.Duration{3 * time.Second}, result: metrics.SendSent},
		{name: "502 without JSON then success", script: h(gateway, created), requests: 2, waits: []time.Duration{time.Second}, result: metrics.SendSent},
		{
			name: "5xx until attempts run out", script: h(broken), requests: 4,
			waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			wantErr: func(err error) bool {
				var se *sms.SendError
				return errors.As(err, &se) && se.Status == 500 && se.Attempts == 4
			},
			result: metrics.SendFailed,
		},
		{
			name: "400 with code 21610: opted out, not retried", script: h(optedOut), requests: 1,
			wantErr: func(err error) bool {
				var rest *client.TwilioRestError
				return errors.Is(err, sms.ErrOptedOut) && !errors.As(err, &rest)
			},
			result: metrics.SendOptedOut,
		},
		{
			name: "400 other code: not retried, no number in the error", script: h(badTo), requests: 1,
			wantErr: func(err error) bool {
				var se *sms.SendError
				return errors.As(err, &se) && se.Code == 21211 && !strings.Contains(err.Error(), resident)
			},
			result: metrics.SendFailed,
		},
		{
			name: "timeout: not retried", timeout: 50 * time.Millisecond, requests: 1,
			script: h(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }),
			wantErr: func(err error) bool {
				var se *sms.SendError
				return errors.As(err, &se) && se.Status == 0 && strings.Contains(err.Error(), "timed out")
			},
			result: metrics.SendFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeTwilio(t, tt.script...)
			s, m, sl, logs := newSender(t, fake, func(c *sms.SenderConfig) { c.Timeout = tt.timeout })
			sid, err := s.Send(context.Background(), resident, "Hej, det här är trygg. Ring 112 vid fara.")
			if tt.wantErr == nil {
				if err != nil || sid != "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
					t.Fatalf("Send = %q, %v", sid, err)
				}
			} else if err == nil || !tt.wantErr(err) {
				t.Fatalf("Send error %v (%T) is not the expected one", err, err)
			}
			reqs := fake.requests()
			if len(reqs) != tt.requests {
				t.Errorf("%d requests, want %d", len(reqs), tt.requests)
			}
			for _, form := range reqs {
				if form.Get("To") != resident || form.Get("From") != trygNumber || form.Get("StatusCallback") != statusURL ||
					!strings.HasPrefix(form.Get("Body"), "Hej, det här") {
					t.Errorf("request form %v", form)
				}
			}
			if got := sl.waits(); fmt.Sprint(got) != fmt.Sprint(tt.waits) {
				t.Errorf("waits %v, want %v", got, tt.waits)
			}
			if got := testutil.ToFloat64(m.SMSSends.WithLabelValues(tt.result)); got != 1 {
				t.Errorf("sends{%s} = %v, want 1", tt.result, got)
			}
			if got := testutil.ToFloat64(m.SMSSendRetries); got != float64(len(tt.waits)) {
				t.Errorf("retries %v, want %d", got, len(tt.waits))
			}
			if strings.Contains(logs.String(), resident) || strings.Contains(logs.String(), "Hej, det") {
				t.Errorf("logs hold the number or the text:\n%s", logs)
			}
		})
	}
}

// TestSenderMessagingServiceAndPace sends from a messaging service without a status
// callback, paced at two messages a second on an injected clock.
func TestSenderMessagingServiceAndPace(t *testing.T) {
	fake := newFakeTwilio(t, created)
	clk := newClock()
	s, m, sl, _ := newSender(t, fake, func(c *sms.SenderConfig) {
		c.From, c.MessagingServiceSID, c.StatusCallback = "", "MG0123456789abcdef0123456789abcdef", ""
		c.PerSecond, c.Now = 2, clk.Now
	})
	for i := 0; i < 3; i++ {
		if _, err := s.Send(context.Background(), resident, "Hej 😢"); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(sl.waits()); got != "[500ms 1s]" {
		t.Errorf("pacing waits %s, want [500ms 1s]", got)
	}
	for _, form := range fake.requests() {
		if form.Get("MessagingServiceSid") != "MG0123456789abcdef0123456789abcdef" || form.Has("From") || form.Has("StatusCallback") {
			t.Errorf("request form %v", form)
		}
	}
	if got := testutil.ToFloat64(m.SMSSegments.WithLabelValues(metrics.ViaREST, "UCS-2")); got != 3 {
		t.Errorf("UCS-2 segments %v, want 3", got)
	}
}

// TestSenderContext checks that an ended context stops a send between attempts.
func TestSenderContext(t *testing.T) {
	fake := newFakeTwilio(t, busy)
	ctx, cancel := context.WithCancel(context.Background())
	s, _, sl, _ := newSender(t, fake, nil)
	sl.hook = cancel // the context ends during the first wait
	_, err := s.Send(ctx, resident, "Hej")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send error %v, want context.Canceled", err)
	}
	if n := len(fake.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// h is a script of responses.
func h(fs ...func(http.ResponseWriter, *http.Request)) []func(http.ResponseWriter, *http.Request) {
	return fs
}
