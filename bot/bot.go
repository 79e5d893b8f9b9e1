// Package bot is trygg's conversation engine. It is pure: one call takes the state of a
// conversation and one message from a resident, and returns the new state, the replies and
// the events for the host to act on. It does no I/O, keeps no globals and reads the time
// only from its argument, so the terminal, SMS, the web chat, Slack and the tests drive
// exactly the same conversations.
//
// The engine enforces the safety rules itself, whatever the flows say: danger now is
// answered with 112 first, in every state; every reply carries a way to get help; a
// resident whose age is known gets the Brottsofferjouren number for their age and never
// the other one.
package bot

import "github.com/vasteras/trygg/flows/events"

// EventKind names what happened in a turn, for the host to act on. The kinds, which of
// them the flows may emit and who acts on each are listed once, in flows/events.
type EventKind = events.Kind

// The events a turn can emit (see flows/events for each).
const (
	EventReferred         = events.Referred
	EventDanger           = events.Danger
	EventErase            = events.Erase
	EventHandoffRequested = events.HandoffRequested
	EventHandoffStarted   = events.HandoffStarted
	EventRelay            = events.Relay
	EventOmbudJoin        = events.OmbudJoin
	EventOmbudLeave       = events.OmbudLeave
	EventHandoffEnded     = events.HandoffEnded
	EventUnsafePlace      = events.UnsafePlace
	EventLanguage         = events.Language
	EventNotUnderstood    = events.NotUnderstood
	EventOtherLanguage    = events.OtherLanguage
)

// Event is something the host should know about a turn. It never holds message text.
type Event struct {
	Kind EventKind
	// Route is where the resident was referred, for EventReferred ("boj_youth", "police").
	Route string
	// Topic is the resident's topic when the event happened, if any.
	Topic string
	// Lang is the conversation's language.
	Lang string
	// Age is the resident's age group, if known.
	Age AgeGroup
	// Report is the finished report of a place that feels unsafe, for EventUnsafePlace.
	Report *PlaceReport
}

// PlaceReport is a finished report of a place that feels unsafe, as the lägesbild stores
// it: a known place and its area, and fixed values; empty fields were skipped.
type PlaceReport struct {
	Place, Area, Time, Days, Kind string
}

// Message is one message from a resident.
type Message struct {
	// Text is what the resident wrote; any bytes, any length.
	Text string
	// Staffed tells whether staff are on duty to take over a conversation now.
	Staffed bool
	// Invite is the area of a valid, unused Grannsamverkan invite code in this message, as
	// the host found it before the turn; "" when there is none.
	Invite string
	// InviteHeld tells that the invite of the resident's earlier OMBUD message is still
	// valid and kept for them until their JA, as the host found it before the turn: only
	// then does JA register them.
	InviteHeld bool
	// OmbudAreas lists the areas where kontaktombud are active, as the host knows them.
	OmbudAreas []string
	// Channel names the channel the message came by ("sms", "web", "chat"), for the host's
	// records; the engine does not read it.
	Channel string
	// Client is the pseudonym of the client that sent the message, where the channel tells
	// clients apart from conversations (the web chat: the client's address), for the host's
	// limits; "" means the conversation itself. The engine does not read it.
	Client string
	// Media tells that the message carried a picture, voice note or other file, which the
	// channel never fetches (WhatsApp). The resident is asked to write in words; Text is
	// the caption, if any, and is read as usual.
	Media bool
}

// Reply is one message to send to the resident.
type Reply struct {
	// Text is the text to send.
	Text string
	// MessageID is the id of the text in locales/, for tests and statistics.
	MessageID string
	// Lang is the language of the text.
	Lang string
}

// Result is the outcome of one turn.
type Result struct {
	// State is the conversation's new state, to be saved (unless Erase).
	State State
	// Replies are the messages to send, in order.
	Replies []Reply
	// Events are what happened, in order.
	Events []Event
	// Erase is true when everything about the conversation must be deleted.
	Erase bool
}

// HasEvent reports whether the result has an event of kind.
func (r Result) HasEvent(kind EventKind) bool {
	for _, e := range r.Events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// Text joins the replies' texts, one paragraph each, for logs of tests and the terminal.
func (r Result) Text() string {
	s := ""
	for i, rep := range r.Replies {
		if i > 0 {
			s += "\n\n"
		}
		s += rep.Text
	}
	return s
}
