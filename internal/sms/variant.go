package sms

import (
	"context"
	"time"
)

// Variant is what another Twilio messaging channel on this webhook does differently from
// SMS; WhatsApp (internal/whatsapp) is one. The zero Variant is SMS. Everything else is
// the same code for both: the method, size, form and signature checks, the account and
// country checks, the pseudonym, dedupe by MessageSid, the limits, the turn, and the
// safety reply whenever something fails.
type Variant struct {
	// Name names the channel: the conversation's channel, the pseudonym's, the metrics'
	// channel label and the prefix of its dedupe ids and limit windows, so a WhatsApp
	// sender and an SMS sender with the same number are separate conversations with
	// separate limits. "" means PseudonymChannel.
	Name string
	// Path is the webhook's route; "" means InboundPath. A variant mounts only its webhook:
	// the status callbacks of every channel come to StatusPath.
	Path string
	// Sender returns the sender's E.164 number (pseudonymised, checked against the
	// countries served), the address the channel reaches them at (given to the features),
	// and whether the form names a sender in the channel's form; nil: From, an E.164
	// number, is both.
	Sender func(params map[string]string) (number, address string, ok bool)
	// Read returns what the resident wrote and whether the message carried media, which
	// is never fetched; nil: Body, and no media.
	Read func(params map[string]string) (text string, media bool)
	// Split cuts one reply into the messages that carry it; nil: one message per reply.
	Split func(text string) []string
	// Held returns the messages kept for the resident of scope until they wrote again
	// (WhatsApp outside its 24-hour window), to go before the turn's replies, and a func
	// that forgets them once they went out; nil: none. It is not asked for a message that
	// erases the conversation.
	Held func(ctx context.Context, scope string) (texts []string, forget func(context.Context) error, err error)
	// Seen is told, after a turn that did not erase the conversation, that the resident
	// of scope wrote at at and that the conversation is in lang now (WhatsApp's window);
	// nil: nothing.
	Seen func(ctx context.Context, scope, lang string, at time.Time) error
}

// name is the variant's channel name.
func (v Variant) name() string {
	if v.Name == "" {
		return PseudonymChannel
	}
	return v.Name
}

// path is the variant's webhook route.
func (v Variant) path() string {
	if v.Path == "" {
		return InboundPath
	}
	return v.Path
}

// isSMS reports whether v is the SMS channel itself, whose replies cost SMS segments.
func (v Variant) isSMS() bool { return v.name() == PseudonymChannel }

// sender returns the sender's number and address, and whether there is one.
func (v Variant) sender(params map[string]string) (number, address string, ok bool) {
	if v.Sender != nil {
		return v.Sender(params)
	}
	from := params["From"]
	return from, from, from != ""
}

// read returns the resident's text and whether media came with it.
func (v Variant) read(params map[string]string) (string, bool) {
	if v.Read != nil {
		return v.Read(params)
	}
	return params["Body"], false
}

// keys are the ids and windows a channel keeps in the store, prefixed with its name.
type keys struct {
	reserve                         string // prefix of MessageSid reservations, in the sender's scope
	sender, global, notice, notices string // rate-limit windows
}

func keysFor(name string) keys {
	p := name + ":"
	return keys{reserve: p, sender: p + "sender", global: p + "global", notice: p + "notice", notices: p + "notices"}
}
