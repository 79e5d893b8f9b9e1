// Package events is the one list of what a turn can tell the host: every kind of event
// the engine emits, which of them a node of the flows may emit (event: in
// flows/*.yaml, checked by `trygg flows check`), what each carries, and who acts on it.
// The engine (bot), the flow checker (flows) and the host's features
// (internal/conversation's features: lägesbild, Grannsamverkan, handoff, metrics) share
// it, so a kind cannot be known to one and unknown to another.
package events

// Kind names what happened in a turn, for the host to act on.
type Kind string

// The kinds of events a turn can emit.
const (
	// Referred: the resident was given a route to help (Event.Route names it).
	Referred Kind = "referred"
	// Danger: the resident seems to be in danger now; 112 was given first.
	Danger Kind = "danger"
	// Erase: the resident asked to erase everything; the host must delete every record of
	// the conversation.
	Erase Kind = "erase"
	// HandoffRequested: the resident asked for a person.
	HandoffRequested Kind = "handoff_requested"
	// HandoffStarted: the resident agreed that staff take over; the host opens the case.
	HandoffStarted Kind = "handoff_started"
	// Relay: staff have taken over; the host passes the message on to them.
	Relay Kind = "relay"
	// OmbudJoin: the resident agreed to join the Grannsamverkan alerts with the invite
	// code of their message before; the host registers them.
	OmbudJoin Kind = "ombud_join"
	// OmbudLeave: the resident left the Grannsamverkan alerts; the host removes them.
	OmbudLeave Kind = "ombud_leave"
	// HandoffEnded: the handoff ended (Event.Route is the Ended reason).
	HandoffEnded Kind = "handoff_ended"
	// UnsafePlace: the resident told of a place that feels unsafe (Event.Report).
	UnsafePlace Kind = "unsafe_place"
	// Language: the conversation's language changed (Event.Lang).
	Language Kind = "language"
	// NotUnderstood: nothing in the message was understood; the fallback was given.
	NotUnderstood Kind = "not_understood"
	// OtherLanguage: the message was in a language trygg does not speak.
	OtherLanguage Kind = "other_language"
)

// Ended is why a handoff ended: the Route of a HandoffEnded event.
type Ended string

// Why a handoff ends.
const (
	// EndedResident: the resident wrote STOPP (or erased the conversation).
	EndedResident Ended = "resident"
	// EndedStaff: staff pressed Avsluta.
	EndedStaff Ended = "staff"
	// EndedTimeout: nobody from staff answered within the wait.
	EndedTimeout Ended = "timeout"
	// EndedExpired: an answered case had no message either way for the conversation's
	// lifetime.
	EndedExpired Ended = "expired"
)

// Spec says what an event of a kind is.
type Spec struct {
	Kind Kind
	// Flow is true when a node of the flows may emit it; the others only the engine does.
	Flow bool
	// Route is true when the event names a route (Event.Route), which a node must give.
	Route bool
	// ActedOn names the host's feature that acts on it, "" when only statistics count it.
	ActedOn string
}

// specs is the list, in the order of the constants.
var specs = []Spec{
	{Kind: Referred, Flow: true, Route: true},
	{Kind: Danger},
	{Kind: Erase, ActedOn: "conversation"},
	{Kind: HandoffRequested, Flow: true},
	{Kind: HandoffStarted, Flow: true, ActedOn: "handoff"},
	{Kind: Relay, ActedOn: "handoff"},
	{Kind: OmbudJoin, Flow: true, ActedOn: "grannsamverkan"},
	{Kind: OmbudLeave, Flow: true, ActedOn: "grannsamverkan"},
	{Kind: HandoffEnded, ActedOn: "handoff"},
	{Kind: UnsafePlace, Flow: true, ActedOn: "lagesbild"},
	{Kind: Language},
	{Kind: NotUnderstood},
	{Kind: OtherLanguage},
}

// All returns every kind's spec, in a fixed order.
func All() []Spec { return append([]Spec(nil), specs...) }

// Lookup returns the spec of kind k and whether k is a kind.
func Lookup(k Kind) (Spec, bool) {
	for _, s := range specs {
		if s.Kind == k {
			return s, true
		}
	}
	return Spec{}, false
}

// FlowKinds returns the kinds a node of the flows may emit, in a fixed order.
func FlowKinds() []Kind {
	var out []Kind
	for _, s := range specs {
		if s.Flow {
			out = append(out, s.Kind)
		}
	}
	return out
}
