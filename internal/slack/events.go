package slack

import (
	"context"
	"regexp"
	"slices"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"golang.org/x/text/unicode/norm"
)

// userMention matches a mention of a user or bot in the text Slack sends: <@U0123> or
// <@U0123|name>.
var userMention = regexp.MustCompile(`<@[A-Z0-9]+(?:\|[^>]*)?>`)

// askWords may start a mention, as they start /trygg fråga.
var askWords = []string{"fråga", "fraga", "ask"}

// HandleEvent takes one Events API event, whichever way it came (HTTP or Socket Mode). It
// returns at once: an @trygg mention is answered in the background, once per event id
// however often Slack delivers it. It returns ErrBusy when every worker is taken; the
// transport should then not acknowledge the event, so Slack delivers it again later.
func (b *Bot) HandleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	if ev.Type != slackevents.CallbackEvent {
		return nil
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return nil
	}
	if msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok {
		return b.handoffReply(ctx, cb, msg)
	}
	m, ok := ev.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok {
		return nil // trygg subscribes to app_mention and messages (handoff threads) only
	}
	if m.BotID != "" || b.isOwnUser(cb, m.User) {
		return nil // bots, trygg itself included, get no answer: no loops
	}
	if !b.tryAcquire() {
		b.log.Warn("slack event put off", "reason", "busy")
		return ErrBusy
	}
	if b.seen(ctx, cb.EventID) {
		b.release()
		b.log.Debug("slack event already handled")
		return nil
	}
	refused := b.refusal(b.home(installation(cb)), cb.TeamID, eventTeams(cb, m.UserTeam, m.SourceTeam), m.Channel)
	b.background(ctx, "mention", func(ctx context.Context) { b.mention(ctx, refused, *m) })
	return nil
}

// isOwnUser reports whether user is the bot user the event was delivered to.
func (b *Bot) isOwnUser(cb *slackevents.EventsAPICallbackEvent, user string) bool {
	for _, a := range cb.Authorizations {
		if a.IsBot && a.UserID == user {
			return true
		}
	}
	return false
}

// mention answers "@trygg <text>" like /trygg fråga, in the mention's thread: the first
// mention starts a thread and a test conversation under it, later mentions in the thread
// continue that conversation. refused, when not "", is why the mention is not served.
func (b *Bot) mention(ctx context.Context, refused string, m slackevents.AppMentionEvent) {
	b.log.Info("slack mention")
	thread := m.ThreadTimeStamp
	if thread == "" {
		thread = m.TimeStamp
	}
	var msg *message
	if refused != "" {
		b.log.Info("slack mention refused", "reason", "team or channel not allowed")
		msg = notice(refused)
	} else {
		msg = b.mentionAnswer(ctx, m, thread)
	}
	if _, _, err := b.cfg.API.PostMessageContext(ctx, m.Channel, msg.options(thread)...); err != nil {
		b.log.Warn("slack: the answer to a mention could not be posted", "error", err.Error())
	}
}

// mentionAnswer runs the turn of a mention and renders it.
func (b *Bot) mentionAnswer(ctx context.Context, m slackevents.AppMentionEvent, thread string) *message {
	text := strings.TrimSpace(userMention.ReplaceAllString(unescape(m.Text), ""))
	if word, rest := nextWord(text); slices.Contains(askWords, norm.NFC.String(strings.ToLower(word))) {
		text = rest
	}
	q := parseQuestion(text)
	if q.Text == "" {
		return notice(b.text.get("staff_ask_usage", nil))
	}
	if msg := b.checkLang(q.Lang); msg != nil {
		return msg
	}
	res, err := b.continueTurn(ctx, testScope(m.Channel, thread), q)
	if err != nil {
		b.log.Warn("slack: test turn failed", "error", err.Error())
		return notice(b.text.get("staff_failed", nil))
	}
	return b.answer(q, res, noteThread, "")
}

// HandleInteraction takes a button press or a modal submission: the buttons of a handoff
// card (Ta ärendet, Avsluta) are handled in the background, and the card is updated when
// done. The returned message, when not nil, is shown to whoever pressed.
func (b *Bot) HandleInteraction(ctx context.Context, cb slackapi.InteractionCallback) *slackapi.WebhookMessage {
	if r := b.refusal(b.home(cb.Team.ID), cb.Team.ID, []string{cb.User.TeamID}, cb.Channel.ID); r != "" {
		b.log.Info("slack interaction refused", "reason", "team or channel not allowed")
		return notice(r).webhook()
	}
	if b.handoffAction(ctx, cb) {
		return nil
	}
	if m, ok := b.gsInteraction(ctx, cb); ok {
		return m
	}
	b.log.Debug("slack interaction ignored", "type", string(cb.Type))
	return nil
}
