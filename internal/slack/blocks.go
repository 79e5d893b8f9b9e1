package slack

import (
	"strings"

	slackapi "github.com/slack-go/slack"
)

// Limits of Block Kit that trygg's texts could reach.
const (
	maxHeaderLen  = 150  // characters of a header block
	maxSectionLen = 3000 // characters of a section's text
	maxFields     = 10   // fields of one section
	maxQuoteLen   = 600  // characters of a question shown back to staff
	maxWordLen    = 40   // characters of a word shown back (an unknown command)
)

// message is a reply to staff: Block Kit blocks and the plain text Slack shows in
// notifications. Public messages are seen by the whole channel, others only by the asker.
type message struct {
	text   string
	blocks []slackapi.Block
	public bool
}

// webhook returns m as a slash-command response (inline or to a response_url).
func (m *message) webhook() *slackapi.WebhookMessage {
	rt := slackapi.ResponseTypeEphemeral
	if m.public {
		rt = slackapi.ResponseTypeInChannel
	}
	return &slackapi.WebhookMessage{
		ResponseType: rt,
		Text:         m.text,
		Blocks:       &slackapi.Blocks{BlockSet: m.blocks},
	}
}

// options returns m as chat.postMessage options, in thread when thread is not "".
func (m *message) options(thread string) []slackapi.MsgOption {
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(m.text, false),
		slackapi.MsgOptionBlocks(m.blocks...),
		slackapi.MsgOptionDisableLinkUnfurl(),
		slackapi.MsgOptionDisableMediaUnfurl(),
	}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	return opts
}

// notice returns a message of one mrkdwn section, for refusals, errors and usage hints.
func notice(text string) *message {
	return &message{text: plain(text), blocks: []slackapi.Block{section(text)}}
}

// header returns a header block; Slack cuts nothing, so trygg does.
func header(text string) slackapi.Block {
	return slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, truncate(text, maxHeaderLen), false, false))
}

// section returns a section block of mrkdwn text.
func section(mrkdwn string) slackapi.Block {
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, truncate(mrkdwn, maxSectionLen), false, false), nil, nil)
}

// plainSection returns a section block of plain text, shown exactly as written: what a
// resident reads is not reformatted by Slack's mrkdwn.
func plainSection(text string) slackapi.Block {
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, truncate(text, maxSectionLen), false, false), nil, nil)
}

// fields returns section blocks holding the mrkdwn fields, at most maxFields in each, under
// a title section.
func fields(title string, items []string) []slackapi.Block {
	blocks := []slackapi.Block{section(title)}
	for len(items) > 0 {
		n := min(len(items), maxFields)
		objs := make([]*slackapi.TextBlockObject, n)
		for i, it := range items[:n] {
			objs[i] = slackapi.NewTextBlockObject(slackapi.MarkdownType, it, false, false)
		}
		blocks = append(blocks, slackapi.NewSectionBlock(nil, objs, nil))
		items = items[n:]
	}
	return blocks
}

// context returns a context block of mrkdwn texts, the small grey print under a reply.
func contextBlock(mrkdwn ...string) slackapi.Block {
	els := make([]slackapi.MixedElement, len(mrkdwn))
	for i, t := range mrkdwn {
		els[i] = slackapi.NewTextBlockObject(slackapi.MarkdownType, t, false, false)
	}
	return slackapi.NewContextBlock("", els...)
}

// truncate cuts s to at most n characters, ending in … when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// plain strips the mrkdwn markers from a staff text for the notification text.
func plain(mrkdwn string) string {
	return strings.NewReplacer("*", "", "_", "", "`", "").Replace(mrkdwn)
}

// echo returns text staff typed, to show back in mrkdwn: phone and personal identity
// numbers hidden, cut to at most n characters, escaped.
func (b *Poster) echo(s string, n int) string {
	return escape(truncate(b.redact(s), n))
}
