package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"
)

// HandleCommand answers a /trygg slash command, whichever way it came (HTTP or Socket Mode).
// It calls ack exactly once, within the inline wait: with the answer when it is ready by
// then, else with nil (acknowledge, say nothing yet), and the answer follows through the
// command's response_url. Only the ack must happen on the caller's goroutine; the rest of a
// slow command goes on in the background.
func (b *Bot) HandleCommand(ctx context.Context, cmd slackapi.SlashCommand, ack func(*slackapi.WebhookMessage)) {
	if r := b.refusal(b.home(cmd.TeamID), cmd.TeamID, nil, cmd.ChannelID); r != "" {
		b.log.Info("slack command refused", "reason", "team or channel not allowed")
		ack(notice(r).webhook())
		return
	}
	if !b.tryAcquire() {
		b.log.Warn("slack command refused", "reason", "busy")
		ack(notice(b.text.get("staff_busy", nil)).webhook())
		return
	}
	results := make(chan *slackapi.WebhookMessage) // unbuffered: a send is a handover
	gaveUp := make(chan struct{})
	b.background(ctx, "command", func(ctx context.Context) {
		msg := b.safely(func() *message { return b.command(ctx, cmd) })
		var out *slackapi.WebhookMessage
		if msg != nil {
			out = msg.webhook()
		}
		select {
		case results <- out:
			return
		case <-gaveUp:
		}
		if out == nil {
			return
		}
		if err := b.respond(ctx, cmd.ResponseURL, out); err != nil {
			b.log.Warn("slack: the answer could not be sent to the response_url", "error", err.Error())
		}
	})
	timer := time.NewTimer(b.cfg.InlineWait)
	defer timer.Stop()
	select {
	case out := <-results:
		ack(out)
	case <-ctx.Done():
		close(gaveUp)
		ack(nil)
	case <-timer.C:
		close(gaveUp)
		ack(nil)
	}
}

// safely runs f, turning a panic into the failure notice.
func (b *Bot) safely(f func() *message) (m *message) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("slack command panicked", "panic", fmt.Sprint(p))
			m = notice(b.text.get("staff_failed", nil))
		}
	}()
	return f()
}

// respond posts an answer to a command's response_url.
func (b *Bot) respond(ctx context.Context, url string, msg *slackapi.WebhookMessage) error {
	if url == "" {
		return fmt.Errorf("the command has no response_url")
	}
	ctx, cancel := context.WithTimeout(ctx, responseTimeout)
	defer cancel()
	if err := slackapi.PostWebhookCustomHTTPContext(ctx, url, b.cfg.HTTPClient, msg); err != nil {
		return fmt.Errorf("post to response_url: %w", err)
	}
	return nil
}

// command runs a /trygg command and returns the answer; nil when the answer was already
// posted another way.
func (b *Bot) command(ctx context.Context, cmd slackapi.SlashCommand) *message {
	text := unescape(strings.TrimSpace(cmd.Text))
	word, args := nextWord(text)
	switch norm.NFC.String(strings.ToLower(word)) {
	case "fråga", "fraga", "ask":
		b.log.Info("slack command", "command", "ask")
		return b.ask(ctx, cmd, parseQuestion(args))
	case "statistik", "stats", "statistics":
		b.log.Info("slack command", "command", "stats")
		return b.stats(ctx, args)
	case "lägesbild", "lagesbild", "lägesbilden", "lagesbilden":
		b.log.Info("slack command", "command", "lagesbild")
		return b.lagesbildCommand(ctx, cmd, args)
	case "export", "exportera":
		b.log.Info("slack command", "command", "export")
		return b.exportCommand(ctx, cmd, args)
	case "ombud":
		b.log.Info("slack command", "command", "ombud")
		return b.ombudCommand(ctx, args)
	case "larm", "alert":
		b.log.Info("slack command", "command", "larm")
		return b.alertCommand(ctx, cmd, args)
	case "", "hjälp", "hjalp", "help":
		b.log.Info("slack command", "command", "help")
		return b.help("")
	default:
		b.log.Info("slack command", "command", "unknown")
		return b.help(word)
	}
}

// help returns the help; unknown, when set, is a command that does not exist.
func (b *Bot) help(unknown string) *message {
	t := b.text
	var blocks []slackapi.Block
	if unknown != "" {
		blocks = append(blocks, section(t.get("staff_unknown_command", map[string]any{"Command": b.echo(unknown, maxWordLen)})))
	}
	blocks = append(blocks, header(t.get("staff_help_title", nil)), section(t.get("staff_help", nil)))
	if b.cfg.Grannsamverkan != nil {
		blocks = append(blocks, section(t.get("staff_gs_help", nil)))
	}
	return &message{text: t.get("staff_help_title", nil), blocks: blocks}
}

// ask answers /trygg fråga. Privately it is a throwaway conversation. With --visa trygg
// posts the answer in the channel itself, so that it knows the message and can continue
// the test conversation when staff mention @trygg in its thread; where trygg may not post
// (it is not in the channel), the answer is shown through the command instead.
func (b *Bot) ask(ctx context.Context, cmd slackapi.SlashCommand, q question) *message {
	if q.Text == "" {
		return notice(b.text.get("staff_ask_usage", nil))
	}
	if m := b.checkLang(q.Lang); m != nil {
		return m
	}
	res, err := b.turn(ctx, q)
	if err != nil {
		b.log.Warn("slack: test turn failed", "error", err.Error())
		return notice(b.text.get("staff_failed", nil))
	}
	if !q.Public {
		return b.answer(q, res, notePrivate, "")
	}
	msg := b.answer(q, res, noteThread, cmd.UserID)
	_, ts, err := b.cfg.API.PostMessageContext(ctx, cmd.ChannelID, msg.options("")...)
	if err != nil {
		b.log.Info("slack: could not post in the channel; answering through the command", "error", err.Error())
		return b.answer(q, res, noteNoThread, cmd.UserID)
	}
	if !res.Erase {
		if err := b.save(ctx, testScope(cmd.ChannelID, ts), res.State, 0); err != nil {
			b.log.Warn("slack: the test conversation was not saved", "error", err.Error())
		}
	}
	return nil
}
