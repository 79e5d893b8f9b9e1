package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/vasteras/trygg/internal/handoff"
)

// Action ids of the buttons on a handoff card; the value is the case code.
const (
	ActionTake = "handoff_take"
	ActionEnd  = "handoff_end"
)

// Desk is what the staff channel needs of the handoff service: *handoff.Service is one.
type Desk interface {
	// Take marks a case as taken by user, once, and returns who has it.
	Take(ctx context.Context, code, user string) (string, error)
	// End ends a case because user pressed Avsluta.
	End(ctx context.Context, code, user string) error
	// StaffReply sends a staff reply in the thread of the card at ts to the resident.
	StaffReply(ctx context.Context, ts, user, text string) error
}

// PostCase posts a case's card to channel and returns its ts.
func (b *Poster) PostCase(ctx context.Context, channel string, c handoff.Card) (string, error) {
	m := b.caseCard(c)
	_, ts, err := b.cfg.API.PostMessageContext(ctx, channel, m.options("")...)
	if err != nil {
		return "", fmt.Errorf("post case card: %w", err)
	}
	return ts, nil
}

// UpdateCase shows c on the card at ts.
func (b *Poster) UpdateCase(ctx context.Context, channel, ts string, c handoff.Card) error {
	m := b.caseCard(c)
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(m.text, false), slackapi.MsgOptionBlocks(m.blocks...)}
	if _, _, _, err := b.cfg.API.UpdateMessageContext(ctx, channel, ts, opts...); err != nil {
		return fmt.Errorf("update case card: %w", err)
	}
	return nil
}

// PostNote posts n in the thread of the card at ts. A resident's words are shown as plain
// text with phone and personal identity numbers hidden.
func (b *Poster) PostNote(ctx context.Context, channel, ts string, n handoff.Note) error {
	if _, _, err := b.cfg.API.PostMessageContext(ctx, channel, b.caseNote(n).options(ts)...); err != nil {
		return fmt.Errorf("post in case thread: %w", err)
	}
	return nil
}

// caseCard renders a case: who, what about, its state and the buttons while it is open.
func (b *Poster) caseCard(c handoff.Card) *message {
	t := b.text
	title := t.get("staff_handoff_title", map[string]any{"Code": c.Code})
	topic := t.get("staff_handoff_topic_none", nil)
	if c.Topic != "" {
		topic = "`" + escape(c.Topic) + "`"
	}
	age := c.Age
	if age == "" {
		age = "unknown"
	}
	items := []string{
		t.get("staff_handoff_channel", map[string]any{"Channel": t.get("staff_handoff_channel_"+c.Channel, nil)}),
		t.get("staff_handoff_lang", map[string]any{"Lang": t.langName(c.Lang)}),
		t.get("staff_handoff_topic", map[string]any{"Topic": topic}),
		t.get("staff_handoff_age", map[string]any{"Age": t.get("staff_handoff_age_"+age, nil)}),
		t.get("staff_handoff_started", map[string]any{"Time": c.Started.In(b.loc).Format("2006-01-02 15:04")}),
	}
	blocks := []slackapi.Block{header(title)}
	blocks = append(blocks, fields("", items)[1:]...)
	var status string
	switch {
	case c.Ended == handoff.EndedStaff:
		status = t.get("staff_handoff_ended_staff", map[string]any{"User": c.EndedBy})
	case c.Ended == handoff.EndedTimeout:
		status = t.get("staff_handoff_ended_timeout", nil)
	case c.Ended == handoff.EndedResident:
		status = t.get("staff_handoff_ended_resident", nil)
	case c.Ended == handoff.EndedExpired:
		status = t.get("staff_handoff_ended_expired", map[string]any{"Idle": b.span(b.cfg.HandoffIdle)})
	case c.TakenBy != "":
		status = t.get("staff_handoff_taken", map[string]any{"User": c.TakenBy})
	default:
		status = t.get("staff_handoff_waiting", map[string]any{"Wait": b.span(b.cfg.HandoffWait)})
	}
	if c.Ended != "" && c.TakenBy != "" {
		status = t.get("staff_handoff_taken", map[string]any{"User": c.TakenBy}) + "\n" + status
	}
	blocks = append(blocks, section(status))
	if c.Ended == "" {
		var els []slackapi.BlockElement
		if c.TakenBy == "" {
			take := slackapi.NewButtonBlockElement(ActionTake, c.Code, slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_handoff_take", nil), false, false))
			take.Style = slackapi.StylePrimary
			els = append(els, take)
		}
		end := slackapi.NewButtonBlockElement(ActionEnd, c.Code, slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_handoff_end", nil), false, false))
		end.Style = slackapi.StyleDanger
		end.Confirm = slackapi.NewConfirmationBlockObject(
			slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_handoff_end_confirm_title", nil), false, false),
			slackapi.NewTextBlockObject(slackapi.MarkdownType, t.get("staff_handoff_end_confirm", nil), false, false),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_handoff_end_confirm_yes", nil), false, false),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_handoff_end_confirm_no", nil), false, false),
		)
		els = append(els, end)
		blocks = append(blocks, slackapi.NewActionBlock("handoff_actions", els...))
	}
	blocks = append(blocks, contextBlock(t.get("staff_handoff_privacy", nil)))
	return &message{text: title, blocks: blocks, public: true}
}

// caseNote renders a note in a case's thread.
func (b *Poster) caseNote(n handoff.Note) *message {
	t := b.text
	switch n.Kind {
	case handoff.NoteResident, handoff.NoteDanger:
		id := "staff_handoff_resident"
		if n.Kind == handoff.NoteDanger {
			id = "staff_handoff_danger"
		}
		words := truncate(b.redact(n.Text), maxSectionLen)
		if strings.TrimSpace(words) == "" {
			words = "–"
		}
		lead := t.get(id, nil)
		return &message{text: plain(lead) + " " + escape(words), blocks: []slackapi.Block{section(lead), plainSection(words)}, public: true}
	case handoff.NoteEnded:
		id := "staff_handoff_ended_" + n.Reason
		s := t.get(id, map[string]any{"User": n.By, "Idle": b.span(b.cfg.HandoffIdle)}) + "\n" + t.get("staff_handoff_note_ended", nil)
		return notice(s)
	case handoff.NoteWaited:
		id := "staff_handoff_waited_wait"
		if n.Reason == handoff.WaitedOffHours {
			id = "staff_handoff_waited_off_hours"
		}
		return notice(t.get(id, map[string]any{"Wait": b.span(b.cfg.HandoffWait)}) + "\n" + t.get("staff_handoff_note_open", nil))
	case handoff.NoteUndelivered:
		switch n.Reason {
		case "":
		case handoff.UndeliveredWaiting:
			return notice(t.get("staff_handoff_waited_undelivered", nil))
		default:
			// An outbox's reason (WhatsApp's window, an opt-out): its own text when there
			// is one.
			id := "staff_handoff_undelivered_" + n.Reason
			if s := t.get(id, nil); s != id {
				return notice(s)
			}
		}
		return notice(t.get("staff_handoff_undelivered", nil))
	default:
		return notice(t.get("staff_handoff_undelivered", nil))
	}
}

// span writes a duration for staff: "10 minuter", or whole hours from two hours up
// ("24 timmar").
func (b *Poster) span(d time.Duration) string {
	if d >= 2*time.Hour && d%time.Hour == 0 {
		return b.text.count("staff_span_hours", int64(d/time.Hour))
	}
	return b.text.count("staff_span_minutes", int64(d.Round(time.Minute)/time.Minute))
}

// handoffAction handles a press of a case card's button in the background.
func (b *Bot) handoffAction(ctx context.Context, cb slackapi.InteractionCallback) bool {
	if b.cfg.Desk == nil || cb.Type != slackapi.InteractionTypeBlockActions || cb.Channel.ID != b.cfg.StaffChannel {
		return false
	}
	handled := false
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || (a.ActionID != ActionTake && a.ActionID != ActionEnd) || a.Value == "" {
			continue
		}
		handled = true
		if !b.tryAcquire() {
			b.log.Warn("slack: handoff button put off", "reason", "busy")
			continue
		}
		id, code, user := a.ActionID, a.Value, cb.User.ID
		b.background(ctx, "handoff button", func(ctx context.Context) {
			var err error
			if id == ActionTake {
				var holder string
				holder, err = b.cfg.Desk.Take(ctx, code, user)
				if err == nil && holder != user {
					b.log.Info("slack: handoff case already taken by someone else")
				}
			} else {
				err = b.cfg.Desk.End(ctx, code, user)
			}
			if err != nil {
				b.log.Error("slack: handoff button failed", "action", id, "error", err.Error())
			}
		})
	}
	return handled
}

// handoffReply passes a staff reply in a case card's thread to the handoff service (bots,
// trygg itself and edits are not replies). A reply from another workspace, or from a user
// of another organisation in a shared channel, is refused like a command from there: it
// never reaches the resident, and the thread says so.
func (b *Bot) handoffReply(ctx context.Context, cb *slackevents.EventsAPICallbackEvent, m *slackevents.MessageEvent) error {
	if b.cfg.Desk == nil || m.Channel != b.cfg.StaffChannel || m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp {
		return nil
	}
	if m.BotID != "" || (m.SubType != "" && m.SubType != "thread_broadcast") || m.User == "" || b.isOwnUser(cb, m.User) {
		return nil
	}
	refused := outsider(b.home(installation(cb)), cb.TeamID, eventTeams(cb, m.UserTeam, m.SourceTeam)...)
	if !b.tryAcquire() {
		b.log.Warn("slack: handoff reply put off", "reason", "busy")
		return ErrBusy
	}
	if b.seen(ctx, cb.EventID) {
		b.release()
		return nil
	}
	if refused {
		b.log.Warn("slack: handoff reply refused", "reason", "team not allowed")
		channel, thread := m.Channel, m.ThreadTimeStamp
		b.background(ctx, "handoff reply refused", func(ctx context.Context) {
			msg := notice(b.text.get("staff_refused_team", nil))
			if _, _, err := b.cfg.API.PostMessageContext(ctx, channel, msg.options(thread)...); err != nil {
				b.log.Warn("slack: the refusal of a handoff reply could not be posted", "error", err.Error())
			}
		})
		return nil
	}
	ts, user, text := m.ThreadTimeStamp, m.User, staffText(m.Text)
	b.background(ctx, "handoff reply", func(ctx context.Context) {
		if err := b.cfg.Desk.StaffReply(ctx, ts, user, text); err != nil {
			b.log.Error("slack: handoff reply failed", "error", err.Error())
		}
	})
	return nil
}

// seen reports whether event id was handled before, and remembers it.
func (b *Bot) seen(ctx context.Context, id string) bool {
	if id == "" {
		return false
	}
	_, seen, err := b.cfg.Store.Remember(ctx, eventScope, id, []byte{1}, eventTTL)
	if err != nil {
		// Better an answer twice than none: go on.
		b.log.Warn("slack: event id not remembered", "error", err.Error())
	}
	return seen
}
