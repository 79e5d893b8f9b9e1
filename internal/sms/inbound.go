package sms

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
)

// Ids are remembered under the sender's scope. The reservation (keys.reserve + the
// MessageSid) is taken before the turn; the reply is remembered after it, under
// store.AnswerID of the reservation, so that a store which keeps a sender's last
// reservations forgets the reply with it.
//
// Rate-limit windows (keys.sender, keys.notice: the one notice in a sender window) live
// under the sender's scope, so STOPP erases them with everything else; the global ones
// (keys.global, keys.notices: the notices sent in a global window) under the global
// scope "". Each channel has its own (keysFor): "sms:…" for SMS.

// answerID is the id the answer to message sid is remembered under.
func (h *Handler) answerID(sid string) string { return store.AnswerID(h.keys.reserve + sid) }

// noticeShare is the part of TRYGG_SMS_GLOBAL_LIMIT kept for rate-limit notices: turns
// may use the rest. The notice carries 112 and Brottsofferjouren's numbers, so while
// turns are spent (a flood), a resident who writes still gets those, until this share
// is spent too; past it nothing is sent.
const noticeShare = 10

// budget splits the global limit into the turns and the notices one global window allows:
// a tenth for notices, at least one when the limit allows two or more.
func budget(global int64) (turns, notices int64) {
	notices = global / noticeShare
	if notices == 0 && global >= 2 {
		notices = 1
	}
	return global - notices, notices
}

// ServeInbound answers Twilio's messaging webhook with TwiML. A request that passes the
// checks always gets 200 and TwiML, whatever fails behind it.
func (h *Handler) ServeInbound(w http.ResponseWriter, r *http.Request) {
	params, ok := h.verify(w, r, h.path)
	if !ok {
		return
	}
	number, address, ok := h.cfg.Variant.sender(params)
	sid := params["MessageSid"]
	if !ok || !validSID(sid) {
		h.reject(w, r, h.path, metrics.RejectMissing, http.StatusBadRequest)
		return
	}
	if reason := h.refusal(params, number); reason != "" {
		h.refuse(w, r, reason)
		return
	}
	// From here on the sender is only a pseudonym; the address itself goes only to the
	// features, as the message's address (Grannsamverkan's register and a handoff keep it
	// sealed).
	scope := h.cfg.Hasher.Of(h.name, number)
	text, media := h.cfg.Variant.read(params)

	// Twilio hanging up must not cut a turn short: its state and its remembered reply
	// should stay consistent for the retry.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.ReplyWithin)
	defer cancel()
	writeTwiML(w, h.answer(ctx, scope, sid, message{address: address, text: text, media: media}))
}

// message is what an incoming message says, as the channel read it.
type message struct {
	// address is where the channel reaches the sender: it goes only to the features.
	address string
	// text is what the resident wrote; media whether a file came with it.
	text  string
	media bool
}

// writeTwiML answers 200 with a TwiML document.
func writeTwiML(w http.ResponseWriter, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/xml")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// answer returns the TwiML for one incoming message. Only one delivery of a MessageSid in
// this process runs it; any other waits for that one's answer.
// m.address goes only to the conversation's features.
func (h *Handler) answer(ctx context.Context, scope, sid string, m message) (body []byte) {
	key := scope + "/" + sid
	f, first := h.flights.join(key)
	if !first {
		return h.await(ctx, f, m.text)
	}
	defer func() {
		if p := recover(); p != nil {
			h.failed(ctx, metrics.StageTurn, fmt.Errorf("answer panicked: %T", p))
			body = h.safeFor(m.text).body
		}
		h.flights.finish(key, f, body)
	}()
	return h.lead(ctx, scope, sid, m)
}

// await waits for the delivery of the same message that is running in this process.
func (h *Handler) await(ctx context.Context, f *flight, text string) []byte {
	h.count.in[metrics.ResultDuplicate].Inc()
	select {
	case <-f.done:
		if f.body != nil {
			return f.body
		}
	case <-ctx.Done():
	}
	return h.safeFor(text).body
}

// lead runs the checks, the turn and the bookkeeping for the first delivery of a message.
func (h *Handler) lead(ctx context.Context, scope, sid string, m message) []byte {
	text := m.text
	now := h.cfg.Now()
	adm, err := guard(ctx, h.cfg.StoreTimeout, store.HonorsContext(h.cfg.Store), func(ctx context.Context) (admission, error) {
		return h.admit(ctx, scope, sid, text, now)
	})
	if err != nil {
		h.failed(ctx, metrics.StageAdmit, err)
		h.count.in[metrics.ResultFailed].Inc()
		return h.sent(h.safeFor(text))
	}
	switch {
	case adm.duplicate:
		h.count.in[metrics.ResultDuplicate].Inc()
		return h.duplicate(ctx, scope, sid, adm.reservedAt, text)
	case adm.limited != nil:
		h.count.in[metrics.ResultRateLimited].Inc()
		return h.sent(*adm.limited)
	}

	// Messages the channel held for the resident go first (Variant.Held), rendered
	// afresh: they are never cached.
	held, forget := h.held(ctx, scope, text)
	render := h.renderBody
	if len(held) > 0 {
		render = func(rs []bot.Reply) ([]byte, error) {
			a, err := renderSplit(append(held[:len(held):len(held)], rs...), h.cfg.Variant.Split)
			return a.body, err
		}
	}

	// The conversation remembers the reply under the MessageSid, with the saved state
	// when the store can do both at once; the features (Grannsamverkan, handoffs) get the
	// sender's address.
	o := h.cfg.Service.Handle(ctx, conversation.Inbound{
		Channel: h.name, Scope: scope, Address: m.address, Text: text, Media: m.media,
		ReplyID: h.answerID(sid), ReplyTTL: DedupeTTL, Render: render, Loaded: adm.conv,
	})
	result := metrics.ResultAnswered
	if o.Degraded {
		// conversation.Service logged the error already.
		result = metrics.ResultDegraded
		h.count.failures[metrics.StageTurn].Inc()
	}
	var ans answer
	if len(held) > 0 {
		ans, err = renderSplit(append(held, o.Replies...), h.cfg.Variant.Split)
	} else {
		ans, err = h.rendered.render(o.Replies) // rendered for the turn already: from the cache
	}
	if err != nil {
		h.failed(ctx, metrics.StageTurn, err)
		result, ans = metrics.ResultDegraded, h.safeFor(text)
	}
	if o.RememberErr != nil {
		h.failed(ctx, metrics.StageReply, o.RememberErr)
	}
	if !o.Erased() {
		h.answered(ctx, o, forget, len(held) > 0 && err == nil, now)
	}
	h.count.in[result].Inc()
	return h.sent(ans)
}

// held returns the messages the channel held for the resident of scope, as replies, and
// the func that forgets them; none for a message that erases the conversation, which
// gets its confirmation alone.
func (h *Handler) held(ctx context.Context, scope, text string) ([]bot.Reply, func(context.Context) error) {
	if h.cfg.Variant.Held == nil || h.engine.Says(text, "stop") {
		return nil, nil
	}
	got, err := guard(ctx, h.cfg.StoreTimeout, false, func(ctx context.Context) (heldTexts, error) {
		t, f, err := h.cfg.Variant.Held(ctx, scope)
		return heldTexts{t, f}, err
	})
	if err != nil {
		h.failed(ctx, metrics.StageAdmit, fmt.Errorf("held messages: %w", err))
		return nil, nil
	}
	out := make([]bot.Reply, 0, len(got.texts))
	for _, t := range got.texts {
		if t != "" {
			out = append(out, bot.Reply{Text: t})
		}
	}
	return out, got.forget
}

// heldTexts is a Variant.Held result carried through guard.
type heldTexts struct {
	texts  []string
	forget func(context.Context) error
}

// answered tells the channel's variant what it keeps after a turn that did not erase
// the conversation: the held messages went out (delivered), and the resident wrote now.
func (h *Handler) answered(ctx context.Context, o conversation.Outcome, forget func(context.Context) error, delivered bool, now time.Time) {
	if delivered && forget != nil {
		if err := forget(ctx); err != nil {
			h.failed(ctx, metrics.StageReply, fmt.Errorf("forget held messages: %w", err))
		}
	}
	if h.cfg.Variant.Seen != nil {
		if err := h.cfg.Variant.Seen(ctx, o.Scope, o.State.Lang, now); err != nil {
			h.failed(ctx, metrics.StageReply, fmt.Errorf("note the message: %w", err))
		}
	}
}

// renderBody renders replies as TwiML, for the conversation to remember.
func (h *Handler) renderBody(replies []bot.Reply) ([]byte, error) {
	ans, err := h.rendered.render(replies)
	return ans.body, err
}

// admission is what the store says about a message before its turn.
type admission struct {
	// duplicate is true when the MessageSid was reserved before, at reservedAt.
	duplicate  bool
	reservedAt time.Time
	// limited is the answer past a limit: the notice or the empty answer.
	limited *answer
	// conv is the conversation loaded with the admission, for the turn's first attempt.
	conv *store.Conversation
}

// admit reserves the MessageSid, counts the message against the limits and loads the
// conversation, in one round trip where the store can (store.Admit). The store keeps the
// sender's last SenderLimit+1 reservations (the most that get an answer in one window)
// and none past that, so a sender's memory is bounded by its limit. Past a limit it also
// remembers the answer for a reserved MessageSid, so a repeated delivery gets the same
// one.
func (h *Handler) admit(ctx context.Context, scope, sid, text string, now time.Time) (admission, error) {
	sl, gl := h.cfg.SenderLimit, h.cfg.GlobalLimit
	turns, _ := budget(gl.N)
	r, err := store.Admit(ctx, h.cfg.Store, scope, store.Admission{
		ID: h.keys.reserve + sid, Value: reservation(now), TTL: DedupeTTL,
		Sender: store.Window{Name: h.keys.sender, TTL: sl.Per, Limit: sl.N},
		Global: store.Window{Name: h.keys.global, TTL: gl.Per, Limit: turns},
		Keep:   keepFor(sl.N),
	})
	if err != nil {
		return admission{}, err
	}
	if r.Duplicate {
		return admission{duplicate: true, reservedAt: reservedAt(r.Prev)}, nil
	}
	lim, notice, err := h.overLimit(ctx, scope, r)
	if err != nil {
		return admission{}, err
	}
	if lim == "" {
		if r.Loaded {
			return admission{conv: &r.Conv}, nil
		}
		return admission{}, nil
	}
	action, ans := metrics.ActionSilent, h.empty
	if notice {
		action, ans = metrics.ActionNotice, h.limitedFor(text)
	}
	h.count.limited.WithLabelValues(lim, action).Inc()
	if !r.Reserved {
		// Past the limit + 1 nothing is kept: a repeated delivery is counted again and
		// stays silent.
		return admission{limited: &ans}, nil
	}
	if _, _, err := h.cfg.Store.Remember(ctx, scope, h.answerID(sid), ans.body, DedupeTTL); err != nil {
		// The answer stands; only a repeated delivery may get the safety reply instead.
		h.failed(ctx, metrics.StageReply, fmt.Errorf("remember reply: %w", err))
	}
	return admission{limited: &ans}, nil
}

// keepFor is how many reservations a sender keeps for the sender limit n: the messages
// of one window that can get an answer (n turns and the notice).
func keepFor(n int64) int {
	return int(min(n, math.MaxInt32-1)) + 1
}

// overLimit reads the counts of the message in the sender's window and then in the global
// one. It returns which limit the message is past ("" for none) and whether the sender
// gets the notice. A sender gets at most one notice per sender window, for either limit:
// past its own limit only its first message past it is a candidate, past the global one
// any message. And the notices of all senders share the global limit's notice budget, so
// turns and notices together stay within TRYGG_SMS_GLOBAL_LIMIT (SMS pumping uses many
// numbers). The sender's notice window is taken first, so a sender that writes on cannot
// spend the budget of others.
func (h *Handler) overLimit(ctx context.Context, scope string, r store.AdmitResult) (string, bool, error) {
	sl, gl := h.cfg.SenderLimit, h.cfg.GlobalLimit
	turns, notices := budget(gl.N)
	var lim string
	switch {
	case r.Sender > sl.N:
		lim = metrics.LimitSender
		if r.Sender != sl.N+1 {
			return lim, false, nil
		}
	case r.Global > turns:
		lim = metrics.LimitGlobal
	default:
		return "", false, nil
	}
	if notices == 0 {
		return lim, false, nil
	}
	mine, err := h.cfg.Store.Hit(ctx, scope, h.keys.notice, sl.Per)
	if err != nil || mine > 1 {
		return lim, false, wrapIf("count notices to sender", err)
	}
	all, err := h.cfg.Store.Hit(ctx, "", h.keys.notices, gl.Per)
	if err != nil {
		return lim, false, fmt.Errorf("count notices: %w", err)
	}
	return lim, all <= notices, nil
}

// duplicate answers a repeated delivery of a message whose reservation this process does
// not hold. The first delivery may still be running on another replica: wait until it
// should have finished (reservedAt + ReplyWithin), leaving time to answer, then take its
// reply. If there is none by then, the safety reply becomes the reply to this MessageSid,
// so every later delivery gets the same.
func (h *Handler) duplicate(ctx context.Context, scope, sid string, reservedAt time.Time, text string) []byte {
	wait := reservedAt.Add(h.cfg.ReplyWithin).Sub(h.cfg.Now())
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl)-h.cfg.StoreTimeout)
	}
	if wait > 0 {
		_ = h.cfg.Sleep(ctx, wait)
	}
	safe := h.safeFor(text)
	rem, err := guard(ctx, h.cfg.StoreTimeout, store.HonorsContext(h.cfg.Store), func(ctx context.Context) (remembered, error) {
		prev, found, err := h.cfg.Store.Remember(ctx, scope, h.answerID(sid), safe.body, DedupeTTL)
		return remembered{prev, found}, err
	})
	switch {
	case err != nil:
		h.failed(ctx, metrics.StageReply, fmt.Errorf("look up reply: %w", err))
	case rem.found:
		return rem.value
	}
	return safe.body
}

// remembered is a Remember result carried through guard.
type remembered struct {
	value []byte
	found bool
}

// failed logs and counts a failure of stage. The error carries no personal data: store
// errors name operations, not keys.
func (h *Handler) failed(ctx context.Context, stage string, err error) {
	h.count.failures[stage].Inc()
	h.cfg.Log.LogAttrs(ctx, slog.LevelError, "sms: step failed; the resident still gets an answer",
		slog.String("channel", h.name), slog.String("stage", stage), slog.String("error", err.Error()))
}

// sent counts what an answer's messages cost and returns its body. Only SMS counts
// segments; another channel's messages are counted by the conversation's metrics.
func (h *Handler) sent(a answer) []byte {
	if !h.cfg.Variant.isSMS() {
		return a.body
	}
	for _, info := range a.infos {
		enc := info.Encoding
		if enc != gsm7.GSM7 {
			enc = gsm7.UCS2
		}
		h.count.out[enc].Inc()
		h.count.segments[enc].Add(float64(info.Segments))
		h.cfg.Service.Tally().Add(conversation.Day(h.cfg.Now()), CounterSegments, int64(info.Segments))
	}
	return a.body
}

// safeFor returns the safety reply in the language text seems to be in.
func (h *Handler) safeFor(text string) answer {
	return canned(h.safe, h.engine.GuessLang(text))
}

// limitedFor returns the rate-limit notice in the language text seems to be in.
func (h *Handler) limitedFor(text string) answer {
	return canned(h.limited, h.engine.GuessLang(text))
}

// canned returns m[lang], or the default language's answer.
func canned(m map[string]answer, lang string) answer {
	if a, ok := m[lang]; ok {
		return a
	}
	return m[flows.DefaultLang]
}

// reservation encodes when a MessageSid was reserved.
func reservation(now time.Time) []byte {
	return strconv.AppendInt(append(make([]byte, 0, 24), 'r'), now.UnixNano(), 10)
}

// reservedAt decodes a reservation; an unreadable one counts as long ago.
func reservedAt(b []byte) time.Time {
	if len(b) < 2 || b[0] != 'r' {
		return time.Time{}
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// validSID reports whether s looks like a Twilio message SID: two capital letters (SM, MM)
// and 32 hexadecimal digits. Anything else is not used as a key.
func validSID(s string) bool {
	if len(s) != 34 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// wrapIf wraps err with what, or returns nil.
func wrapIf(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// counters are the channel's counters with their labels resolved once, so counting costs
// no label lookup per message.
type counters struct {
	in       map[string]prometheus.Counter // by result
	failures map[string]prometheus.Counter // by stage
	out      [2]prometheus.Counter         // by encoding: gsm7.GSM7, gsm7.UCS2
	segments [2]prometheus.Counter
	// limited and refused are the channel's RateLimited and SMSRefused.
	limited, refused *prometheus.CounterVec
}

func newCounters(m *metrics.Metrics, channel string) counters {
	tc := m.Twilio(channel)
	c := counters{in: map[string]prometheus.Counter{}, failures: map[string]prometheus.Counter{}, limited: tc.Limited, refused: tc.Refused}
	for _, r := range []string{metrics.ResultAnswered, metrics.ResultDegraded, metrics.ResultDuplicate, metrics.ResultRateLimited, metrics.ResultFailed} {
		c.in[r] = tc.In.WithLabelValues(r)
	}
	for _, s := range []string{metrics.StageAdmit, metrics.StageTurn, metrics.StageReply} {
		c.failures[s] = m.TurnFailures.WithLabelValues(channel, s)
	}
	for _, e := range []gsm7.Encoding{gsm7.GSM7, gsm7.UCS2} {
		c.out[e] = m.SMSOut.WithLabelValues(metrics.ViaTwiML, e.String())
		c.segments[e] = m.SMSSegments.WithLabelValues(metrics.ViaTwiML, e.String())
	}
	return c
}
