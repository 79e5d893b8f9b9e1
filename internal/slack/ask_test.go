package slack

import (
	"context"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
)

// TestAskShowsWhatAResidentGets: a 16-year-old who was robbed gets the youth number, and
// staff see that reply with its language, encoding, segments and route.
func TestAskShowsWhatAResidentGets(t *testing.T) {
	h := newHarness(t, nil)
	w := h.command(t, "fråga Jag är 16 och blev rånad")
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	body := w.Body.Bytes()
	assertClean(t, body)
	r := decodeResponse(t, body)
	if r.ResponseType != slackapi.ResponseTypeEphemeral {
		t.Errorf("response_type = %q, want ephemeral", r.ResponseType)
	}
	text := renderText(r.Blocks.BlockSet)
	for _, want := range []string{"010-567 63 25", "svenska", "GSM-7", "SMS-del", "support_child", "Brottsofferjouren för unga under 20", "Jag är 16 och blev rånad"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "021-41 32 60") {
		t.Errorf("a 16-year-old was shown the adult number:\n%s", text)
	}
	golden(t, "ask_youth.golden", text)

	// A throwaway conversation: nothing kept, nothing counted.
	counts, err := h.store.Counts(context.Background(), "2026-01-01", "2026-12-31")
	if err != nil || len(counts) != 0 {
		t.Errorf("a test turn was counted: %v %v", counts, err)
	}
	if n := len(h.api.Posts()); n != 0 {
		t.Errorf("a private answer posted %d messages", n)
	}
}

func TestAskRows(t *testing.T) {
	h := newHarness(t, nil)
	rows := []struct {
		name, text string
		want, not  []string
	}{
		{"adult", "fråga jag är 34 och blev rånad", []string{"021-41 32 60", "Brottsofferjouren för 20 år och äldre"}, []string{"010-567 63 25"}},
		{"age unknown asks the age", "fråga jag blev rånad", []string{"021-41 32 60", "010-567 63 25", "ask_age"}, nil},
		{"danger first", "ask han slår mig nu", []string{"112", "112 först: fara nu"}, nil},
		{"english by flag", "fråga --lang en hello", []string{"engelska"}, []string{"svenska ·"}},
		{"finnish by flag=", "fråga --lang=fi hei", []string{"finska"}, nil},
		{"ask without accent", "fraga hej", []string{"welcome"}, nil},
		{"upper case, NFD å", "FRA\u030aGA hej", []string{"welcome"}, nil},
		{"typographic dash flag", "fråga —lang en hello", []string{"engelska"}, nil},
		{"unknown language", "fråga --lang de hallo", []string{"Språket _de_ finns inte", "sv, ar, en, fa, fi, so, ti"}, []string{"Så svarar trygg"}},
		{"unknown language with a phone number", "fråga --lang 0046701234567 hallo", []string{"[telefonnummer dolt]"}, nil},
		{"no text", "fråga", []string{"/trygg fråga Jag är 16 och blev rånad"}, nil},
		{"only flags", "fråga --lang en", []string{"/trygg fråga Jag är 16 och blev rånad"}, nil},
		{"erase", "fråga RADERA", []string{"RADERA: allt om samtalet tas bort"}, nil},
		{"phone numbers typed by staff are hidden", "fråga min pappa slår mig, ring 070-123 45 67 eller +46701234567 eller 0046 70 123 45 67",
			[]string{"[telefonnummer dolt]"}, []string{"070-123", "46701234567", "0046 70"}},
		{"markup in the question is escaped", "fråga <script> & <@U999> *fet*", []string{"&lt;script&gt; &amp; &lt;@U999&gt;"}, []string{"<script>"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			w := h.command(t, row.text)
			assertClean(t, w.Body.Bytes())
			r := decodeResponse(t, w.Body.Bytes())
			text := renderText(r.Blocks.BlockSet)
			for _, want := range row.want {
				if !strings.Contains(text, want) {
					t.Errorf("answer lacks %q:\n%s", want, text)
				}
			}
			for _, not := range row.not {
				if strings.Contains(text, not) {
					t.Errorf("answer has %q:\n%s", not, text)
				}
			}
		})
	}
}

// TestAskPublicContinuesInThread: --visa posts the answer in the channel; @trygg in its
// thread continues the same test conversation, so the age given there picks the number.
func TestAskPublicContinuesInThread(t *testing.T) {
	h := newHarness(t, nil)
	w := h.command(t, "fråga --visa Jag blev rånad")
	if w.Body.Len() != 0 {
		t.Errorf("the command answered %q; the answer goes in the channel", w.Body)
	}
	posts := h.api.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d messages posted, want 1", len(posts))
	}
	first := posts[0]
	if first.Channel != testChannel || first.ThreadTS != "" {
		t.Errorf("posted to %s thread %q, want %s top level", first.Channel, first.ThreadTS, testChannel)
	}
	assertClean(t, first.Blocks)
	text := renderText(decodeBlocks(t, first.Blocks))
	for _, want := range []string{"ask_age", "<@U0STAFF>", "Nämn @trygg i tråden"} {
		if !strings.Contains(text, want) {
			t.Errorf("public answer lacks %q:\n%s", want, text)
		}
	}

	h.event(t, mention{EventID: "Ev0AGE", Text: "<@U0TRYGG> 16", TS: "1763283700.000100", ThreadTS: first.TS}.body())
	posts = h.api.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d messages posted, want 2", len(posts))
	}
	second := posts[1]
	if second.ThreadTS != first.TS {
		t.Errorf("follow-up answered in thread %q, want %q", second.ThreadTS, first.TS)
	}
	assertClean(t, second.Blocks)
	text = renderText(decodeBlocks(t, second.Blocks))
	if !strings.Contains(text, "010-567 63 25") || strings.Contains(text, "021-41 32 60") || !strings.Contains(text, "Brottsofferjouren för unga under 20") {
		t.Errorf("the age in the thread did not continue the conversation:\n%s", text)
	}
}

// TestAskPublicWhereTryggIsNotInTheChannel: Slack refuses the post; the answer comes in the
// channel through the command instead, saying why the thread cannot go on.
func TestAskPublicWhereTryggIsNotInTheChannel(t *testing.T) {
	h := newHarness(t, nil)
	h.api.Fail("not_in_channel")
	w := h.command(t, "fråga --visa hej")
	assertClean(t, w.Body.Bytes())
	r := decodeResponse(t, w.Body.Bytes())
	if r.ResponseType != slackapi.ResponseTypeInChannel {
		t.Errorf("response_type = %q, want in_channel", r.ResponseType)
	}
	if text := renderText(r.Blocks.BlockSet); !strings.Contains(text, "Bjud in @trygg") {
		t.Errorf("answer does not say why the thread cannot go on:\n%s", text)
	}
}

func TestParseQuestion(t *testing.T) {
	rows := []struct {
		in   string
		want question
	}{
		{"", question{}},
		{"hej", question{Text: "hej"}},
		{"  hej  du ", question{Text: "hej  du"}},
		{"--lang en hello there", question{Text: "hello there", Lang: "en"}},
		{"--LANG EN hello", question{Text: "hello", Lang: "en"}},
		{"--lang=fi hei", question{Text: "hei", Lang: "fi"}},
		{"--visa --lang sv hej", question{Text: "hej", Lang: "sv", Public: true}},
		{"--public hej", question{Text: "hej", Public: true}},
		{"–visa hej", question{Text: "hej", Public: true}},
		{"--lang", question{}},
		{"--okänd hej", question{Text: "--okänd hej"}},
		{"hej --visa", question{Text: "hej --visa"}},
		{"--visa\nrad ett\nrad två", question{Text: "rad ett\nrad två", Public: true}},
		{"-- hej", question{Text: "-- hej"}},
	}
	for _, row := range rows {
		if got := parseQuestion(row.in); got != row.want {
			t.Errorf("parseQuestion(%q) = %+v, want %+v", row.in, got, row.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1 000", 12345: "12 345", 1234567: "1 234 567", -4500: "-4 500"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}
