package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// phone is a resident's number; it must never reach a log.
const phone = "46701234567"

// syncBuffer is a bytes.Buffer safe for a logger and a test reading it at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogger returns a logger writing text lines at level and above to the returned buffer.
func newLogger(level slog.Level) (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level})), buf
}

// serve runs one request through h and returns the response.
func serve(h http.Handler, method, target, body string) *http.Response {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// readBody reads and closes the body of resp.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestHealthAndReadiness(t *testing.T) {
	const secretish = "dial tcp 10.0.0.7:6379: connection refused"
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	const short = 20 * time.Millisecond // instead of ReadyTimeout, to keep the test fast
	tests := []struct {
		name       string
		ready      func(context.Context) error
		target     string
		wantStatus int
		wantBody   string
		wantLog    string        // in the warn log, "" for no log line
		timeout    time.Duration // readiness timeout; 0 for ReadyTimeout
	}{
		{"healthz", nil, "/healthz", 200, "ok\n", "", 0},
		{"healthz ignores a failing store", func(context.Context) error { return errors.New(secretish) }, "/healthz", 200, "ok\n", "", 0},
		{"readyz without a check", nil, "/readyz", 200, "ready\n", "", 0},
		{"readyz check passes", func(context.Context) error { return nil }, "/readyz", 200, "ready\n", "", 0},
		{"readyz check fails", func(context.Context) error { return errors.New(secretish) }, "/readyz", 503, "not ready\n", secretish, 0},
		{
			"readyz check gets a deadline of at most a second",
			func(ctx context.Context) error {
				dl, ok := ctx.Deadline()
				if !ok || time.Until(dl) > time.Second {
					return errors.New("no deadline")
				}
				return nil
			},
			"/readyz", 200, "ready\n", "", 0,
		},
		{
			"readyz check times out",
			func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
			"/readyz", 503, "not ready\n", "deadline exceeded", short,
		},
		{
			"readyz check ignoring its context",
			func(context.Context) error { <-stuck; return nil },
			"/readyz", 503, "not ready\n", "deadline exceeded", short,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, buf := newLogger(slog.LevelWarn)
			s := New(":0", log, tt.ready)
			if tt.timeout != 0 {
				s.readyTimeout = tt.timeout
			}
			resp := serve(s.Handler(), http.MethodGet, tt.target, "")
			body := readBody(t, resp)
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("GET %s = %d %q, want %d %q", tt.target, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q", ct)
			}
			logged := buf.String()
			if tt.wantLog == "" && logged != "" {
				t.Errorf("unexpected log: %s", logged)
			}
			if tt.wantLog != "" && (!strings.Contains(logged, tt.wantLog) || !strings.Contains(logged, "level=WARN")) {
				t.Errorf("warn log lacks %q: %s", tt.wantLog, logged)
			}
		})
	}
}

func TestRoutesAndMethods(t *testing.T) {
	s := New(":0", nil, nil)
	s.Handle("POST /twilio/sms", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	tests := []struct {
		method, target string
		wantStatus     int
		wantAllow      string
	}{
		{http.MethodPost, "/twilio/sms", 204, ""},
		{http.MethodGet, "/twilio/sms", 405, "POST"},
		{http.MethodPut, "/twilio/sms", 405, "POST"},
		{http.MethodPost, "/healthz", 405, "GET, HEAD"},
		{http.MethodDelete, "/readyz", 405, "GET, HEAD"},
		{http.MethodHead, "/healthz", 200, ""},
		{http.MethodGet, "/twilio/sms/extra", 404, ""},
		{http.MethodGet, "/nowhere", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			resp := serve(s.Handler(), tt.method, tt.target, "")
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestPanicBecomes500(t *testing.T) {
	log, buf := newLogger(slog.LevelDebug)
	s := New(":0", log, nil)
	s.Handle("POST /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("bad number +" + phone)
	}))
	s.Handle("POST /boom-err", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errors.New("store said +" + phone))
	}))

	for _, tt := range []struct{ target, wantType string }{
		{"/boom?From=%2B" + phone, "panic_type=string"},
		{"/boom-err", "panic_type=*errors.errorString"},
	} {
		resp := serve(s.Handler(), http.MethodPost, tt.target, "From=%2B"+phone)
		if body := readBody(t, resp); resp.StatusCode != 500 || body != "internal server error\n" {
			t.Errorf("POST %s = %d %q, want 500", tt.target, resp.StatusCode, body)
		}
		if !strings.Contains(buf.String(), tt.wantType) {
			t.Errorf("log lacks %s: %s", tt.wantType, buf)
		}
	}
	logged := buf.String()
	for _, want := range []string{`level=ERROR msg="handler panicked" route="POST /boom"`, `route="POST /boom" status=500`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}
	if strings.Contains(logged, phone) || strings.Contains(logged, "bad number") || strings.Contains(logged, "store said") {
		t.Errorf("log holds the panic value:\n%s", logged)
	}
}

func TestServerKeepsServingAfterPanic(t *testing.T) {
	s := New(":0", nil, nil)
	s.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	s.Handle("GET /half", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("partial"))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic("boom after writing")
	}))
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	get := func(path string) (int, string, error) {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	for i := range 3 {
		if status, _, err := get("/boom"); err != nil || status != 500 {
			t.Fatalf("GET /boom #%d = %d, %v; want 500", i, status, err)
		}
		if status, body, err := get("/healthz"); err != nil || status != 200 || body != "ok\n" {
			t.Fatalf("GET /healthz after panic #%d = %d %q, %v; want 200 ok", i, status, body, err)
		}
	}
	// A panic after the response began cannot become a 500: the response is cut short,
	// so the client sees an error rather than a complete-looking body.
	if status, body, err := get("/half"); err == nil {
		t.Errorf("GET /half = %d %q, nil error; want a cut-off response", status, body)
	}
	if status, _, err := get("/healthz"); err != nil || status != 200 {
		t.Errorf("GET /healthz after a cut response = %d, %v", status, err)
	}
}

func TestAccessLogHasNoPersonalData(t *testing.T) {
	log, buf := newLogger(slog.LevelDebug)
	s := New(":0", log, nil)
	s.Handle("POST /twilio/sms", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("From") != "+"+phone {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "<Response/>")
	}))

	requests := []struct {
		method, target, body string
		wantLine             string
	}{
		{http.MethodPost, "/twilio/sms?From=%2B" + phone, "From=%2B" + phone + "&Body=hej", `method=POST route="POST /twilio/sms" status=200`},
		{http.MethodGet, "/%2B" + phone + "?From=%2B" + phone, "", `method=GET route=unmatched status=404`},
		{http.MethodGet, "/twilio/sms?From=%2B" + phone, "", `method=GET route=unmatched status=405`},
		{http.MethodGet, "/healthz?From=%2B" + phone, "", `method=GET route="GET /healthz" status=200`},
		{"X" + phone, "/healthz", "", `method=OTHER route=unmatched status=405`},
	}
	for _, r := range requests {
		resp := serve(s.Handler(), r.method, r.target, r.body)
		resp.Body.Close()
		logged := buf.String()
		if !strings.Contains(logged, r.wantLine) {
			t.Errorf("%s %s: log lacks %q:\n%s", r.method, r.target, r.wantLine, logged)
		}
	}
	logged := buf.String()
	if !strings.Contains(logged, "duration=") || !strings.Contains(logged, "level=DEBUG") {
		t.Errorf("access log lacks duration or debug level:\n%s", logged)
	}
	for _, leak := range []string{phone, "From", "?", "Body=", "hej", "192.0.2.1" /* httptest's RemoteAddr */} {
		if strings.Contains(logged, leak) {
			t.Errorf("access log holds %q:\n%s", leak, logged)
		}
	}
}

func TestAccessLogIsDebugOnly(t *testing.T) {
	log, buf := newLogger(slog.LevelInfo)
	s := New(":0", log, nil)
	serve(s.Handler(), http.MethodGet, "/healthz", "").Body.Close()
	if buf.String() != "" {
		t.Errorf("access log at info level: %s", buf)
	}
}

// closeNotifyListener reports through closed when it is closed, which http.Server.Shutdown
// does first; tests wait on it instead of sleeping.
type closeNotifyListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifyListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func listen(t *testing.T) *closeNotifyListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &closeNotifyListener{Listener: ln, closed: make(chan struct{})}
}

// within fails the test if ch does not deliver within d (a deadline, not a sleep).
func within[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("%s did not happen within %v", what, d)
		panic("unreachable")
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	s := New(":0", nil, nil)
	started, release := make(chan struct{}), make(chan struct{})
	ctxErrAtEnd := make(chan error, 1)
	s.Handle("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		ctxErrAtEnd <- r.Context().Err()
		_, _ = io.WriteString(w, "done")
	}))
	ln := listen(t)
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{resp.StatusCode, string(b), err}
	}()
	within(t, started, 5*time.Second, "slow request start")

	cancel()
	within(t, ln.closed, 5*time.Second, "listener close")
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}
	// During shutdown the server reports itself not ready.
	if resp := serve(s.Handler(), http.MethodGet, "/readyz", ""); resp.StatusCode != 503 {
		t.Errorf("GET /readyz during shutdown = %d, want 503", resp.StatusCode)
	}
	// No new connections are accepted: the listener is closed (above). Dialling its port
	// proves nothing, since on a busy machine another process may take the freed port.

	close(release)
	if r := within(t, slow, 5*time.Second, "slow response"); r.err != nil || r.status != 200 || r.body != "done" {
		t.Errorf("in-flight request = %d %q, %v; want 200 done", r.status, r.body, r.err)
	}
	if err := within(t, ctxErrAtEnd, time.Second, "handler end"); err != nil {
		t.Errorf("request context ended by shutdown: %v", err)
	}
	if err := within(t, served, 5*time.Second, "Serve return"); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
}

func TestServeGivesUpAfterShutdownTimeout(t *testing.T) {
	s := New(":0", nil, nil)
	s.shutdownTimeout = 50 * time.Millisecond // ShutdownTimeout is 10s; keep the test fast
	started := make(chan struct{})
	s.Handle("GET /stuck", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // ends only when the connection is closed
	}))
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	within(t, started, 5*time.Second, "stuck request start")
	cancel()
	err := within(t, served, 5*time.Second, "Serve return")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want a deadline exceeded error", err)
	}
}

func TestServeReturnsNilWhenIdle(t *testing.T) {
	s := New(":0", nil, nil)
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}
	cancel()
	if err := within(t, served, 5*time.Second, "Serve return"); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
}

func TestRunReportsListenError(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	s := New(ln.Addr().String(), nil, nil) // the port is taken
	err := s.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("Run = %v, want a listen error naming the address", err)
	}
}

// TestHSTSOnEveryResponse: with SetHSTS every response carries Strict-Transport-Security,
// whatever route or status (404, 405, a handler's own answer, a panic's 500); without it,
// none does.
func TestHSTSOnEveryResponse(t *testing.T) {
	for _, hsts := range []string{HSTS, ""} {
		s := New(":0", nil, nil)
		s.SetHSTS(hsts)
		s.Handle("POST /twilio/sms", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}))
		s.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
		for _, r := range []struct {
			method, target string
			status         int
		}{
			{http.MethodGet, "/healthz", 200},
			{http.MethodGet, "/readyz", 200},
			{http.MethodPost, "/twilio/sms", 403},
			{http.MethodGet, "/twilio/sms", 405},
			{http.MethodGet, "/nowhere", 404},
			{http.MethodGet, "/boom", 500},
		} {
			resp := serve(s.Handler(), r.method, r.target, "")
			resp.Body.Close()
			if resp.StatusCode != r.status {
				t.Errorf("%s %s = %d, want %d", r.method, r.target, resp.StatusCode, r.status)
			}
			if got := resp.Header.Values("Strict-Transport-Security"); (hsts == "" && len(got) != 0) || (hsts != "" && (len(got) != 1 || got[0] != hsts)) {
				t.Errorf("SetHSTS(%q): %s %s carries Strict-Transport-Security %q", hsts, r.method, r.target, got)
			}
		}
	}
	if HSTS != "max-age=31536000; includeSubDomains" {
		t.Errorf("HSTS = %q", HSTS)
	}
}
