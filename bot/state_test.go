package bot_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
)

func TestStateRoundTrip(t *testing.T) {
	tests := []bot.State{
		{},
		{Lang: "sv"},
		{Lang: "fi", LangKnown: true, Node: "ask_age", AgeMin: 19, AgeMax: 20, Asked: []string{"welcome", "ask_age"}, Topic: "support"},
		{Lang: "en", LangKnown: true, AgeMin: 120, AgeMax: 120, Topic: "close_relationship"},
		{Lang: "sv", Node: "ett nod-id med åäö och \"citat\""},
	}
	for _, st := range tests {
		t.Run(fmt.Sprintf("%+v", st), func(t *testing.T) {
			data, err := st.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := bot.DecodeState(data)
			if err != nil {
				t.Fatalf("DecodeState(%s): %v", data, err)
			}
			if !reflect.DeepEqual(got, st) {
				t.Errorf("round trip: %+v → %s → %+v", st, data, got)
			}
		})
	}
}

// TestStateSize: the state of a typical conversation stays under 256 bytes encoded, at
// every turn, and so does the largest state the flows can make.
func TestStateSize(t *testing.T) {
	e := newEngine(t)
	conversations := [][]string{
		{"hej", "1", "sjutton", "jag vill anmäla", "tack"},
		{"I was robbed", "I'd rather not say", "is it free?", "SUOMI", "minut ryöstettiin", "VALIKKO", "4"},
		{"Jag är född 2006 och blev rånad", "19", "min pojkvän slår mig", "vad sparar ni", "MENY", "asdf"},
		{"moi", "en", "olen 45", "PERSON", "han slår mig nu", "ENGLISH", "what?"},
	}
	largest := 0
	for _, c := range conversations {
		var st bot.State
		for _, text := range c {
			res := e.Turn(st, bot.Message{Text: text}, testNow)
			checkTurn(t, text, res)
			st = res.State
			data, err := st.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if len(data) >= maxState {
				t.Errorf("after %q the state takes %d bytes: %s", text, len(data), data)
			}
			largest = max(largest, len(data))
		}
	}
	t.Logf("largest state of a typical conversation: %d bytes", largest)

	// The largest the flows allow: the longest topic, every waiting node remembered, the
	// longest waiting node, an age range, the longest language.
	worst := bot.State{Lang: "sv", LangKnown: true, Node: "not_understood", AgeMin: 119, AgeMax: 120,
		Asked: []string{"not_understood", "welcome", "ask_age", "menu"}, Topic: "close_relationship"}
	data, err := worst.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) >= maxState {
		t.Errorf("the largest state takes %d bytes: %s", len(data), data)
	}
	t.Logf("largest state the flows allow: %d bytes", len(data))
}

// TestDecodeStateCompat: what an earlier trygg stored still loads; what a later one stored
// is refused rather than misread; anything else is an error, never a panic or a silent
// half-state.
func TestDecodeStateCompat(t *testing.T) {
	full := bot.State{Lang: "fi", LangKnown: true, Node: "ask_age", AgeMin: 19, AgeMax: 20, Asked: []string{"welcome", "ask_age"}, Topic: "support"}
	loads := []struct {
		name string
		data string
		want bot.State
	}{
		// Version 1 is the first: these bytes are what it writes, and they must load in every
		// later trygg (when StateVersion goes up, keep these cases and teach DecodeState v1).
		{"v1 as written", `{"v":1,"l":"fi","k":true,"n":"ask_age","a":19,"b":20,"q":["welcome","ask_age"],"t":"support"}`, full},
		{"v1 new conversation", `{"v":1}`, bot.State{}},
		{"v1 fields in another order", `{"t":"support","q":["welcome","ask_age"],"b":20,"a":19,"n":"ask_age","k":true,"l":"fi","v":1}`, full},
		{"unknown fields are ignored", `{"v":1,"l":"sv","x":"added later","y":{"nested":[1,2,3]},"z":null}`, bot.State{Lang: "sv"}},
		{"a node that is gone loads (the engine copes)", `{"v":1,"l":"sv","n":"removed_node"}`, bot.State{Lang: "sv", Node: "removed_node"}},
		{"empty data is a new conversation", ``, bot.State{}},
	}
	for _, tt := range loads {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bot.DecodeState([]byte(tt.data))
			if err != nil {
				t.Fatalf("DecodeState(%s): %v", tt.data, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeState(%s) = %+v, want %+v", tt.data, got, tt.want)
			}
		})
	}

	refused := []struct {
		name, data, want string
	}{
		{"newer version", fmt.Sprintf(`{"v":%d,"l":"sv"}`, bot.StateVersion+1), "newer"},
		{"much newer version", `{"v":99999}`, "newer"},
		{"no version", `{"l":"sv","n":"ask_age"}`, "no version"},
		{"version 0", `{"v":0}`, "no version"},
		{"negative version", `{"v":-1}`, "no version"},
		{"version as a string", `{"v":"1"}`, "decode state"},
		{"json null", `null`, "no version"},
		{"not json", `not json`, "decode state"},
		{"truncated", `{"v":1,"l":"s`, "decode state"},
		{"an array", `[1,2,3]`, "decode state"},
		{"a string", `"v1"`, "decode state"},
		{"age out of range", `{"v":1,"a":300}`, "decode state"},
		{"negative age", `{"v":1,"a":-1}`, "decode state"},
		{"asked not a list", `{"v":1,"q":"ask_age"}`, "decode state"},
		{"binary", "\x00\xff\xfe\x01", "decode state"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			st, err := bot.DecodeState([]byte(tt.data))
			if err == nil {
				t.Fatalf("DecodeState(%q) = %+v, want an error", tt.data, st)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeState(%q): %v, want an error with %q", tt.data, err, tt.want)
			}
			if !reflect.DeepEqual(st, bot.State{}) {
				t.Errorf("DecodeState(%q) returned %+v with its error, want the zero state", tt.data, st)
			}
		})
	}

	// Errors from the JSON decoder are wrapped, for callers that want to tell them apart.
	_, err := bot.DecodeState([]byte(`not json`))
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		t.Errorf("DecodeState(not json): %v does not wrap a *json.SyntaxError", err)
	}
}

// TestOldStateStillAnswers: a state from an older trygg, whose node or language the flows
// no longer have, still gets a full, safe answer.
func TestOldStateStillAnswers(t *testing.T) {
	e := newEngine(t)
	for _, data := range []string{
		`{"v":1,"l":"sv","n":"removed_node","q":["removed_node"]}`,
		`{"v":1,"l":"de","k":true}`,
		`{"v":1,"l":"en","a":30,"b":20}`,
	} {
		st, err := bot.DecodeState([]byte(data))
		if err != nil {
			t.Fatalf("DecodeState(%s): %v", data, err)
		}
		for _, text := range []string{"jag blev rånad", "17", "hej", "🙂"} {
			checkTurn(t, data+" then "+text, e.Turn(st, bot.Message{Text: text}, testNow))
		}
	}
}

// TestTurnLeavesStatesAlone: a turn never writes into the state it was given, so two
// turns from one state (a retry after a conflicting save, a test) do not change each
// other's results.
func TestTurnLeavesStatesAlone(t *testing.T) {
	e := newEngine(t)
	asked := make([]string, 1, 8) // room to spare, as a decoder may leave
	asked[0] = "welcome"
	st := bot.State{Lang: "sv", LangKnown: true, Node: "welcome", Asked: asked}
	a := e.Turn(st, bot.Message{Text: "1"}, testNow) // support → asks the age
	want := append([]string(nil), a.State.Asked...)
	e.Turn(st, bot.Message{Text: "MENY"}, testNow) // another answer from the same state
	if !reflect.DeepEqual(a.State.Asked, want) {
		t.Errorf("the first turn's state changed under it: Asked %v, want %v", a.State.Asked, want)
	}
	if !reflect.DeepEqual(st.Asked, []string{"welcome"}) || cap(st.Asked) != 8 {
		t.Errorf("the given state changed: Asked %v", st.Asked)
	}
}
