package sms

import (
	"encoding/xml"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
)

// TestRender checks the TwiML: one <Message> per reply in order, text escaped so any text
// keeps the XML whole, the cost of each message, and the empty answer.
func TestRender(t *testing.T) {
	type response struct {
		XMLName  xml.Name `xml:"Response"`
		Messages []string `xml:"Message"`
	}
	texts := []string{"Ring 112 & <sms> \"nu\"", "", "Två 😢"}
	var replies []bot.Reply
	for _, s := range texts {
		replies = append(replies, bot.Reply{Text: s})
	}
	a, err := render(replies)
	if err != nil {
		t.Fatal(err)
	}
	var got response
	if err := xml.Unmarshal(a.body, &got); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	if len(got.Messages) != 2 || got.Messages[0] != texts[0] || got.Messages[1] != texts[2] {
		t.Errorf("messages %q, want %q and %q in order (the empty one left out)", got.Messages, texts[0], texts[2])
	}
	if len(a.infos) != 2 || a.infos[0].Encoding != gsm7.GSM7 || a.infos[1].Encoding != gsm7.UCS2 {
		t.Errorf("infos %+v, want GSM-7 then UCS-2", a.infos)
	}

	empty, err := render(nil)
	if err != nil {
		t.Fatal(err)
	}
	got = response{}
	if err := xml.Unmarshal(empty.body, &got); err != nil || len(got.Messages) != 0 || len(empty.infos) != 0 {
		t.Errorf("empty answer %s: %v, %d messages", empty.body, err, len(got.Messages))
	}

	if _, err := render([]bot.Reply{{Text: ""}}); err == nil {
		t.Error("replies that are all empty rendered without error")
	}
}

// TestRendererCache checks that cached answers are the answers render gives, that they are
// kept by the replies' texts (not their ids), and that the cache stops growing at its bound.
func TestRendererCache(t *testing.T) {
	rd := renderer{done: map[string]answer{}}
	for i := 0; i < maxRendered+10; i++ {
		replies := []bot.Reply{{Text: "Ring 112", MessageID: "a"}, {Text: "Nummer " + string(rune('A'+i%26)) + string(rune('0'+i/26%10)) + string(rune('a'+i/260))}}
		for round := 0; round < 2; round++ {
			got, err := rd.render(replies)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := render(replies)
			if string(got.body) != string(want.body) || len(got.infos) != len(want.infos) {
				t.Fatalf("reply %d round %d: %s, want %s", i, round, got.body, want.body)
			}
		}
	}
	same := []bot.Reply{{Text: "Ring 112", MessageID: "b"}, {Text: "Nummer A0a", MessageID: "c"}}
	if got, _ := rd.render(same); string(got.body) == "" {
		t.Error("no answer for replies with other ids")
	}
	if n := len(rd.done); n != maxRendered {
		t.Errorf("cache holds %d answers, want the bound %d", n, maxRendered)
	}
}
