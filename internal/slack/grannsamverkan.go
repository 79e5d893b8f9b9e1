package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"

	"github.com/vasteras/trygg/internal/grannsamverkan"
)

// Grannsamverkan for staff: /trygg ombud inbjudan|lista|ta bort, /trygg larm with a preview
// and the buttons Skicka and Avbryt (action ids starting with gsActionPrefix), and the card
// in the channel that shows how an alert is delivered. No phone number ever appears here:
// the register gives ids, areas and counts only.

// Action ids of the alert preview's buttons.
const (
	gsActionPrefix = "gs_"
	gsActionSend   = "gs_alert_send"
	gsActionCancel = "gs_alert_cancel"
)

// ombudCommand answers /trygg ombud.
func (b *Bot) ombudCommand(ctx context.Context, args string) *message {
	gs := b.cfg.Grannsamverkan
	if gs == nil {
		return notice(b.text.get("staff_gs_off", nil))
	}
	word, rest := nextWord(args)
	switch norm.NFC.String(strings.ToLower(word)) {
	case "inbjudan", "bjud", "invite":
		if strings.TrimSpace(rest) == "" {
			return notice(b.text.get("staff_gs_ombud_usage", nil))
		}
		inv, err := gs.NewInvite(ctx, rest)
		if errors.Is(err, grannsamverkan.ErrUnknownArea) {
			return notice(b.text.get("staff_gs_unknown_area", map[string]any{"Area": b.echo(rest, maxWordLen)}))
		}
		if err != nil {
			b.log.Error("slack: invite not created", "error", err.Error())
			return notice(b.text.get("staff_failed", nil))
		}
		return notice(b.text.get("staff_gs_invite", map[string]any{
			"Area": escape(gs.AreaName(inv.Area)), "Code": inv.Code,
			"Expires": inv.Expires.In(b.loc).Format(time.DateOnly),
		}))
	case "lista", "list":
		return b.ombudList(ctx, gs, rest)
	case "ta":
		if w, id := nextWord(rest); strings.EqualFold(w, "bort") && strings.TrimSpace(id) != "" {
			return b.ombudRemove(ctx, gs, id)
		}
	case "remove", "radera":
		if strings.TrimSpace(rest) != "" {
			return b.ombudRemove(ctx, gs, rest)
		}
	}
	return notice(b.text.get("staff_gs_ombud_usage", nil))
}

// ombudList answers /trygg ombud lista [område]: counts per area, and the ids of one area.
func (b *Bot) ombudList(ctx context.Context, gs *grannsamverkan.Service, arg string) *message {
	area := ""
	if strings.TrimSpace(arg) != "" {
		id, _, err := gs.Area(arg)
		if err != nil {
			return notice(b.text.get("staff_gs_unknown_area", map[string]any{"Area": b.echo(arg, maxWordLen)}))
		}
		area = id
	}
	all, err := gs.List(ctx, area)
	if err != nil {
		b.log.Error("slack: ombud not listed", "error", err.Error())
		return notice(b.text.get("staff_failed", nil))
	}
	title := b.text.get("staff_gs_list_title", nil)
	blocks := []slackapi.Block{header(title)}
	if len(all) == 0 {
		blocks = append(blocks, section(b.text.get("staff_gs_list_none", nil)))
		return &message{text: title, blocks: blocks}
	}
	type tally struct{ active, inactive int }
	counts := map[string]*tally{}
	var areas []string
	for _, o := range all {
		t := counts[o.Area]
		if t == nil {
			t = &tally{}
			counts[o.Area] = t
			areas = append(areas, o.Area)
		}
		if o.Active {
			t.active++
		} else {
			t.inactive++
		}
	}
	slices.SortFunc(areas, func(x, y string) int { return strings.Compare(gs.AreaName(x), gs.AreaName(y)) })
	var lines []string
	for _, a := range areas {
		lines = append(lines, b.text.get("staff_gs_list_area", map[string]any{
			"Area": escape(gs.AreaName(a)), "Active": counts[a].active, "Inactive": counts[a].inactive,
		}))
	}
	blocks = append(blocks, section(strings.Join(lines, "\n")))
	if area != "" {
		ids := make([]string, len(all))
		for i, o := range all {
			ids[i] = "`" + o.ID + "`"
		}
		blocks = append(blocks, section(b.text.get("staff_gs_list_ids", map[string]any{
			"Area": escape(gs.AreaName(area)), "IDs": strings.Join(ids, ", "),
		})))
	}
	return &message{text: title, blocks: blocks}
}

// ombudRemove answers /trygg ombud ta bort <id>.
func (b *Bot) ombudRemove(ctx context.Context, gs *grannsamverkan.Service, id string) *message {
	id = strings.ToUpper(strings.TrimSpace(id))
	o, err := gs.Remove(ctx, id)
	if errors.Is(err, grannsamverkan.ErrNotFound) {
		return notice(b.text.get("staff_gs_not_found", map[string]any{"ID": b.echo(id, maxWordLen)}))
	}
	if err != nil {
		b.log.Error("slack: ombud not removed", "error", err.Error())
		return notice(b.text.get("staff_failed", nil))
	}
	b.log.Info("slack: ombud removed by staff", "ombud", o.ID)
	return notice(b.text.get("staff_gs_removed", map[string]any{"ID": o.ID, "Area": escape(gs.AreaName(o.Area))}))
}

// mayAlert reports whether user is in SLACK_ALERT_USERS.
func (b *Bot) mayAlert(user string) bool {
	return user != "" && slices.Contains(b.cfg.AlertUsers, user)
}

// alertCommand answers /trygg larm <område> <text> with the preview and its buttons.
func (b *Bot) alertCommand(ctx context.Context, cmd slackapi.SlashCommand, args string) *message {
	al := b.cfg.Alerts
	if al == nil || b.cfg.Grannsamverkan == nil {
		return notice(b.text.get("staff_gs_off", nil))
	}
	if !b.mayAlert(cmd.UserID) {
		b.log.Info("slack: alert refused", "reason", "user not in SLACK_ALERT_USERS")
		return notice(b.text.get("staff_gs_alert_refused", nil))
	}
	area, text, ok := b.splitArea(args)
	if !ok {
		if strings.TrimSpace(args) == "" {
			return notice(b.text.get("staff_gs_alert_usage", nil))
		}
		word, _ := nextWord(args)
		return notice(b.text.get("staff_gs_unknown_area", map[string]any{"Area": b.echo(word, maxWordLen)}))
	}
	p, err := al.Prepare(ctx, area, text)
	if err != nil {
		b.log.Error("slack: alert preview failed", "error", err.Error())
		return notice(b.text.get("staff_failed", nil))
	}
	return b.alertPreview(p)
}

// splitArea splits "<område> <text>" where the area may be several words ("Öster
// Mälarstrand"): the longest leading words that name an area.
func (b *Bot) splitArea(args string) (area, text string, ok bool) {
	words := strings.Fields(args)
	for n := min(len(words), 4); n >= 1; n-- {
		cand := strings.Join(words[:n], " ")
		if _, _, err := b.cfg.Grannsamverkan.Area(cand); err == nil {
			// The text keeps its own spacing and line breaks after the area's words.
			rest := args
			for range n {
				_, rest = nextWord(rest)
			}
			return cand, rest, true
		}
	}
	return "", "", false
}

// alertPreview shows the SMS exactly as sent, its cost and reach, and the buttons; a text
// that cannot be sent gets the reason instead of Skicka.
func (b *Bot) alertPreview(p grannsamverkan.Preview) *message {
	t := b.text
	title := t.get("staff_gs_alert_title", map[string]any{"Area": p.AreaName})
	blocks := []slackapi.Block{
		header(title),
		section(t.get("staff_gs_alert_sms", nil)),
	}
	if p.Text != "" {
		blocks = append(blocks, plainSection(p.Text))
	}
	blocks = append(blocks, contextBlock(t.get("staff_gs_alert_meta", map[string]any{
		"Encoding": p.Info.Encoding.String(), "Units": p.Info.Units,
		"Segments":   t.count("staff_segments", int64(p.Info.Segments)),
		"Recipients": t.count("staff_gs_ombud", int64(p.Recipients)),
	})))
	var problem string
	switch {
	case errors.Is(p.Problem, grannsamverkan.ErrTooLong):
		problem = t.get("staff_gs_alert_too_long", map[string]any{"Segments": t.count("staff_segments", int64(p.Info.Segments))})
	case errors.Is(p.Problem, grannsamverkan.ErrNotGSM):
		chars := make([]string, len(p.NonGSM))
		for i, r := range p.NonGSM {
			chars[i] = escape(string(r))
		}
		problem = t.get("staff_gs_alert_not_gsm", map[string]any{"Chars": strings.Join(chars, " ")})
	case errors.Is(p.Problem, grannsamverkan.ErrPersonal):
		problem = t.get("staff_gs_alert_personal", nil)
	case errors.Is(p.Problem, grannsamverkan.ErrEmpty):
		problem = t.get("staff_gs_alert_empty", nil)
	case p.Recipients == 0:
		problem = t.get("staff_gs_alert_nobody", map[string]any{"Area": escape(p.AreaName)})
	}
	if problem != "" {
		blocks = append(blocks, section(problem))
		return &message{text: title, blocks: blocks}
	}
	send := slackapi.NewButtonBlockElement(gsActionSend, p.ID, slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_gs_alert_send", nil), false, false))
	send.Style = slackapi.StylePrimary
	cancel := slackapi.NewButtonBlockElement(gsActionCancel, p.ID, slackapi.NewTextBlockObject(slackapi.PlainTextType, t.get("staff_gs_alert_cancel", nil), false, false))
	blocks = append(blocks, slackapi.NewActionBlock("gs_alert", send, cancel))
	return &message{text: title, blocks: blocks}
}

// gsInteraction takes the alert preview's buttons; false when the interaction is not one.
// Skicka queues the alert, posts its card in the channel and replaces the preview; the
// work runs in the background and is answered through the response_url.
func (b *Bot) gsInteraction(ctx context.Context, cb slackapi.InteractionCallback) (*slackapi.WebhookMessage, bool) {
	if cb.Type != slackapi.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil, false
	}
	act := cb.ActionCallback.BlockActions[0]
	if !strings.HasPrefix(act.ActionID, gsActionPrefix) {
		return nil, false
	}
	if b.cfg.Alerts == nil {
		return notice(b.text.get("staff_gs_off", nil)).webhook(), true
	}
	if !b.mayAlert(cb.User.ID) {
		b.log.Info("slack: alert refused", "reason", "user not in SLACK_ALERT_USERS")
		return b.replace(notice(b.text.get("staff_gs_alert_refused", nil))), true
	}
	if act.ActionID == gsActionCancel {
		return b.replace(notice(b.text.get("staff_gs_alert_cancelled", nil))), true
	}
	if act.ActionID != gsActionSend {
		return nil, true
	}
	if !b.tryAcquire() {
		return notice(b.text.get("staff_busy", nil)).webhook(), true
	}
	b.background(ctx, "alert", func(ctx context.Context) {
		out := b.sendAlert(ctx, cb, act.Value)
		if cb.ResponseURL == "" {
			return
		}
		if err := b.respond(ctx, cb.ResponseURL, out); err != nil {
			b.log.Warn("slack: the alert preview was not replaced", "error", err.Error())
		}
	})
	return nil, true
}

// sendAlert queues the previewed alert, posts its card and returns what replaces the
// preview.
func (b *Bot) sendAlert(ctx context.Context, cb slackapi.InteractionCallback, previewID string) *slackapi.WebhookMessage {
	al, err := b.cfg.Alerts.Queue(ctx, previewID, cb.User.ID)
	if errors.Is(err, grannsamverkan.ErrNoPrev) {
		return b.replace(notice(b.text.get("staff_gs_alert_gone", nil)))
	}
	if err != nil {
		b.log.Error("slack: alert not queued", "error", err.Error())
		return b.replace(notice(b.text.get("staff_failed", nil)))
	}
	card := b.alertCard(al, grannsamverkan.Counts{Total: al.Total, Pending: al.Total})
	channel, ts, err := b.cfg.API.PostMessageContext(ctx, cb.Channel.ID, card.options("")...)
	if err != nil {
		// The alert is sent anyway (the sender finds it); only its card is missing.
		b.log.Warn("slack: the alert card was not posted", "error", err.Error())
		b.cfg.Alerts.Wake()
	} else if err := b.cfg.Alerts.Attach(ctx, al.ID, channel, ts); err != nil {
		b.log.Warn("slack: the alert card was not attached", "error", err.Error())
		b.cfg.Alerts.Wake()
	}
	return b.replace(notice(b.text.get("staff_gs_alert_queued", nil)))
}

// replace returns m as a response that replaces the message with the buttons.
func (b *Bot) replace(m *message) *slackapi.WebhookMessage {
	w := m.webhook()
	w.ReplaceOriginal = true
	return w
}

// alertCard is the card of an alert in the channel: the SMS and how it is delivered.
func (b *Poster) alertCard(al grannsamverkan.Alert, c grannsamverkan.Counts) *message {
	t := b.text
	name := al.Area
	if b.cfg.AreaName != nil {
		name = b.cfg.AreaName(al.Area)
	}
	title := t.get("staff_gs_card_title", map[string]any{"Area": name})
	return &message{text: title, public: true, blocks: []slackapi.Block{
		header(title),
		plainSection(al.Text),
		section(t.get("staff_gs_card_counts", map[string]any{
			"Total": c.Total, "Sent": c.Sent + c.Delivered, "Delivered": c.Delivered,
			"Failed": c.Failed, "Pending": c.Pending, "Skipped": c.Skipped,
		})),
		contextBlock(t.get("staff_gs_card_by", map[string]any{"User": al.By, "ID": al.ID})),
	}}
}

// UpdateAlertCard shows an alert's counts on its card (chat.update); the alert sender
// calls it as sending and status callbacks go.
func (b *Poster) UpdateAlertCard(ctx context.Context, al grannsamverkan.Alert, c grannsamverkan.Counts) error {
	if al.Channel == "" || al.TS == "" {
		return nil
	}
	card := b.alertCard(al, c)
	if _, _, _, err := b.cfg.API.UpdateMessageContext(ctx, al.Channel, al.TS, card.options("")...); err != nil {
		return fmt.Errorf("slack: update alert card: %w", err)
	}
	return nil
}
