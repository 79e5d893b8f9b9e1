package sms

import (
	"fmt"

	"github.com/twilio/twilio-go/twiml"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
)

// render builds the TwiML answer for replies, one <Message> per reply in order, with
// twilio-go's twiml package (which escapes the text), and analyses what each costs. No
// replies give the empty <Response/>, which sends nothing.
func render(replies []bot.Reply) (answer, error) {
	var verbs []twiml.Element
	var infos []gsm7.Info
	for _, r := range replies {
		if r.Text == "" {
			continue // an empty <Message/> is an error at Twilio
		}
		verbs = append(verbs, twiml.MessagingMessage{Body: r.Text})
		infos = append(infos, gsm7.Analyze(r.Text))
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
