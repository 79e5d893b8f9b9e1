package conversation

import (
	"context"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/store"
)

// Inbound is one message a channel hands the service: everything the turn, the features
// and remembering the reply need, and nothing of the channel's wire format. A channel only
// translates: it builds an Inbound, calls Service.Handle and renders the Outcome.
type Inbound struct {
	// Channel is the channel the message came by: "sms", "web", "chat".
	Channel string
	// Scope is the conversation's pseudonym. A preview may leave it empty: the turn then
	// starts a conversation that is never loaded nor saved.
	Scope string
	// Client is the pseudonym of the client that sent the message, where the channel tells
	// clients apart from conversations (the web chat: the client's address); "" means the
	// conversation itself.
	Client string
	// Address is where the channel reaches the resident (the phone number for SMS), for
	// the features that must write back (a handoff, Grannsamverkan). It goes only to
	// features; it is never stored in plain text nor logged.
	Address string
	// Text is what the resident wrote.
	Text string
	// Media tells that the message carried a picture, voice note or other file, which the
	// channel never fetched nor stored (bot.Message.Media).
	Media bool
	// Lang, when set, is the language the conversation is in before the turn, as if the
	// resident had chosen it with a switch word (a preview's --lang, the terminal's
	// --lang).
	Lang string
	// Preview marks a turn staff run to see what a resident would get (/trygg fråga): it
	// runs the features' Before steps, which must not write anything in a preview, and
	// nothing else: no statistics, no After steps, no remembered reply. A preview with a
	// Scope (a test conversation in a Slack thread) loads and saves that scope only.
	Preview bool
	// At is when the message arrived; zero means the service's clock now.
	At time.Time

	// ReplyID, when set, is the id the rendered reply is remembered under in the
	// conversation's scope for ReplyTTL, so a repeated delivery of the same message gets
	// the same answer without a second turn (SMS: the MessageSid). The service remembers
	// it with the saved state in one step where the store can (store.ReplySaver), else
	// just after the turn; never for a turn that erased the conversation.
	ReplyID  string
	ReplyTTL time.Duration
	// Render renders the replies as the channel sends them (TwiML), for the remembered
	// reply and Outcome.Rendered. A reply that cannot be rendered makes the turn degraded
	// with the safety reply.
	Render func([]bot.Reply) ([]byte, error)

	// Loaded, when set, is the conversation the channel loaded just before (store.Admit):
	// the first attempt runs on it instead of loading. A save that conflicts loads afresh.
	Loaded *store.Conversation
	// FirstTTL, when set, is how long a conversation this message starts is kept, until the
	// resident's next message gives it Config.TTL: a conversation that never gets past its
	// first message is gone soon (the web chat, where a new one costs a click). A turn
	// that starts a handoff keeps Config.TTL.
	FirstTTL time.Duration
	// NewScope, when set, gives the conversation a new scope when the turn starts a
	// handoff: the service moves the saved conversation there before the features act, so
	// staff read along under a scope nobody else has seen (the web chat renews its session
	// id). ok false keeps the old scope. Outcome.Scope tells where the conversation is.
	NewScope func() (scope string, ok bool)
}

// client is the pseudonym the limits count the message under.
func (in Inbound) client() string {
	if in.Client != "" {
		return in.Client
	}
	return in.Scope
}

// Feature joins every turn the service runs: it may add what it knows to the message
// before the turn, and act on the outcome after it. Lägesbild recording, Grannsamverkan,
// handoffs and metrics are features; a channel never calls one.
type Feature interface {
	// Name names the feature in logs.
	Name() string
	// Before adds what the feature knows to msg before the turn (an invite's area, whether
	// staff are on duty). It runs on the resident's request within the turn's deadline, so
	// it must be quick; in a preview it must not write anything. An error is logged and
	// counted and the turn goes on with what was set so far: a feature never keeps a
	// resident from an answer.
	Before(ctx context.Context, in Inbound, msg *bot.Message) error
	// After acts on a turn once it is answered: saved, or degraded to the safety reply
	// (Outcome.Degraded). It runs on the resident's request before the answer goes out,
	// so anything slow belongs in the background. It is never called for a preview. An
	// error is logged and counted; it never changes the answer.
	After(ctx context.Context, in Inbound, o Outcome) error
}

// Register adds features to every turn, in order: their Before steps run in this order
// before the turn and their After steps in this order after it. Register them when the
// service is built, before the first turn.
func (s *Service) Register(fs ...Feature) {
	s.features = append(s.features, fs...)
}
