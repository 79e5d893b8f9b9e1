package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// The routes Slack calls (interfaces.md).
const (
	RouteCommands     = "POST /slack/commands"
	RouteEvents       = "POST /slack/events"
	RouteInteractions = "POST /slack/interactions"
)

// Mux is where routes are mounted: an *http.ServeMux or trygg's *server.Server.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount mounts the Slack routes on mux.
func (b *Bot) Mount(mux Mux) {
	mux.Handle(RouteCommands, http.HandlerFunc(b.serveCommand))
	mux.Handle(RouteEvents, http.HandlerFunc(b.serveEvent))
	mux.Handle(RouteInteractions, http.HandlerFunc(b.serveInteraction))
}

// verify checks that r comes from Slack: the signature over the raw body, made with the
// signing secret within the last 5 minutes. It returns the body, with r.Body restored for
// the parsers, or answers the request itself (401, 413) and returns false.
func (b *Bot) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	sv, err := slackapi.NewSecretsVerifier(r.Header, b.cfg.SigningSecret)
	if err != nil {
		// Missing headers, a malformed signature or a stale timestamp: refused before the
		// body is even read.
		b.refuse(w, r, err)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.cfg.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			b.log.Info("slack request refused", "reason", "body too large")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "could not read the request body", http.StatusBadRequest)
		return nil, false
	}
	if _, err := sv.Write(body); err != nil {
		b.refuse(w, r, err)
		return nil, false
	}
	if err := sv.Ensure(); err != nil {
		b.refuse(w, r, err)
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// refuse answers a request whose signature does not hold with 401, and logs why without
// anything of the request.
func (b *Bot) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if b.cfg.Metrics != nil {
		route := "other" // a fixed label, never the path as sent
		for _, known := range []string{RouteCommands, RouteEvents, RouteInteractions} {
			if p := strings.TrimPrefix(known, "POST "); r.URL.Path == p {
				route = p
			}
		}
		b.cfg.Metrics.SignatureFailures.WithLabelValues(route).Inc()
	}
	reason := "invalid signature"
	switch {
	case errors.Is(err, slackapi.ErrMissingHeaders):
		reason = "missing signature headers"
	case errors.Is(err, slackapi.ErrExpiredTimestamp):
		reason = "stale timestamp"
	}
	b.log.Info("slack request refused", "reason", reason)
	http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
}

// serveCommand serves the slash command /trygg (form-encoded).
func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.verify(w, r); !ok {
		return
	}
	cmd, err := slackapi.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	b.HandleCommand(r.Context(), cmd, func(msg *slackapi.WebhookMessage) {
		writeMessage(w, msg)
	})
}

// writeMessage answers Slack with msg, or with an empty 200 when msg is nil.
func writeMessage(w http.ResponseWriter, msg *slackapi.WebhookMessage) {
	if msg == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := json.Marshal(msg)
	if err != nil {
		http.Error(w, "could not encode the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// serveEvent serves the Events API: the URL check when the app is set up, then events.
func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := b.verify(w, r)
	if !ok {
		return
	}
	if !json.Valid(body) {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event trygg does not know: acknowledge it, or Slack sends it again and again.
		b.log.Debug("slack event not understood; acknowledged", "error", err.Error())
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		v, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if v == nil {
			http.Error(w, "no challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, v.Challenge)
	case slackevents.AppRateLimited:
		b.log.Warn("slack: events are rate limited for this app")
		w.WriteHeader(http.StatusOK)
	default:
		if err := b.HandleEvent(r.Context(), ev); errors.Is(err, ErrBusy) {
			http.Error(w, "busy, try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// serveInteraction serves buttons and modals (form field payload, JSON inside).
func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.verify(w, r); !ok {
		return
	}
	cb, err := slackapi.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "not an interaction payload", http.StatusBadRequest)
		return
	}
	writeMessage(w, b.HandleInteraction(r.Context(), cb))
}
