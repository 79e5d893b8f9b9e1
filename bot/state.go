package bot

import (
	"encoding/json"
	"fmt"
)

// StateVersion is the version of the state's encoding. Raise it when the meaning of a
// field changes, and teach Decode to read the older versions.
const StateVersion = 1

// maxAsked bounds how many asked questions a state remembers.
const maxAsked = 4

// State is what trygg remembers of one conversation between two messages: no message text,
// no phone number, only what routing needs. Its zero value is a new conversation.
type State struct {
	// Lang is the conversation's language ("sv", "en", "fi"); "" until the first message.
	Lang string `json:"l,omitempty"`
	// LangKnown is true once the language was read from the resident's words or chosen
	// with a switch word; until then any language trygg recognises takes over.
	LangKnown bool `json:"k,omitempty"`
	// Node is the node waiting for the resident's answer, or "".
	Node string `json:"n,omitempty"`
	// AgeMin and AgeMax bound the age of the person the conversation is about (the victim:
	// the resident, or the child a parent writes about); 0 when unknown. The numbers given
	// follow it.
	AgeMin uint8 `json:"a,omitempty"`
	AgeMax uint8 `json:"b,omitempty"`
	// Victim is who the conversation is about, as far as the resident said: "self",
	// "child", "partner", "relative", "friend", "other", or "" when unknown (the resident).
	Victim string `json:"w,omitempty"`
	// Sex is the victim's sex as far as the resident said: "f", "m" or "".
	Sex string `json:"s,omitempty"`
	// SexGuessed is true while Sex is only a default read from someone else ("min fru slår
	// mig": m); a sex the resident says replaces it, and it never replaces one they said.
	SexGuessed bool `json:"g,omitempty"`
	// Asked lists the questions already asked, newest last, so none is asked twice.
	Asked []string `json:"q,omitempty"`
	// Topic is the last topic the resident raised, for staff taking over ("support").
	Topic string `json:"t,omitempty"`
	// Report is the report of a place that feels unsafe being collected, or nil.
	Report *Report `json:"r,omitempty"`
	// Handoff is true while staff have taken over the conversation: the engine answers only
	// danger and STOPP, and the host relays everything else to staff.
	Handoff bool `json:"h,omitempty"`
}

// Report is a report of a place that feels unsafe, for the weekly lägesbild. It holds
// only known places and fixed values, never the resident's words.
type Report struct {
	// Place is a place id from flows/places.yaml, or "".
	Place string `json:"p,omitempty"`
	// Time is the time of day: "morning", "day", "evening", "night", or "".
	Time string `json:"t,omitempty"`
	// Days is "weekday" or "weekend", or "".
	Days string `json:"d,omitempty"`
	// Kind is what makes the place unsafe: "drugs", "vandalism", "harassment", "violence",
	// "gathering", "dark", "other", or "".
	Kind string `json:"k,omitempty"`
}

// encoded is the stored form: the state with its encoding's version.
type encoded struct {
	V int `json:"v"`
	State
}

// Encode returns the state's compact, versioned stored form.
func (s State) Encode() ([]byte, error) {
	b, err := json.Marshal(encoded{V: StateVersion, State: s})
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return b, nil
}

// DecodeState reads a stored state. Empty data is a new conversation. Data written by an
// older version of trygg is read as that version meant it; data from a newer version
// is an error, so it is never misread.
func DecodeState(data []byte) (State, error) {
	if len(data) == 0 {
		return State{}, nil
	}
	var e encoded
	if err := json.Unmarshal(data, &e); err != nil {
		return State{}, fmt.Errorf("decode state: %w", err)
	}
	switch {
	case e.V < 1:
		return State{}, fmt.Errorf("decode state: no version")
	case e.V > StateVersion:
		return State{}, fmt.Errorf("decode state: version %d is newer than this trygg (%d)", e.V, StateVersion)
	}
	return e.State, nil
}

// ageKnown reports whether an age is known.
func (s State) ageKnown() bool { return s.AgeMax > 0 }

// asked reports whether the node has already waited for an answer.
func (s State) asked(node string) bool {
	for _, a := range s.Asked {
		if a == node {
			return true
		}
	}
	return false
}

// markAsked records that node waited for an answer.
func (s *State) markAsked(node string) {
	if s.asked(node) {
		return
	}
	// A new array: the state was copied by value, and its Asked may still share the
	// caller's array, which must not change under them.
	s.Asked = append(s.Asked[:len(s.Asked):len(s.Asked)], node)
	if len(s.Asked) > maxAsked {
		s.Asked = append([]string(nil), s.Asked[len(s.Asked)-maxAsked:]...)
	}
}

// AgeGroup names the resident's age group for message variants and statistics.
type AgeGroup string

// The age groups. Brottsofferjouren's youth number is for everyone under 20; BRIS is for
// children under 18. A 19-year-old is youth, a 20-year-old is not.
const (
	AgeUnknown AgeGroup = ""
	AgeChild   AgeGroup = "child"
	AgeYouth   AgeGroup = "youth"
	AgeAdult   AgeGroup = "adult"
)

// Group returns the state's age group; an age that may be on either side of 20 (a birth
// year) is unknown.
func (s State) Group() AgeGroup {
	switch {
	case !s.ageKnown():
		return AgeUnknown
	case s.AgeMax < 18:
		return AgeChild
	case s.AgeMax < 20:
		return AgeYouth
	case s.AgeMin >= 20:
		return AgeAdult
	}
	return AgeUnknown
}
