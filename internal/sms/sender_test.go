package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twilio/twilio-go/client"

	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/testkit"
)

// newFakeTwilio is the test kit's fake of Twilio's Messages API answering with a script,
// one answer per request, the last repeated; a nil answer lets the fake create the message.
func newFakeTwilio(t *testing.T, script ...http.Handler) *testkit.TwilioAPI {
	f := testkit.NewTwilioAPI(t, testSID, testToken)
	for i := 0; i < 8; i++ { // more than the sender's attempts
		if a := script[min(i, len(script)-1)]; a != nil {
			f.AnswerNext(a)
		} else {
			break
		}
	}
	return f
}

// The answers of the scripts: Twilio's, and a proxy's HTML.
var (
	created  http.Handler // the fake makes the message
	busy     = testkit.ErrTooManyRequests
	optedOut = testkit.ErrUnsubscribed
	badTo    = testkit.TwilioError{Status: http.StatusBadRequest, Code: 21211, Message: "The 'To' number " + resident + " is not a valid phone number."}
	broken   = testkit.ErrInternal
	gateway  = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>502 Bad Gateway</html>")
	})
)

// newSender returns a sender talking to fake, with waits recorded instead of slept.
func newSender(t *testing.T, fake *testkit.TwilioAPI, change func(*sms.SenderConfig)) (*sms.Sender, *metrics.Metrics, *sleeps, *syncBuffer) {
	t.Helper()
	m, sl, logs := metrics.New(), &sleeps{}, &syncBuffer{}
	cfg := sms.SenderConfig{
		AccountSID:     testSID,
		AuthToken:      testToken,
		From:           trygNumber,
		StatusCallback: statusURL,
		Transport:      fake.Transport(),
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
		script   []http.Handler
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
			script: h(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })),
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
				if msgs := fake.Messages(); err != nil || len(msgs) != 1 || sid != msgs[0].SID {
					t.Fatalf("Send = %q, %v", sid, err)
				}
			} else if err == nil || !tt.wantErr(err) {
				t.Fatalf("Send error %v (%T) is not the expected one", err, err)
			}
			reqs := fake.Forms()
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
	for _, form := range fake.Forms() {
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
	if n := len(fake.Forms()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// h is a script of responses.
func h(fs ...http.Handler) []http.Handler {
	return fs
}
