package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/metrics"
)

// Defaults of the REST sender.
const (
	// DefaultSendTimeout bounds one HTTP attempt, response body included.
	DefaultSendTimeout = 10 * time.Second
	// DefaultSendAttempts is how often a send is tried when Twilio answers 429 or 5xx.
	DefaultSendAttempts = 4
	// DefaultBackoff is the wait before the second attempt; it doubles with each attempt.
	DefaultBackoff = time.Second
	// MaxBackoff caps a wait between attempts, Retry-After included.
	MaxBackoff = 30 * time.Second
)

// CodeOptedOut is Twilio's error code for a recipient who replied STOP to the number:
// Twilio refuses every message to them until they reply START.
const CodeOptedOut = 21610

// ErrOptedOut is returned by Send when the recipient opted out (Twilio error 21610). It is
// final: sending again fails the same way.
var ErrOptedOut = errors.New("sms: recipient opted out of messages from this number (Twilio 21610)")

// SendError is a send Twilio refused or that did not reach Twilio. Its message names only
// the HTTP status and Twilio's error code, never Twilio's text, which can quote the number.
type SendError struct {
	// Status is the HTTP status of the last attempt; 0 when no response came (timeout,
	// network).
	Status int
	// Code is Twilio's error code, 0 when there is none.
	Code int
	// Attempts is how many attempts were made.
	Attempts int
	err      error
}

// Error describes the failure without personal data.
func (e *SendError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("sms: send failed after %d attempts: no answer from Twilio: %v", e.Attempts, safeTransportError(e.err))
	}
	return fmt.Sprintf("sms: send failed after %d attempts: Twilio answered %d (error %d)", e.Attempts, e.Status, e.Code)
}

// Unwrap gives errors.As access to the *client.TwilioRestError or transport error.
func (e *SendError) Unwrap() error { return e.err }

// SenderConfig holds what a Sender needs.
type SenderConfig struct {
	// AccountSID and AuthToken are the Twilio credentials.
	AccountSID, AuthToken string
	// From is the sending number (TWILIO_FROM); or MessagingServiceSID
	// (TWILIO_MESSAGING_SERVICE_SID). Exactly one is needed.
	From, MessagingServiceSID string
	// StatusCallback is the URL Twilio reports delivery to, normally TRYGG_PUBLIC_URL +
	// StatusPath; "" asks for no callbacks.
	StatusCallback string
	// PerSecond paces sends (TRYGG_SMS_PER_SECOND); 0 does not pace.
	PerSecond float64
	// Timeout bounds one HTTP attempt; 0 means DefaultSendTimeout.
	Timeout time.Duration
	// Attempts bounds the attempts of one send; 0 means DefaultSendAttempts.
	Attempts int
	// Backoff is the first wait between attempts; 0 means DefaultBackoff.
	Backoff time.Duration
	// Transport carries the HTTP requests; nil means http.DefaultTransport. Tests point it
	// at a fake of Twilio's API.
	Transport http.RoundTripper
	// Sleep waits d or until ctx ends; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for pacing; nil means time.Now.
	Now func() time.Time
	// Metrics receives the send counters.
	Metrics *metrics.Metrics
	// Log receives retries and failures, never a number or a text; nil discards.
	Log *slog.Logger
	// Channel labels the sends in the metrics: metrics.ChannelSMS ("", the default) or
	// metrics.ChannelWhatsApp. Only SMS sends count SMS segments.
	Channel string
}

// Sender sends the SMS trygg starts itself (handoff replies, alerts) through Twilio's REST
// API with twilio-go's CreateMessage. It retries only when Twilio answers 429 or 5xx, with
// a growing wait; any other refusal, a timeout or a network error is final, since the
// message may have been created and a retry could send it twice. It is safe for concurrent
// use.
type Sender struct {
	cfg      SenderConfig
	interval time.Duration
	sends    *prometheus.CounterVec // the channel's part of TwilioSends

	mu   sync.Mutex
	next time.Time // when pacing allows the next attempt
}

// NewSender returns a Sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	switch {
	case cfg.AccountSID == "" || cfg.AuthToken == "":
		return nil, errors.New("sms: sender needs the account SID and auth token")
	case (cfg.From == "") == (cfg.MessagingServiceSID == ""):
		return nil, errors.New("sms: sender needs exactly one of From and MessagingServiceSID")
	case cfg.Metrics == nil:
		return nil, errors.New("sms: sender needs Metrics")
	case cfg.PerSecond < 0:
		return nil, errors.New("sms: sender PerSecond is negative")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSendTimeout
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultSendAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Channel == "" {
		cfg.Channel = metrics.ChannelSMS
	}
	s := &Sender{cfg: cfg, sends: cfg.Metrics.Twilio(cfg.Channel).Sends}
	if cfg.PerSecond > 0 {
		s.interval = time.Duration(float64(time.Second) / cfg.PerSecond)
	}
	return s, nil
}

// Send sends body to the phone number to and returns the message SID. ctx bounds the whole
// send, waits included. It returns ErrOptedOut (wrapped) for a recipient who opted out, and
// a *SendError for any other failure.
func (s *Sender) Send(ctx context.Context, to, body string) (string, error) {
	return s.send(ctx, (&openapi.CreateMessageParams{}).SetTo(to).SetBody(body), body)
}

// SendContent sends the approved template contentSID (Content API, "HX…") with its
// variables to to, and returns the message SID: what WhatsApp allows outside its 24-hour
// window. vars may be nil. Errors are as for Send.
func (s *Sender) SendContent(ctx context.Context, to, contentSID string, vars map[string]string) (string, error) {
	params := (&openapi.CreateMessageParams{}).SetTo(to).SetContentSid(contentSID)
	if len(vars) > 0 {
		b, err := json.Marshal(vars)
		if err != nil {
			return "", fmt.Errorf("sms: content variables: %w", err)
		}
		params.SetContentVariables(string(b))
	}
	return s.send(ctx, params, "")
}

// send creates the message params describe, with the sender and status callback added;
// body is its text, for the segment counts ("" for a template).
func (s *Sender) send(ctx context.Context, params *openapi.CreateMessageParams, body string) (string, error) {
	if s.cfg.From != "" {
		params.SetFrom(s.cfg.From)
	} else {
		params.SetMessagingServiceSid(s.cfg.MessagingServiceSID)
	}
	if s.cfg.StatusCallback != "" {
		params.SetStatusCallback(s.cfg.StatusCallback)
	}
	for attempt := 1; ; attempt++ {
		if err := s.pace(ctx); err != nil {
			return "", s.fail(&SendError{Attempts: attempt - 1, err: err})
		}
		msg, status, retryAfter, err := s.try(ctx, params)
		if err == nil {
			s.sends.WithLabelValues(metrics.SendSent).Inc()
			if s.cfg.Channel == metrics.ChannelSMS {
				info := gsm7.Analyze(body)
				enc := info.Encoding.String()
				s.cfg.Metrics.SMSOut.WithLabelValues(metrics.ViaREST, enc).Inc()
				s.cfg.Metrics.SMSSegments.WithLabelValues(metrics.ViaREST, enc).Add(float64(info.Segments))
			}
			if msg == nil || msg.Sid == nil {
				return "", nil
			}
			return *msg.Sid, nil
		}
		var rest *client.TwilioRestError
		code := 0
		if errors.As(err, &rest) {
			code = rest.Code
			if status == 0 {
				status = rest.Status
			}
		}
		if code == CodeOptedOut {
			s.sends.WithLabelValues(metrics.SendOptedOut).Inc()
			s.cfg.Log.Info("sms: recipient opted out; not sent", "code", code)
			return "", fmt.Errorf("sms: send: %w", ErrOptedOut)
		}
		serr := &SendError{Status: status, Code: code, Attempts: attempt, err: err}
		retryable := status == http.StatusTooManyRequests || status >= 500
		if !retryable || attempt >= s.cfg.Attempts {
			return "", s.fail(serr)
		}
		wait := s.backoff(attempt, retryAfter)
		s.cfg.Metrics.SMSSendRetries.Inc()
		s.cfg.Log.Warn("sms: Twilio busy; trying again", "status", status, "code", code, "attempt", attempt, "wait", wait)
		if err := s.cfg.Sleep(ctx, wait); err != nil {
			serr.err = errors.Join(serr.err, err)
			return "", s.fail(serr)
		}
	}
}

// fail counts and logs a failed send and returns err.
func (s *Sender) fail(err *SendError) error {
	s.sends.WithLabelValues(metrics.SendFailed).Inc()
	s.cfg.Log.Error("sms: send failed", "error", err.Error())
	return err
}

// try makes one attempt. It returns the HTTP status Twilio answered (0 without an answer)
// and its Retry-After header, which twilio-go does not report.
func (s *Sender) try(ctx context.Context, params *openapi.CreateMessageParams) (*openapi.ApiV2010Message, int, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, "", err
	}
	t := &attempt{base: s.cfg.Transport, ctx: ctx}
	defer t.close()
	c := &client.Client{
		Credentials: client.NewCredentials(s.cfg.AccountSID, s.cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport:     t,
			Timeout:       s.cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(s.cfg.AccountSID)
	msg, err := openapi.NewApiServiceWithClient(c).CreateMessage(params)
	status, retryAfter := t.result()
	return msg, status, retryAfter, err
}

// backoff is the wait after attempt n: Backoff doubled n-1 times, or Twilio's Retry-After
// in seconds when that is longer, at most MaxBackoff.
func (s *Sender) backoff(n int, retryAfter string) time.Duration {
	d := s.cfg.Backoff << (n - 1)
	if d <= 0 || d > MaxBackoff { // <= 0: shifted past the int64 range
		d = MaxBackoff
	}
	if secs, err := strconv.Atoi(retryAfter); err == nil && secs > 0 {
		if ra := time.Duration(secs) * time.Second; ra > d {
			d = min(ra, MaxBackoff)
		}
	}
	return d
}

// pace waits until the configured rate allows another attempt.
func (s *Sender) pace(ctx context.Context) error {
	if s.interval == 0 {
		return ctx.Err()
	}
	s.mu.Lock()
	now := s.cfg.Now()
	at := s.next
	if at.Before(now) {
		at = now
	}
	s.next = at.Add(s.interval)
	s.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return s.cfg.Sleep(ctx, d)
	}
	return ctx.Err()
}

// attempt is the HTTP transport of one attempt: it ties the request to the send's context
// and records the status and Retry-After of the response.
type attempt struct {
	base http.RoundTripper
	ctx  context.Context

	mu         sync.Mutex
	status     int
	retryAfter string
	stops      []func()
}

// RoundTrip sends req, cancelled also when the send's context ends.
func (a *attempt) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(a.ctx, cancel)
	a.mu.Lock()
	a.stops = append(a.stops, func() { stop(); cancel() })
	a.mu.Unlock()
	res, err := a.base.RoundTrip(req.WithContext(ctx))
	if res != nil {
		a.mu.Lock()
		a.status, a.retryAfter = res.StatusCode, res.Header.Get("Retry-After")
		a.mu.Unlock()
	}
	return res, err
}

// result returns the status and Retry-After of the last response.
func (a *attempt) result() (int, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status, a.retryAfter
}

// close releases the attempt's contexts once its response has been read.
func (a *attempt) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, stop := range a.stops {
		stop()
	}
}

// safeTransportError describes a transport error without the request URL, so nothing but
// the kind of failure reaches a log.
func safeTransportError(err error) string {
	switch {
	case err == nil:
		return "unknown"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return "timed out"
	}
	return "network error"
}
