package grannsamverkan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/store"
)

// Scopes of the alert queue. The queue lives in the shared store, so a restart (or another
// replica) carries on where a send stopped.
const (
	// alertsScope holds every alert by id.
	alertsScope = "gs-alerts"
	// jobScopePrefix + alert id holds one job per ombud by ombud id.
	jobScopePrefix = "gs-alert:"
	// sentScopePrefix + alert id is the once-guard of each job: taken before the SMS goes
	// out, so a restart in the middle never sends it twice.
	sentScopePrefix = "gs-alert-sent:"
	// sidScope maps a Twilio MessageSid to "alert id/ombud id", for status callbacks.
	sidScope = "gs-sid"
	// previewScope holds a preview staff may send, by preview id; previewUsedScope guards
	// that one preview is sent once, however often Skicka is pressed.
	previewScope     = "gs-preview"
	previewUsedScope = "gs-preview-used"
)

// Limits and durations of alerts.
const (
	// MaxSegments is the most SMS segments an alert may cost.
	MaxSegments = 2
	// AlertTTL is how long an alert, its jobs and its guards are kept.
	AlertTTL = 30 * 24 * time.Hour
	// PreviewTTL is how long a preview can be sent.
	PreviewTTL = time.Hour
	// DefaultPoll is how often the sender looks for queued jobs without being woken.
	DefaultPoll = 10 * time.Second
	// sendTimeout bounds one send, pacing waits included; a send under way finishes even
	// when the loop is asked to stop, so its outcome is recorded.
	sendTimeout = 2 * time.Minute
	// cardEvery bounds how often a card is updated while an alert is sent.
	cardEvery = 3 * time.Second
)

// Job states.
const (
	StatePending   = "pending"
	StateSent      = "sent"
	StateDelivered = "delivered"
	StateFailed    = "failed"
	// StateUnknown: the guard was taken but the outcome never recorded (a crash during the
	// send); it is not sent again.
	StateUnknown = "unknown"
	// StateSkipped: the ombud left or was deactivated before their turn.
	StateSkipped = "skipped"
)

// Problems a preview can have.
var (
	ErrTooLong  = errors.New("grannsamverkan: alert longer than 2 SMS segments")
	ErrNotGSM   = errors.New("grannsamverkan: alert has characters outside GSM-7")
	ErrPersonal = errors.New("grannsamverkan: alert seems to hold a phone or personal identity number")
	ErrEmpty    = errors.New("grannsamverkan: alert is empty")
	ErrNoPrev   = errors.New("grannsamverkan: preview expired or already sent")
)

// personal matches phone numbers and personnummer in an alert text: alerts go to many
// people and must hold nothing personal.
var personal = regexp.MustCompile(`(?:\+|\b00)\s?\d(?:[\s-]?\d){6,}|\b07\d(?:[\s-]?\d){7}\b|\b(?:19|20)?\d{6}[-+]\d{4}\b`)

// SendFunc sends one SMS and returns Twilio's MessageSid: sms.Sender.Send.
type SendFunc func(ctx context.Context, to, body string) (string, error)

// AlertsConfig holds what Alerts need.
type AlertsConfig struct {
	// Service is the register.
	Service *Service
	// Records keeps the queue; Guard the once-guards (the same shared store).
	Records store.Records
	Guard   Guard
	// Send sends one SMS; it paces itself at TRYGG_SMS_PER_SECOND.
	Send SendFunc
	// OptedOut reports whether a send error is Twilio's 21610 (sms.ErrOptedOut).
	OptedOut func(error) bool
	// Card updates the alert's card in Slack; nil: no card.
	Card func(ctx context.Context, a Alert, c Counts) error
	// Clock wakes the sender loop; nil means the real clock.
	Clock clock.Clock
	// Poll is how often the loop looks for work; 0 means DefaultPoll.
	Poll time.Duration
	// Log receives what happened, never a number or the text; nil discards.
	Log *slog.Logger
}

// Alerts queues and sends area alerts. It is safe for concurrent use.
type Alerts struct {
	cfg  AlertsConfig
	wake chan struct{}

	mu       sync.Mutex
	lastCard map[string]time.Time
}

// NewAlerts returns Alerts.
func NewAlerts(cfg AlertsConfig) (*Alerts, error) {
	if cfg.Service == nil || cfg.Records == nil || cfg.Guard == nil || cfg.Send == nil {
		return nil, errors.New("grannsamverkan: alerts need Service, Records, Guard and Send")
	}
	if cfg.OptedOut == nil {
		cfg.OptedOut = func(error) bool { return false }
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Alerts{cfg: cfg, wake: make(chan struct{}, 1), lastCard: map[string]time.Time{}}, nil
}

// Preview is an alert as it would be sent.
type Preview struct {
	// ID names the preview for Send; "" when the preview has a Problem.
	ID string `json:"id"`
	// Area is the area id, AreaName its name.
	Area     string `json:"area"`
	AreaName string `json:"-"`
	// Text is the SMS exactly as sent.
	Text string `json:"text"`
	// Info is its encoding and segments.
	Info gsm7.Info `json:"-"`
	// Recipients is how many active ombud the area has now.
	Recipients int `json:"-"`
	// Problem is why it cannot be sent (ErrTooLong, ErrNotGSM, ErrPersonal, ErrEmpty).
	Problem error `json:"-"`
	// NonGSM lists the characters outside GSM-7, for ErrNotGSM.
	NonGSM []rune `json:"-"`
}

// Prepare makes the preview of an alert of text to area (an id or name) and keeps it for
// PreviewTTL when it can be sent.
func (a *Alerts) Prepare(ctx context.Context, area, text string) (Preview, error) {
	id, name, err := a.cfg.Service.Area(area)
	if err != nil {
		return Preview{}, err
	}
	text = strings.TrimSpace(text)
	p := Preview{Area: id, AreaName: name, Text: text, Info: gsm7.Analyze(text)}
	rec, err := a.cfg.Service.Recipients(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	p.Recipients = len(rec)
	switch {
	case text == "":
		p.Problem = ErrEmpty
	case p.Info.Encoding != gsm7.GSM7:
		p.Problem, p.NonGSM = ErrNotGSM, gsm7.NonGSM(text)
	case p.Info.Segments > MaxSegments:
		p.Problem = ErrTooLong
	case personal.MatchString(text):
		p.Problem = ErrPersonal
	}
	if p.Problem != nil {
		return p, nil
	}
	p.ID = "P-" + randomCode(ombudIDLetters, 10)
	v, err := json.Marshal(p)
	if err != nil {
		return Preview{}, err
	}
	if err := a.cfg.Records.Put(ctx, previewScope, p.ID, v, PreviewTTL); err != nil {
		return Preview{}, wrap("keep preview", err)
	}
	return p, nil
}

// Alert is one area alert.
type Alert struct {
	ID      string    `json:"id"`
	Area    string    `json:"area"`
	Text    string    `json:"text"`
	By      string    `json:"by"` // the Slack user who sent it
	Created time.Time `json:"created"`
	Total   int       `json:"total"`
	// Channel and TS locate the card in Slack, once posted.
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	// Done is set when every job has been tried.
	Done bool `json:"done,omitempty"`
}

// Counts are an alert's jobs by state.
type Counts struct {
	Total, Pending, Sent, Delivered, Failed, Skipped, Unknown int
}

// job is one ombud's SMS of an alert.
type job struct {
	State string `json:"state"`
	SID   string `json:"sid,omitempty"`
	Area  string `json:"area"`
}

// Queue turns preview id into an alert to every active ombud of its area, one pending job
// each, by user. A preview is queued once: a second press gets ErrNoPrev. The jobs are sent
// by Run (or Drain); call Attach when the card is posted.
func (a *Alerts) Queue(ctx context.Context, previewID, user string) (Alert, error) {
	raw, ok, err := a.cfg.Records.Get(ctx, previewScope, previewID)
	if err != nil {
		return Alert{}, wrap("read preview", err)
	}
	if !ok {
		return Alert{}, ErrNoPrev
	}
	if _, used, err := a.cfg.Guard.Remember(ctx, previewUsedScope, previewID, []byte(user), PreviewTTL); err != nil {
		return Alert{}, wrap("use preview", err)
	} else if used {
		return Alert{}, ErrNoPrev
	}
	var p Preview
	if err := json.Unmarshal(raw, &p); err != nil {
		return Alert{}, fmt.Errorf("grannsamverkan: preview unreadable: %w", err)
	}
	rec, err := a.cfg.Service.Recipients(ctx, p.Area)
	if err != nil {
		return Alert{}, err
	}
	al := Alert{
		ID: "A-" + randomCode(ombudIDLetters, 8), Area: p.Area, Text: p.Text, By: user,
		Created: a.cfg.Clock.Now(), Total: len(rec),
	}
	for _, o := range rec {
		v, _ := json.Marshal(job{State: StatePending, Area: o.Area})
		if err := a.cfg.Records.Put(ctx, jobScopePrefix+al.ID, o.ID, v, AlertTTL); err != nil {
			return Alert{}, wrap("queue alert", err)
		}
	}
	if err := a.saveAlert(ctx, al); err != nil {
		return Alert{}, err
	}
	_ = a.cfg.Records.Delete(ctx, previewScope, previewID)
	a.cfg.Log.Info("grannsamverkan: alert queued", "alert", al.ID, "area", al.Area, "recipients", al.Total)
	return al, nil
}

// Attach records where the alert's card is in Slack and wakes the sender.
func (a *Alerts) Attach(ctx context.Context, id, channel, ts string) error {
	al, ok, err := a.alert(ctx, id)
	if err != nil || !ok {
		return errors.Join(err, ErrNoPrev)
	}
	al.Channel, al.TS = channel, ts
	if err := a.saveAlert(ctx, al); err != nil {
		return err
	}
	a.Wake()
	return nil
}

// Wake makes the sender look for work now.
func (a *Alerts) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *Alerts) saveAlert(ctx context.Context, al Alert) error {
	v, err := json.Marshal(al)
	if err != nil {
		return err
	}
	return wrap("store alert", a.cfg.Records.Put(ctx, alertsScope, al.ID, v, AlertTTL))
}

func (a *Alerts) alert(ctx context.Context, id string) (Alert, bool, error) {
	raw, ok, err := a.cfg.Records.Get(ctx, alertsScope, id)
	if err != nil || !ok {
		return Alert{}, false, wrap("read alert", err)
	}
	var al Alert
	if err := json.Unmarshal(raw, &al); err != nil {
		return Alert{}, false, fmt.Errorf("grannsamverkan: alert unreadable: %w", err)
	}
	return al, true, nil
}

// Run sends queued alerts until ctx ends: when woken, and every Poll. A send under way when
// ctx ends is finished and recorded first.
func (a *Alerts) Run(ctx context.Context) error {
	for {
		if err := a.Drain(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Error("grannsamverkan: sending alerts failed; trying again", "error", err.Error())
		}
		wait, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-a.wake:
				cancel()
			case <-wait.Done():
			}
		}()
		_ = a.cfg.Clock.SleepUntil(wait, a.cfg.Clock.Now().Add(a.cfg.Poll))
		cancel()
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Drain sends every pending job of every alert not done, one at a time, and returns when
// none is left or ctx ends (between jobs).
func (a *Alerts) Drain(ctx context.Context) error {
	all, err := a.cfg.Records.List(ctx, alertsScope)
	if err != nil {
		return wrap("list alerts", err)
	}
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if ctx.Err() != nil {
			return nil
		}
		var al Alert
		if err := json.Unmarshal(all[id], &al); err != nil || al.Done {
			continue
		}
		if err := a.sendAlert(ctx, al); err != nil {
			return err
		}
	}
	return nil
}

// sendAlert sends the pending jobs of al.
func (a *Alerts) sendAlert(ctx context.Context, al Alert) error {
	jobs, err := a.cfg.Records.List(ctx, jobScopePrefix+al.ID)
	if err != nil {
		return wrap("list jobs", err)
	}
	keys := make([]string, 0, len(jobs))
	for k := range jobs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, ombud := range keys {
		if ctx.Err() != nil {
			return nil
		}
		var j job
		if err := json.Unmarshal(jobs[ombud], &j); err != nil || j.State != StatePending {
			continue
		}
		// The rest of a job runs to its end even when ctx ends, so its outcome is recorded.
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		err := a.sendJob(jctx, al, ombud, j)
		cancel()
		if err != nil {
			return err
		}
		a.card(ctx, al, false)
	}
	if ctx.Err() != nil {
		return nil
	}
	al.Done = true
	if err := a.saveAlert(ctx, al); err != nil {
		return err
	}
	a.card(ctx, al, true)
	a.cfg.Log.Info("grannsamverkan: alert sent", "alert", al.ID)
	return nil
}

// sendJob sends one ombud's SMS once: the guard is taken first, so a crash between the
// guard and the record leaves the job unknown and never sent twice.
func (a *Alerts) sendJob(ctx context.Context, al Alert, ombud string, j job) error {
	if _, taken, err := a.cfg.Guard.Remember(ctx, sentScopePrefix+al.ID, ombud, []byte{1}, AlertTTL); err != nil {
		return wrap("guard job", err)
	} else if taken {
		// Another replica sends it, or this one stopped during its send: never again.
		cur, ok, err := a.cfg.Records.Get(ctx, jobScopePrefix+al.ID, ombud)
		if err == nil && ok {
			var c job
			if json.Unmarshal(cur, &c) == nil && c.State == StatePending {
				return a.putJob(ctx, al.ID, ombud, job{State: StateUnknown, Area: j.Area})
			}
		}
		return nil
	}
	to, ok, err := a.cfg.Service.phone(ctx, j.Area, ombud)
	if err != nil {
		return err
	}
	if !ok {
		return a.putJob(ctx, al.ID, ombud, job{State: StateSkipped, Area: j.Area})
	}
	sid, err := a.cfg.Send(ctx, to, al.Text)
	switch {
	case err == nil:
		if sid != "" {
			if err := a.cfg.Records.Put(ctx, sidScope, sid, []byte(al.ID+"/"+ombud), AlertTTL); err != nil {
				a.cfg.Log.Warn("grannsamverkan: delivery of a sent alert SMS will not be counted", "error", err.Error())
			}
		}
		return a.putJob(ctx, al.ID, ombud, job{State: StateSent, SID: sid, Area: j.Area})
	case a.cfg.OptedOut(err):
		if _, derr := a.cfg.Service.DeactivateID(ctx, j.Area, ombud); derr != nil {
			a.cfg.Log.Error("grannsamverkan: opted-out ombud not deactivated", "error", derr.Error())
		}
		return a.putJob(ctx, al.ID, ombud, job{State: StateFailed, Area: j.Area})
	default:
		a.cfg.Log.Warn("grannsamverkan: alert SMS not sent", "alert", al.ID, "error", err.Error())
		return a.putJob(ctx, al.ID, ombud, job{State: StateFailed, Area: j.Area})
	}
}

func (a *Alerts) putJob(ctx context.Context, alert, ombud string, j job) error {
	v, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return wrap("record job", a.cfg.Records.Put(ctx, jobScopePrefix+alert, ombud, v, AlertTTL))
}

// Counts returns the jobs of alert id by state.
func (a *Alerts) Counts(ctx context.Context, id string) (Counts, error) {
	jobs, err := a.cfg.Records.List(ctx, jobScopePrefix+id)
	if err != nil {
		return Counts{}, wrap("list jobs", err)
	}
	var c Counts
	for _, raw := range jobs {
		var j job
		if json.Unmarshal(raw, &j) != nil {
			continue
		}
		c.Total++
		switch j.State {
		case StatePending:
			c.Pending++
		case StateSent:
			c.Sent++
		case StateDelivered:
			c.Delivered++
		case StateFailed:
			c.Failed++
		case StateSkipped:
			c.Skipped++
		default:
			c.Unknown++
		}
	}
	return c, nil
}

// Status takes a Twilio status callback for MessageSid sid: the first of delivered, failed
// or undelivered settles the job of an alert SMS, and error 21610 deactivates the ombud. A sid
// that is not an alert's is ignored. It is the SMS channel's status hook.
func (a *Alerts) Status(ctx context.Context, sid, status, code string) error {
	ref, ok, err := a.cfg.Records.Get(ctx, sidScope, sid)
	if err != nil || !ok {
		return wrap("find alert of status", err)
	}
	alertID, ombud, found := strings.Cut(string(ref), "/")
	if !found {
		return nil
	}
	raw, ok, err := a.cfg.Records.Get(ctx, jobScopePrefix+alertID, ombud)
	if err != nil || !ok {
		return wrap("read job", err)
	}
	var j job
	if err := json.Unmarshal(raw, &j); err != nil {
		return fmt.Errorf("grannsamverkan: job unreadable: %w", err)
	}
	next := j.State
	switch status {
	case "delivered":
		next = StateDelivered
	case "failed", "undelivered":
		next = StateFailed
	}
	if code == "21610" {
		if _, err := a.cfg.Service.DeactivateID(ctx, j.Area, ombud); err != nil {
			return err
		}
	}
	if next == j.State || j.State == StateDelivered || j.State == StateFailed {
		// Nothing new, or the job has its outcome: the first final status wins, as the SMS
		// channel counts it (a late "sent" never undoes "delivered", and a message is never
		// counted both delivered and failed).
		return nil
	}
	j.State = next
	if err := a.putJob(ctx, alertID, ombud, j); err != nil {
		return err
	}
	if al, ok, err := a.alert(ctx, alertID); err == nil && ok {
		a.card(ctx, al, false)
	}
	return nil
}

// card updates the alert's card: at most every cardEvery while it is sent, and always when
// final or when every job has an outcome.
func (a *Alerts) card(ctx context.Context, al Alert, final bool) {
	if a.cfg.Card == nil || al.TS == "" {
		return
	}
	c, err := a.Counts(ctx, al.ID)
	if err != nil {
		a.cfg.Log.Warn("grannsamverkan: alert card not updated", "error", err.Error())
		return
	}
	settled := c.Pending == 0 && c.Sent == 0
	now := a.cfg.Clock.Now()
	a.mu.Lock()
	last, seen := a.lastCard[al.ID]
	due := final || settled || !seen || now.Sub(last) >= cardEvery
	if due {
		a.lastCard[al.ID] = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	if err := a.cfg.Card(ctx, al, c); err != nil {
		a.cfg.Log.Warn("grannsamverkan: alert card not updated", "error", err.Error())
	}
}

// Alert returns alert id.
func (a *Alerts) Alert(ctx context.Context, id string) (Alert, bool, error) { return a.alert(ctx, id) }
