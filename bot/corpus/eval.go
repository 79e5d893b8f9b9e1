package corpus

import (
	"regexp"
	"strings"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
)

// The lines whose audience the eval checks, written out here rather than read from the
// flows, so that an edit there cannot quietly weaken the eval.
const (
	Emergency         = "112"
	BOJAdult          = "021-41 32 60"  // Brottsofferjouren Västerås, 20 and older
	BOJYouth          = "010-567 63 25" // Brottsofferjouren, under 20
	BRIS              = "116 111"       // under 18
	Kvinnofridslinjen = "020-50 50 50"  // women
	StodlinjenMan     = "020-80 80 80"  // men 18 and older
	StodlinjenTrans   = "020-55 00 00"  // transpersons 18 and older
	Suicide           = "90101"         // Mind Självmordslinjen
)

// under18 finds a text that says BRIS is for those under 18, in any of trygg's languages.
var under18 = regexp.MustCompile(`(?i)(under|alle) 18`)

// Now is the clock of the eval: birth years in the corpus are read against it.
var Now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// Outcome is what the engine did with one message.
type Outcome struct {
	Msg Message
	// Topic is the topic the engine answered, read from the turn (see topicOf):
	// a topic name, a conversation basic, "age_only", "none" or "not_understood".
	Topic string
	// Danger is true when the turn emitted a danger event, and Suicide when its first
	// reply is the suicide reply.
	Danger, Suicide bool
	// AgeMin and AgeMax are the age the engine holds after the turn; 0 when unknown.
	AgeMin, AgeMax int
	// WrongLines lists every reply that gives a line meant for another age or sex, or a
	// danger reply without 112 first.
	WrongLines []string
	// IDs are the message ids of the replies, and Text the replies, for -v.
	IDs  []string
	Text string
}

// Run plays every message through the engine, each in a new conversation after the turns
// of its context.
func Run(e *bot.Engine, msgs []Message) []Outcome {
	out := make([]Outcome, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Play(e, m))
	}
	return out
}

// Play plays one message through the engine.
func Play(e *bot.Engine, m Message) Outcome {
	var st bot.State
	for _, c := range m.Context {
		st = e.Turn(st, bot.Message{Text: c}, Now).State
	}
	res := e.Turn(st, bot.Message{Text: m.Text}, Now)
	o := Outcome{
		Msg:     m,
		Topic:   topicOf(st, res),
		Danger:  res.HasEvent(bot.EventDanger),
		Suicide: len(res.Replies) > 0 && strings.Contains(res.Replies[0].Text, Suicide),
		AgeMin:  int(res.State.AgeMin),
		AgeMax:  int(res.State.AgeMax),
		Text:    res.Text(),
	}
	for _, r := range res.Replies {
		o.IDs = append(o.IDs, r.MessageID)
	}
	o.WrongLines = wrongLines(m, res)
	return o
}

// topicOf names what a turn answered: a basic (stop, person, menu, greeting), the topic
// the turn raised, "age_only" when it only learnt an age, "not_understood" when it gave the
// fallback, and "none" for a turn that gave only the danger reply or nothing routed.
func topicOf(before bot.State, res bot.Result) string {
	if res.Erase || res.HasEvent(bot.EventErase) {
		return "stop"
	}
	if res.HasEvent(bot.EventHandoffRequested) {
		return "person"
	}
	for _, r := range res.Replies {
		base, _ := flows.SplitVariant(r.MessageID)
		switch base {
		case "menu":
			return "menu"
		case "welcome":
			return "greeting"
		}
	}
	if res.HasEvent(bot.EventNotUnderstood) {
		return "not_understood"
	}
	after := res.State
	if strings.HasPrefix(after.Topic, "kind_") {
		// A kind of unsafe place ("knark", "gäng") starts the report of an unsafe place.
		after.Topic = "unsafe_place"
	}
	switch {
	case after.Topic != "" && after.Topic != before.Topic:
		return after.Topic
	case after.AgeMax > 0 && (after.AgeMin != before.AgeMin || after.AgeMax != before.AgeMax):
		return "age_only"
	case after.Topic != "" && len(res.Replies) > 0 && !onlyDanger(res):
		return after.Topic
	}
	return "none"
}

// onlyDanger reports whether every reply is the danger or the suicide reply.
func onlyDanger(res bot.Result) bool {
	for _, r := range res.Replies {
		if base, _ := flows.SplitVariant(r.MessageID); base != "danger" && base != "suicide" {
			return false
		}
	}
	return true
}

// wrongLines returns the lines a turn gave to someone they are not for, judged from the
// labels (the age whose lines are due: Message.LinesAge) and the reply texts, and the
// danger replies that do not start with 112.
func wrongLines(m Message, res bot.Result) []string {
	var out []string
	for _, r := range res.Replies {
		t := r.Text
		// A reply that gives both of Brottsofferjouren's lines, each with the ages it is for
		// (said while the age is unknown), sends no one to the wrong one.
		both := strings.Contains(t, BOJAdult) && strings.Contains(t, BOJYouth)
		if a := m.LinesAge(); a != nil {
			if *a < 20 && !both && strings.Contains(t, BOJAdult) {
				out = append(out, r.MessageID+": "+BOJAdult+" to a victim under 20")
			}
			if *a >= 20 && !both && strings.Contains(t, BOJYouth) {
				out = append(out, r.MessageID+": "+BOJYouth+" to a victim 20 or older")
			}
			if *a >= 18 && strings.Contains(t, BRIS) && !under18.MatchString(t) {
				out = append(out, r.MessageID+": BRIS to a victim 18 or older")
			}
			if *a < 18 && (strings.Contains(t, StodlinjenMan) || strings.Contains(t, StodlinjenTrans)) {
				out = append(out, r.MessageID+": a line for 18 or older to a victim under 18")
			}
		}
		// A reply that gives both lines, each with who it is for (said while the sex is
		// unknown), sends no one to the wrong one; one that gives only the other sex's does.
		women, men := strings.Contains(t, Kvinnofridslinjen), strings.Contains(t, StodlinjenMan)
		switch m.VictimSex {
		case "m":
			if women && !men {
				out = append(out, r.MessageID+": Kvinnofridslinjen to a man")
			}
		case "f":
			if men && !women {
				out = append(out, r.MessageID+": Stödlinjen för män to a woman")
			}
		}
	}
	if m.Danger != DangerNone {
		first := ""
		if len(res.Replies) > 0 {
			first = res.Replies[0].Text
		}
		if !strings.Contains(first, Emergency) {
			out = append(out, "danger: the first reply has no 112")
		}
		if m.Danger == DangerSuicide && !strings.Contains(first, Suicide) {
			out = append(out, "suicide: the first reply has no "+Suicide)
		}
	}
	return out
}
