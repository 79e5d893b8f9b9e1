package bot_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/locales"
)

// The numbers the safety rules are about, written out here rather than read from
// flows/main.yaml, so that an edit there cannot quietly weaken the tests.
const (
	emergency   = "112"
	bojAdult    = "021-41 32 60" // Brottsofferjouren Västerås, 20 and older
	bojYouth    = "010-567 63 25"
	bris        = "116 111" // BRIS, for children and young people under 18
	victimLine  = "116 006" // Brottsofferjouren Sverige, national victim support
	maxSegments = 3         // the SMS budget of one reply
	maxState    = 256       // bytes an encoded state may take
)

// smsBudget is each language's SMS budget, written out here rather than read from
// flows/main.yaml (safety.sms): Arabic, Persian and Tigrinya go as UCS-2 in at most 3
// segments, Somali as GSM-7 in at most 2, the others as GSM-7 in at most maxSegments.
func smsBudget(lang string) (ucs2 bool, segments int) {
	switch lang {
	case "ar", "fa", "ti":
		return true, 3
	case "so":
		return false, 2
	}
	return false, maxSegments
}

// ucs2Langs are the languages whose SMS go as UCS-2.
var ucs2Langs = []string{"ar", "fa", "ti"}

// isUCS2 reports whether lang's SMS go as UCS-2.
func isUCS2(lang string) bool { u, _ := smsBudget(lang); return u }

// rtl are the languages written right to left.
var rtl = map[string]bool{"ar": true, "fa": true}

// helpNumbers are the ways to get help; every reply carries at least one.
var helpNumbers = []string{emergency, bojAdult, bojYouth, victimLine}

// testNow is the clock of tests that do not set their own: a Sunday in March 2026.
var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// newEngine loads the flows, locales and lexicons built into the binary, refuses them if
// `trygg flows check` would, and returns an engine on them.
func newEngine(tb testing.TB) *bot.Engine {
	tb.Helper()
	return bot.New(loadSet(tb), bot.Options{})
}

// loadSet loads the flow set built into the binary and refuses it if `trygg flows check`
// would.
func loadSet(tb testing.TB) *flows.Set {
	tb.Helper()
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		tb.Fatalf("load flows: %v", err)
	}
	if problems := flows.Check(set); len(problems) > 0 {
		tb.Fatalf("flows check: %v", problems)
	}
	return set
}

// textsTo112 finds an instruction to send a text message to 112, in any of trygg's
// languages: SMS to 112 works only for people who registered their phone in advance.
var textsTo112 = regexp.MustCompile(`(?i)\b(sms\w*|text\w*|messag\w*|tekstivie\w*|viesti\w*|skriv\w*|write|kirjoita\w*|skicka\w*|send)\b[^.?!\n]*\b112\b`)

// callWords are the verbs that must stand in the clause before 112: "ring", "call", "soita".
// Arabic "اتصل", Persian "تماس"/"زنگ", Somali "wac", Tigrinya "ደውሉ"/"ደውል" (the last three
// put the verb after the number: the whole sentence is read).
var callWords = regexp.MustCompile(`(?i)\b(ring|ringa|call|soita|wac)\b|اتصل|تماس|زنگ|ደውሉ|ደውል`)

// number112 finds 112 standing alone.
var number112 = regexp.MustCompile(`\b112\b`)

// firstNumber finds the first phone number (a run of digits) in a text.
var firstNumber = regexp.MustCompile(`\d[\d -]*\d|\d`)

// turnProblems returns every safety rule one turn breaks: the rules the engine must keep
// whatever the resident writes and whatever state the conversation is in. Every golden
// conversation, every age case and every fuzz input is held to them.
func turnProblems(res bot.Result) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if len(res.Replies) == 0 && !res.HasEvent(bot.EventRelay) {
		bad("no reply: every message gets an answer (but those relayed to staff during a handoff)")
	}
	if res.HasEvent(bot.EventRelay) && !res.HasEvent(bot.EventDanger) && len(res.Replies) > 0 {
		bad("a message relayed to staff got a reply from the bot")
	}
	group := res.State.Group()
	for i, r := range res.Replies {
		if r.MessageID == "" || r.Lang == "" {
			bad("reply %d has no message id or language: %+v", i, r)
		}
		info := gsm7.Analyze(r.Text)
		ucs2, budget := smsBudget(r.Lang)
		if info.Encoding != gsm7.GSM7 && !ucs2 {
			bad("reply %d (%s) is %s, not GSM-7: %q", i, r.MessageID, info.Encoding, gsm7.NonGSM(r.Text))
		}
		if info.Segments > budget {
			bad("reply %d (%s) costs %d SMS segments (%d units); the budget in %s is %d", i, r.MessageID, info.Segments, info.Units, r.Lang, budget)
		}
		if rtl[r.Lang] && !flows.NumbersIsolated(r.Text) {
			bad("reply %d (%s) is right to left but a phone number in it is not isolated: %q", i, r.MessageID, r.Text)
		}
		if !hasAny(r.Text, helpNumbers) {
			bad("reply %d (%s) gives no help number (%s)", i, r.MessageID, strings.Join(helpNumbers, ", "))
		}
		switch group {
		case bot.AgeChild, bot.AgeYouth:
			if strings.Contains(r.Text, bojAdult) {
				bad("reply %d (%s) gives %s to a resident under 20 (age %d-%d)", i, r.MessageID, bojAdult, res.State.AgeMin, res.State.AgeMax)
			}
		}
		// BRIS is for children and young people under 18 (facts.md): a resident of 18 or
		// more may hear of it only as that, never as a line for them.
		if (group == bot.AgeYouth || group == bot.AgeAdult) && strings.Contains(r.Text, bris) && !strings.Contains(r.Text, "18") {
			bad("reply %d (%s) offers BRIS (%s, under 18 only) to a resident of %d-%d without saying it is for under 18", i, r.MessageID, bris, res.State.AgeMin, res.State.AgeMax)
		}
		switch group {
		case bot.AgeAdult:
			if strings.Contains(r.Text, bojYouth) {
				bad("reply %d (%s) gives %s to a resident 20 or older (age %d-%d)", i, r.MessageID, bojYouth, res.State.AgeMin, res.State.AgeMax)
			}
		case bot.AgeUnknown:
			// Without an age, one number alone could send a 16-year-old to the adult line, or
			// an adult (writing about their childhood, say) to the line for the young.
			if strings.Contains(r.Text, bojAdult) != strings.Contains(r.Text, bojYouth) {
				one := bojAdult
				if strings.Contains(r.Text, bojYouth) {
					one = bojYouth
				}
				bad("reply %d (%s) gives only %s though the age is unknown", i, r.MessageID, one)
			}
		}
		if m := textsTo112.FindString(r.Text); m != "" {
			bad("reply %d (%s) tells the resident to text 112: %q", i, r.MessageID, m)
		}
		for _, clause := range clausesWith112(r.Text) {
			if !callWords.MatchString(clause) {
				bad("reply %d (%s) gives 112 without saying call: %q", i, r.MessageID, clause)
			}
		}
	}
	if res.HasEvent(bot.EventDanger) && len(res.Replies) > 0 {
		if n := firstNumber.FindString(res.Text()); strings.TrimSpace(n) != emergency {
			bad("danger now, but the first number in the reply is %q, not %s: %q", n, emergency, res.Text())
		}
	}
	if res.Erase && (res.State.Lang != "" || res.State.Node != "" || res.State.AgeMax != 0 || len(res.State.Asked) != 0 || res.State.Topic != "") {
		bad("erased, but the new state still holds %+v", res.State)
	}
	data, err := res.State.Encode()
	switch {
	case err != nil:
		bad("state does not encode: %v", err)
	case len(data) > maxState:
		bad("state takes %d bytes encoded, more than %d: %s", len(data), maxState, data)
	}
	return out
}

// checkTurn fails the test with every rule the turn breaks.
func checkTurn(tb testing.TB, said string, res bot.Result) {
	tb.Helper()
	if p := turnProblems(res); len(p) > 0 {
		tb.Errorf("after %q:\n  %s\nreply:\n%s", said, strings.Join(p, "\n  "), res.Text())
	}
}

// clausesWith112 returns each clause (from the last sentence break) that ends in 112.
// sentenceEnds end a sentence in trygg's languages: Arabic ؟ and Ethiopic ። ፧ besides ".?!".
const sentenceEnds = ".?!\n؟።፧"

func clausesWith112(text string) []string {
	var out []string
	for _, loc := range number112.FindAllStringIndex(text, -1) {
		start := strings.LastIndexAny(text[:loc[0]], sentenceEnds) + 1
		end := len(text)
		if i := strings.IndexAny(text[loc[1]:], sentenceEnds); i >= 0 {
			end = loc[1] + i
		}
		out = append(out, text[start:end])
	}
	return out
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestInvariantsCatchBrokenReplies shows that the rules above fail on replies that break
// them, so that a test passing on them means something.
func TestInvariantsCatchBrokenReplies(t *testing.T) {
	ok := bot.Reply{Text: "Ring 112.", MessageID: "x", Lang: "sv"}
	reply := func(text string) bot.Reply { return bot.Reply{Text: text, MessageID: "x", Lang: "sv"} }
	adult := bot.State{Lang: "sv", AgeMin: 30, AgeMax: 30}
	youth := bot.State{Lang: "sv", AgeMin: 19, AgeMax: 19}
	tests := []struct {
		name string
		res  bot.Result
		want string // a fragment of the problem
	}{
		{"no reply", bot.Result{}, "no reply"},
		{"no help number", bot.Result{Replies: []bot.Reply{reply("Hej!")}}, "no help number"},
		{"emoji", bot.Result{Replies: []bot.Reply{reply("Ring 112 🙂")}}, "not GSM-7"},
		{"curly quote", bot.Result{Replies: []bot.Reply{reply("Ring \u201d112\u201d")}}, "not GSM-7"},
		{"four segments", bot.Result{Replies: []bot.Reply{reply("Ring 112. " + strings.Repeat("x", 460))}}, "segments"},
		{"adult number to youth", bot.Result{State: youth, Replies: []bot.Reply{reply("Ring 021-41 32 60 eller 112.")}}, "under 20"},
		{"BRIS to 19", bot.Result{State: youth, Replies: []bot.Reply{reply("Prata med BRIS på 116 111. Ring 010-567 63 25.")}}, "under 18 only"},
		{"youth number to adult", bot.Result{State: adult, Replies: []bot.Reply{reply("Ring 010-567 63 25.")}}, "20 or older"},
		{"adult number alone to unknown age", bot.Result{Replies: []bot.Reply{reply("Ring 021-41 32 60.")}}, "age is unknown"},
		{"youth number alone to unknown age", bot.Result{Replies: []bot.Reply{reply("Ring 010-567 63 25.")}}, "only 010-567 63 25 though the age is unknown"},
		{"text 112", bot.Result{Replies: []bot.Reply{reply("Skicka sms till 112.")}}, "text 112"},
		{"sms 112 en", bot.Result{Replies: []bot.Reply{reply("You can text 112.")}}, "text 112"},
		{"112 without call", bot.Result{Replies: []bot.Reply{reply("Numret 112.")}}, "without saying call"},
		{"danger not first", bot.Result{Events: []bot.Event{{Kind: bot.EventDanger}}, Replies: []bot.Reply{reply("Ring 114 14. Ring 112.")}}, "first number"},
		{"erase keeps age", bot.Result{Erase: true, State: youth, Replies: []bot.Reply{ok}}, "erased"},
		{"huge state", bot.Result{State: bot.State{Node: strings.Repeat("n", 300)}, Replies: []bot.Reply{ok}}, "bytes encoded"},
		{"no id", bot.Result{Replies: []bot.Reply{{Text: "Ring 112."}}}, "no message id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := strings.Join(turnProblems(tt.res), "\n")
			if !strings.Contains(p, tt.want) {
				t.Errorf("problems %q, want one with %q", p, tt.want)
			}
		})
	}
	if p := turnProblems(bot.Result{Replies: []bot.Reply{ok}}); len(p) > 0 {
		t.Errorf("a good reply has problems: %v", p)
	}
}
