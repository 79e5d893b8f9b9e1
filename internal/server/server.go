// Package server is the HTTP server every channel mounts on: health, readiness, graceful
// shutdown.
//
// Channels add their routes with Handle; the server wraps every request in a recover
// middleware and a debug-level access log. Both log only the method, the route pattern, the
// status and the duration: never the path as sent, the query, the body or the remote
// address, since those may carry a resident's phone number.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Timeouts and limits of the HTTP server.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 15 * time.Second
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 16 << 10
	// ShutdownTimeout is how long Run waits for requests in flight after its context ends.
	ShutdownTimeout = 10 * time.Second
	// ReadyTimeout bounds one call of the readiness check.
	ReadyTimeout = time.Second
)

// HSTS is the Strict-Transport-Security trygg sends when it is served over https: browsers
// then use https only, for a year, on its host and the names under it.
const HSTS = "max-age=31536000; includeSubDomains"

// unmatched is the route logged for a request no pattern matched (404, 405).
const unmatched = "unmatched"

// Server is trygg's HTTP server. Create it with New, add routes with Handle, then call Run
// (or Serve) once.
type Server struct {
	addr            string
	log             *slog.Logger
	ready           func(context.Context) error
	mux             *http.ServeMux
	handler         http.Handler
	shutdownTimeout time.Duration
	readyTimeout    time.Duration
	stopping        atomic.Bool // set when shutdown begins; /readyz then answers 503
	hsts            string      // Strict-Transport-Security on every response; "" for none
}

// New returns a server that will listen on addr. ready is the readiness check behind
// /readyz (typically the store's Ping); nil means always ready. log may be nil to discard.
// /healthz and /readyz are mounted already.
func New(addr string, log *slog.Logger, ready func(context.Context) error) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		addr:            addr,
		log:             log,
		ready:           ready,
		mux:             http.NewServeMux(),
		shutdownTimeout: ShutdownTimeout,
		readyTimeout:    ReadyTimeout,
	}
	s.handler = s.observe(s.mux)
	s.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	s.Handle("GET /readyz", http.HandlerFunc(s.readyz))
	return s
}

// Handle mounts h at pattern, a net/http ServeMux pattern such as "POST /twilio/sms". With
// a method in the pattern, other methods get 405 with an Allow header from the ServeMux.
// Like ServeMux.Handle it panics when pattern is invalid or conflicts with another route;
// routes are mounted at start-up, so that is a programming error.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(routeKey{}).(*routeInfo); ok {
			info.pattern = pattern
		}
		h.ServeHTTP(w, r)
	}))
}

// SetHSTS makes every response, errors and unmatched routes included, carry
// Strict-Transport-Security: value (e.g. HSTS); "" sends none. Call it before serving.
// Only a server reached over https should send it: browsers ignore it over http.
func (s *Server) SetHSTS(value string) { s.hsts = value }

// Handler returns the server's complete handler, middleware included, e.g. for httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the server's address and serves until ctx ends, then shuts down
// gracefully (see Serve).
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends. It then stops accepting connections, answers /readyz
// with 503, waits up to ShutdownTimeout for requests in flight and returns nil. Request
// contexts are not cancelled by ctx ending, so requests in flight can finish. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	addr := ln.Addr().String()
	s.log.Info("listening", slog.String("addr", addr))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}

	s.stopping.Store(true)
	s.log.Info("shutting down", slog.Duration("timeout", s.shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-served // returns http.ErrServerClosed as soon as Shutdown starts
	if err != nil {
		closeErr := srv.Close()
		return fmt.Errorf("shut down server on %s: %w", addr, errors.Join(err, closeErr))
	}
	s.log.Info("stopped")
	return nil
}

// healthz answers liveness probes: the process serves.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz answers readiness probes: 200 when the ready check passes within readyTimeout,
// 503 otherwise and during shutdown. The body never carries the error.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	if err := s.checkReady(r.Context()); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "not ready", slog.String("error", err.Error()))
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	writeText(w, http.StatusOK, "ready")
}

// checkReady runs the ready check with a timeout, and returns when the timeout passes even
// if the check ignores its context.
func (s *Server) checkReady(ctx context.Context) error {
	if s.ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.ready(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("ready check: %w", ctx.Err())
	}
}

// writeText writes a short plain-text response.
func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}

// routeKey is the context key of a request's *routeInfo.
type routeKey struct{}

// routeInfo carries the matched route pattern from the route's handler back out to the
// middleware, which logs it instead of the URL.
type routeInfo struct{ pattern string }

// name is the pattern, or "unmatched" when no route matched.
func (i *routeInfo) name() string {
	if i.pattern == "" {
		return unmatched
	}
	return i.pattern
}

// observe wraps next with panic recovery and the access log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &routeInfo{}
		ctx := context.WithValue(r.Context(), routeKey{}, info)
		rec := &recorder{ResponseWriter: w}
		if s.hsts != "" {
			w.Header().Set("Strict-Transport-Security", s.hsts)
		}

		defer func() {
			v := recover()
			abort := v == http.ErrAbortHandler // net/http's way to cut a response short
			if v != nil && !abort {
				// Only the type: the value may quote request data.
				s.log.LogAttrs(ctx, slog.LevelError, "handler panicked",
					slog.String("route", info.name()),
					slog.String("panic_type", fmt.Sprintf("%T", v)))
				if rec.wroteHeader {
					// The response is under way and cannot become a 500: cut the
					// connection so the client does not take a part for the whole.
					abort = true
				} else {
					writeText(rec, http.StatusInternalServerError, "internal server error")
				}
			}
			s.log.LogAttrs(ctx, slog.LevelDebug, "request",
				slog.String("method", method(r.Method)),
				slog.String("route", info.name()),
				slog.Int("status", rec.statusCode()),
				slog.Duration("duration", time.Since(start)))
			if abort {
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// method returns m if it is a standard HTTP method and "OTHER" if not, so that the log
// holds nothing a client made up.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// recorder remembers the status a handler sent.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// WriteHeader records the final status and passes it on.
func (rec *recorder) WriteHeader(code int) {
	if !rec.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		rec.status, rec.wroteHeader = code, true
	}
	rec.ResponseWriter.WriteHeader(code)
}

// Write sends body bytes; the status is 200 if none was set.
func (rec *recorder) Write(b []byte) (int, error) {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	// Not wrapped: callers may compare with net/http's sentinel errors.
	return rec.ResponseWriter.Write(b)
}

// Flush sends buffered data to the client, if the underlying writer can.
func (rec *recorder) Flush() {
	if !rec.wroteHeader {
		rec.status, rec.wroteHeader = http.StatusOK, true
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusCode is the status sent, 200 when the handler wrote nothing.
func (rec *recorder) statusCode() int {
	if !rec.wroteHeader {
		return http.StatusOK
	}
	return rec.status
}
