package sms

import (
	"fmt"
	"strings"
	"sync"

	"github.com/twilio/twilio-go/twiml"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
)

// render builds the TwiML answer for replies, one <Message> per reply in order, with
// twilio-go's twiml package (which escapes the text), and analyses what each costs. No
// replies give the empty <Response/>, which sends nothing.
func render(replies []bot.Reply) (answer, error) { return renderSplit(replies, nil) }

// renderSplit is render with each reply cut into the messages split makes of it (nil:
// one message per reply).
func renderSplit(replies []bot.Reply, split func(string) []string) (answer, error) {
	var verbs []twiml.Element
	var infos []gsm7.Info
	for _, r := range replies {
		parts := []string{r.Text}
		if split != nil {
			parts = split(r.Text)
		}
		for _, p := range parts {
			if p == "" {
				continue // an empty <Message/> is an error at Twilio
			}
			verbs = append(verbs, twiml.MessagingMessage{Body: p})
			infos = append(infos, gsm7.Analyze(p))
		}
	}
	if len(replies) > 0 && len(verbs) == 0 {
		return answer{}, fmt.Errorf("render twiml: %d replies, all empty", len(replies))
	}
	doc, err := twiml.Messages(verbs)
	if err != nil {
		return answer{}, fmt.Errorf("render twiml: %w", err)
	}
	return answer{body: []byte(doc), infos: infos}, nil
}

// maxRendered bounds the answers a renderer keeps. Replies come from the locale files, so
// the distinct answers are few (a message per language, age group and danger prefix); the
// bound only guards against a flow that would make them many.
const maxRendered = 1024

// renderer renders answers once and then hands out the same bytes, so the common answers
// cost no XML building per message. It is safe for concurrent use; the bytes it returns
// must not be changed.
type renderer struct {
	mu   sync.RWMutex
	done map[string]answer // by the replies' texts, joined by NUL
	// split cuts a reply into messages (Variant.Split); nil: one message per reply.
	split func(string) []string
}

// render returns the answer for replies, from the cache when it was rendered before.
func (rd *renderer) render(replies []bot.Reply) (answer, error) {
	var b strings.Builder
	for _, r := range replies {
		b.WriteString(r.Text)
		b.WriteByte(0)
	}
	key := b.String()
	rd.mu.RLock()
	a, ok := rd.done[key]
	rd.mu.RUnlock()
	if ok {
		return a, nil
	}
	a, err := renderSplit(replies, rd.split)
	if err != nil {
		return answer{}, err
	}
	rd.mu.Lock()
	if len(rd.done) < maxRendered {
		rd.done[key] = a
	}
	rd.mu.Unlock()
	return a, nil
}
