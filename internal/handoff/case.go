package handoff

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vasteras/trygg/bot"
)

// Store scopes and keys of a handoff. The case and the encrypted address live under the
// resident's scope, so erasing the conversation erases them; the indexes are global.
const (
	// keyCase holds the resident's open case (a caseRecord as JSON).
	keyCase = "handoff"
	// keyTo holds the resident's address (the phone number) sealed with AES-GCM.
	keyTo = "handoff_to"
	// inboxPrefix starts the keys of staff replies queued for the web chat.
	inboxPrefix = "handoff_inbox:"
	// CasesScope maps each open case code to the resident's scope.
	CasesScope = "handoff-cases"
	// ThreadsScope maps each case card's Slack message ts to the case code.
	ThreadsScope = "handoff-threads"
	// takenScope is the set-once guard of who took a case.
	takenScope = "handoff-taken"
	// endedScope is the set-once guard that ends a case once, whoever ends it.
	endedScope = "handoff-ended"
	// waitedScope is the set-once guard that sends the waiting notice once per unanswered
	// stretch of a case (id: the case code and the stretch's start), whoever sends it.
	waitedScope = "handoff-waited"
)

// caseRecord is what trygg keeps about an open case: no message text, no number.
type caseRecord struct {
	Code     string    `json:"code"`
	Channel  string    `json:"channel"`
	Lang     string    `json:"lang,omitempty"`
	Topic    string    `json:"topic,omitempty"`
	Age      string    `json:"age,omitempty"`
	AgeMin   uint8     `json:"age_min,omitempty"`
	AgeMax   uint8     `json:"age_max,omitempty"`
	Started  time.Time `json:"started"`
	Deadline time.Time `json:"deadline"`
	// Active is when the case last saw a message either way; zero in records written
	// before it was kept (then Started counts).
	Active   time.Time `json:"active,omitzero"`
	TS       string    `json:"ts,omitempty"`
	TakenBy  string    `json:"taken_by,omitempty"`
	Answered bool      `json:"answered,omitempty"`
	// Unanswered is when the resident's first message since staff's last reply was
	// relayed: the start of the current unanswered stretch of an answered case; zero while
	// staff had the last word.
	Unanswered time.Time `json:"unanswered,omitzero"`
}

func (c caseRecord) card() Card {
	return Card{Code: c.Code, Channel: c.Channel, Lang: c.Lang, Topic: c.Topic, Age: c.Age, Started: c.Started, TakenBy: c.TakenBy}
}

// state is the conversation state the case knows of: the language and age, with the
// handoff on; enough for the engine to end the handoff when the conversation is gone.
func (c caseRecord) state() bot.State {
	return bot.State{Lang: c.Lang, AgeMin: c.AgeMin, AgeMax: c.AgeMax, Handoff: true}
}

// active is when the case last saw a message either way.
func (c caseRecord) active() time.Time {
	if c.Active.IsZero() {
		return c.Started
	}
	return c.Active
}

func decodeCase(b []byte) (caseRecord, error) {
	var c caseRecord
	if err := json.Unmarshal(b, &c); err != nil {
		return caseRecord{}, fmt.Errorf("decode case: %w", err)
	}
	return c, nil
}

// codeAlphabet has no 0/O, 1/I/L: a code is read aloud and typed.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a random case code such as K-7F3Q, from crypto/rand: never derived from
// the resident's pseudonym, so a code tells nothing about who it is.
func newCode() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("case code: %w", err)
	}
	out := []byte("K-")
	for _, x := range b {
		out = append(out, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return string(out), nil
}
