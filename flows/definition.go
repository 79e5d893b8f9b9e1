package flows

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Definition is the conversation graph of flows/main.yaml.
type Definition struct {
	// Start is the node a greeting leads to.
	Start string `yaml:"start"`
	// Fallback is the node for a message the engine does not understand.
	Fallback string `yaml:"fallback"`
	// Safety names the messages and numbers the engine's safety rules use.
	Safety Safety `yaml:"safety"`
	// Globals names the nodes the words that work everywhere lead to.
	Globals Globals `yaml:"globals"`
	// Topics maps recognised topics to the nodes that handle them. The first topic in this
	// list that a message mentions wins, so put the more specific ones first.
	Topics []Topic `yaml:"topics"`
	// Nodes are the steps of the conversations, by id.
	Nodes map[string]*Node `yaml:"nodes"`

	// lines gives the line of each top-level key, for problems.
	lines map[string]int
}

// Safety holds what the engine's safety rules need.
type Safety struct {
	// HelpNumbers are the ways to get help; every reply carries at least one of them.
	HelpNumbers []string `yaml:"help_numbers"`
	// YouthNumber is Brottsofferjouren's number for people under 20.
	YouthNumber string `yaml:"youth_number"`
	// AdultNumber is Brottsofferjouren's number for people 20 and over.
	AdultNumber string `yaml:"adult_number"`
	// Footer is the message appended to a reply that carries no help number.
	Footer string `yaml:"footer"`
	// Danger is the message that comes first when someone is in danger now.
	Danger string `yaml:"danger"`
	// Suicide is the message that comes first when someone may take their life.
	Suicide string `yaml:"suicide"`
	// Safe is the static reply when something inside trygg fails: 112, both numbers, 116 006.
	Safe string `yaml:"safe"`
	// RateLimited is the one notice a sender gets past a channel's message limit: it says
	// no more answers come for a while and gives 112 and both numbers with the age rule.
	RateLimited string `yaml:"rate_limited"`
	// OtherLanguage is said, in each language of OtherLanguageIn, to a message in a
	// language trygg does not speak.
	OtherLanguage string `yaml:"other_language"`
	// OtherLanguageIn lists the languages the OtherLanguage reply is given in, together.
	OtherLanguageIn []string `yaml:"other_language_in"`
	// MaxSegments is the most SMS segments one reply may cost.
	MaxSegments int `yaml:"max_segments"`
	// SMS sets, per language, how its texts go out as SMS where that differs from the
	// default (GSM-7, MaxSegments): Arabic, Persian and Tigrinya cannot be written in GSM-7.
	SMS map[string]SMSRule `yaml:"sms"`
	// AgeUnknownOnly lists messages said only while the age is unknown; they may give
	// both Brottsofferjouren numbers without age variants.
	AgeUnknownOnly []string `yaml:"age_unknown_only"`
}

// SMSRule is how one language's texts go out as SMS.
type SMSRule struct {
	// UCS2 allows characters outside GSM-7: every text of the language is sent as UCS-2
	// (70 characters in one SMS, 67 in each part of a longer one).
	UCS2 bool `yaml:"ucs2"`
	// MaxSegments is the most SMS segments one reply in the language may cost; 0 means
	// Safety.MaxSegments.
	MaxSegments int `yaml:"max_segments"`
}

// Budget returns the SMS rule of lang, with its segment budget filled in.
func (sf Safety) Budget(lang string) SMSRule {
	r := sf.SMS[lang]
	if r.MaxSegments == 0 {
		r.MaxSegments = sf.MaxSegments
	}
	return r
}

// Globals names the nodes of the words that work in every state.
type Globals struct {
	// Erase confirms STOPP/RADERA after everything is erased.
	Erase string `yaml:"erase"`
	// Menu is where MENY leads.
	Menu string `yaml:"menu"`
	// Person is where PERSON leads.
	Person string `yaml:"person"`
	// Language confirms a language switch.
	Language string `yaml:"language"`
	// Nothing is where a message leads that the classifier (bot/classify) reads as
	// needing nothing routed and no danger: an idiom, a joke, a thought said in passing.
	Nothing string `yaml:"nothing"`
	// HandoffEnded and HandoffTimeout are the messages a resident gets when staff end a
	// handoff, or when no staff member answered in time; both give the numbers.
	HandoffEnded   string `yaml:"handoff_ended"`
	HandoffTimeout string `yaml:"handoff_timeout"`
	// HandoffWaiting is the message a resident gets, once per unanswered stretch, when
	// staff answered before but have not answered their latest messages within the wait
	// (or at once outside staffed hours): staff have not been able to answer yet, the
	// numbers, and that the case is still open.
	HandoffWaiting string `yaml:"handoff_waiting"`
	// HandoffFooter is the message added under every staff message a resident receives
	// during a handoff: 112 and the Brottsofferjouren number for their age.
	HandoffFooter string `yaml:"handoff_footer"`
	// OmbudNotRegistered is the message the host sends a resident who was told they joined
	// the Grannsamverkan alerts when the registration failed at the last moment (another
	// ombud used the invite code meanwhile): they are not registered, and how to try again.
	OmbudNotRegistered string `yaml:"ombud_not_registered"`
	// Media is the reply to a picture, voice note or other file (a channel that carries
	// them, WhatsApp): trygg never opens one, so it asks for words, with 112 and the
	// Brottsofferjouren number for the resident's age.
	Media string `yaml:"media"`
}

// Topic sends messages that mention an intent to a node.
type Topic struct {
	Intent string `yaml:"intent"`
	Go     string `yaml:"go"`
	Line   int    `yaml:"-"`
}

// UnmarshalYAML records the topic's line.
func (t *Topic) UnmarshalYAML(v *yaml.Node) error {
	type plain Topic
	if err := v.Decode((*plain)(t)); err != nil {
		return err
	}
	t.Line = v.Line
	return nil
}

// Node is one step of a conversation. It may say a message, emit an event, and then either
// route on a condition, go to another node, wait for the resident's answer, or end.
type Node struct {
	// Say is the id of the message to send (see locales/).
	Say string `yaml:"say"`
	// Event is emitted when the node runs, for the host to act on.
	Event *EventSpec `yaml:"event"`
	// Route picks the next node: the first branch whose condition holds.
	Route []Branch `yaml:"route"`
	// Go is the next node, taken at once.
	Go string `yaml:"go"`
	// Wait makes the node wait for the resident's answer. Keys are answers ("age", "yes",
	// "no", "skip", a digit, or any intent); "else" takes anything else. Without "else",
	// an answer that fits nothing is read as a new message. "age_alone" takes a message
	// that says only an age ("16", "jag är 16"), a bare number that is not one of the
	// node's digits.
	Wait map[string]string `yaml:"wait"`
	// Collect starts a report of a place that feels unsafe: from here on, what the resident
	// says of the place, the time and the kind fills the report, this message included.
	Collect bool `yaml:"collect"`
	// Choices lets the resident answer a waiting question with a digit: 1 sets Slot to the
	// first value, 2 to the second, and so on.
	Choices *Choices `yaml:"choices"`

	// Line is the line of the node's id in its file.
	Line int `yaml:"-"`
	// lines gives the line of each field.
	lines map[string]int
	// waitLines gives the line of each answer of Wait.
	waitLines map[string]int
}

// UnmarshalYAML records the node's lines.
func (n *Node) UnmarshalYAML(v *yaml.Node) error {
	type plain Node
	if err := v.Decode((*plain)(n)); err != nil {
		return err
	}
	n.Line = v.Line // Load moves it to the line of the node's id
	n.lines = map[string]int{}
	n.waitLines = map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		n.lines[v.Content[i].Value] = v.Content[i].Line
		if v.Content[i].Value != "wait" {
			continue
		}
		// A shared list of answers (wait: *menu_choices) is located where it is written.
		w := v.Content[i+1]
		if w.Kind == yaml.AliasNode && w.Alias != nil {
			w = w.Alias
		}
		if w.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(w.Content); j += 2 {
				n.waitLines[w.Content[j].Value] = w.Content[j].Line
			}
		}
	}
	return nil
}

// WaitLine is the line of an answer of the node's Wait, or the line of its wait field.
func (n *Node) WaitLine(answer string) int {
	if l, ok := n.waitLines[answer]; ok {
		return l
	}
	return n.FieldLine("wait")
}

// FieldLine is the line of a field of the node, or the node's line.
func (n *Node) FieldLine(field string) int {
	if l, ok := n.lines[field]; ok {
		return l
	}
	return n.Line
}

// Ends reports whether the conversation ends after this node (it goes nowhere and waits for nothing).
func (n *Node) Ends() bool {
	return n.Go == "" && len(n.Route) == 0 && len(n.Wait) == 0
}

// Choices are the numbered answers to a question that fills a report slot.
type Choices struct {
	// Slot is "time", "days" or "kind".
	Slot string `yaml:"slot"`
	// Values are the slot's values for the answers 1, 2, 3 …
	Values []string `yaml:"values"`
}

// Slots of a report of a place that feels unsafe, and the wait answers that say this message
// filled one: "place", "when" (time or days) and "kind".
var Slots = []string{"place", "time", "days", "kind"}

// EventSpec is an event a node emits.
type EventSpec struct {
	// Kind is the event's kind, one of those flows/events lets a flow emit
	// (events.FlowKinds: "referred", "handoff_requested", "handoff_started", "ombud_join",
	// "ombud_leave", "unsafe_place"). After "handoff_started" staff read and answer the resident's messages
	// and the engine answers only danger and STOPP until the host ends the handoff.
	Kind string `yaml:"kind"`
	// Route names where the resident was referred, for "referred": "boj_youth", "police" …
	Route string `yaml:"route"`
}

// Branch is one way out of a route.
type Branch struct {
	// If is the condition; empty means always. See Condition.
	If string `yaml:"if"`
	// Go is the node to take when the condition holds.
	Go string `yaml:"go"`

	// Cond is If, parsed.
	Cond Condition `yaml:"-"`
	// Line is the branch's line.
	Line int `yaml:"-"`
}

// UnmarshalYAML parses the branch's condition.
func (b *Branch) UnmarshalYAML(v *yaml.Node) error {
	type plain Branch
	if err := v.Decode((*plain)(b)); err != nil {
		return err
	}
	b.Line = v.Line
	c, err := ParseCondition(b.If)
	if err != nil {
		return fmt.Errorf("line %d: %w", v.Line, err)
	}
	b.Cond = c
	return nil
}

// Condition is a test on the conversation, written the way a person would say it:
//
//	age < 20        the age is known and below 20
//	age >= 20       the age is known and 20 or more
//	age unknown     no age is known, or it may be on either side of 20
//	asked ask_age   the node ask_age has already waited for an answer
//	topic support   the last topic was support
//	sex f           the victim is a woman or girl, as far as the resident said (also: sex m)
//	victim child    the conversation is about the resident's child (also: self, partner,
//	                relative, friend, other)
//	staffed         staff are on duty to take over the conversation
//	has place       the report being collected names a place (also: has when, has kind)
//	place named     this message names a known place
//	invite valid    this message holds a valid Grannsamverkan invite code (the host checks it)
//	invite held     the invite of the resident's earlier OMBUD message is still valid and
//	                kept for them until their JA (the host checks it)
//	ombud active    the area of the place named has active kontaktombud (the host knows)
//
// The empty condition always holds.
type Condition struct {
	// Subject is "", "age", "asked", "topic", "sex", "victim", "staffed" or "has".
	Subject string
	// Op is "<", ">=", "unknown" for age; empty otherwise.
	Op string
	// N is the age for "<" and ">=".
	N int
	// Name is the node, topic or slot for "asked", "topic" and "has", the sex for "sex",
	// the relation for "victim", and "held" for "invite held".
	Name string
}

// ParseCondition parses a branch's condition.
func ParseCondition(s string) (Condition, error) {
	f := strings.Fields(s)
	switch {
	case len(f) == 0:
		return Condition{}, nil
	case f[0] == "age" && len(f) == 2 && f[1] == "unknown":
		return Condition{Subject: "age", Op: "unknown"}, nil
	case f[0] == "age" && len(f) == 3 && (f[1] == "<" || f[1] == ">="):
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 1 || n > 120 {
			return Condition{}, fmt.Errorf("condition %q: %q is not an age", s, f[2])
		}
		return Condition{Subject: "age", Op: f[1], N: n}, nil
	case (f[0] == "asked" || f[0] == "topic") && len(f) == 2:
		return Condition{Subject: f[0], Name: f[1]}, nil
	case f[0] == "sex" && len(f) == 2 && (f[1] == "f" || f[1] == "m"):
		return Condition{Subject: "sex", Name: f[1]}, nil
	case f[0] == "victim" && len(f) == 2 && validVictim(f[1]):
		return Condition{Subject: "victim", Name: f[1]}, nil
	case f[0] == "staffed" && len(f) == 1:
		return Condition{Subject: "staffed"}, nil
	case f[0] == "has" && len(f) == 2 && (f[1] == "place" || f[1] == "when" || f[1] == "kind"):
		return Condition{Subject: "has", Name: f[1]}, nil
	case s == "place named", s == "invite valid", s == "ombud active":
		return Condition{Subject: f[0]}, nil
	case s == "invite held":
		return Condition{Subject: "invite", Name: "held"}, nil
	}
	return Condition{}, fmt.Errorf("condition %q: write one of \"age < 20\", \"age >= 20\", \"age unknown\", \"asked <node>\", \"topic <name>\", \"sex f|m\", \"victim child|partner|relative|friend|other|self\", \"staffed\", \"has place|when|kind\", \"place named\", \"invite valid\", \"invite held\", \"ombud active\"", s)
}

// validVictim reports whether name is a relation a victim may have to the resident.
func validVictim(name string) bool {
	switch name {
	case "self", "child", "partner", "relative", "friend", "other":
		return true
	}
	return false
}

// String writes the condition back the way it is written in a flow file.
func (c Condition) String() string {
	switch {
	case c.Subject == "":
		return ""
	case c.Subject == "age" && c.Op == "unknown":
		return "age unknown"
	case c.Subject == "age":
		return fmt.Sprintf("age %s %d", c.Op, c.N)
	case c.Subject == "staffed":
		return "staffed"
	case c.Subject == "place":
		return "place named"
	case c.Subject == "invite" && c.Name == "held":
		return "invite held"
	case c.Subject == "invite":
		return "invite valid"
	case c.Subject == "ombud":
		return "ombud active"
	}
	return c.Subject + " " + c.Name
}
