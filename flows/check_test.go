package flows_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

func TestEmbeddedSetHasNoProblems(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if ps := flows.Check(set); len(ps) > 0 {
		t.Fatalf("the embedded flows have %d problems:\n%s", len(ps), strings.Join(problemStrings(ps), "\n"))
	}
	langs := set.Catalog.Langs()
	if len(langs) == 0 || langs[0] != "sv" {
		t.Errorf("languages = %v, want sv first", langs)
	}
	for _, lang := range []string{"sv", "en", "fi", "ar"} {
		if !set.Catalog.Has(lang) {
			t.Errorf("languages = %v, want %s among them", langs, lang)
		}
	}
	if len(set.Lexicons) != len(langs) {
		t.Errorf("%d lexicons for %d languages", len(set.Lexicons), len(langs))
	}
}

// want is one expected problem. Its line is the line of at in file after the edit; with
// at empty, it is line (0: the problem has no line).
type want struct {
	file, at string
	line     int
	msg      string
}

func (w want) String(t *testing.T, f files) string {
	t.Helper()
	line := w.line
	if w.at != "" {
		line = f.line(t, w.file, w.at)
	}
	if line == 0 {
		return w.file + ": " + w.msg
	}
	return w.file + ":" + strconv.Itoa(line) + ": " + w.msg
}

const (
	mainYAML = "flows/main.yaml"
	svLex    = "flows/lexicon/sv.yaml"
	enLex    = "flows/lexicon/en.yaml"
	fiLex    = "flows/lexicon/fi.yaml"
	svText   = "locales/sv.yaml"
	enText   = "locales/en.yaml"
	fiText   = "locales/fi.yaml"
)

const unreachable = "is unreachable: no topic, global word or other node leads to it"

// TestCheckFindsEachProblem breaks a copy of the real files in one way per row and expects
// exactly the problems listed, each at its file and line.
func TestCheckFindsEachProblem(t *testing.T) {
	long := "Call 112. " + strings.Repeat("a", 450) // 460 GSM-7 characters: 4 segments
	tests := []struct {
		name string
		edit func(t *testing.T, f files)
		want []want
	}{
		{
			name: "unknown node in go",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  erased:\n    say: erased\n", "  erased:\n    say: erased\n    go: nowhere\n")
			},
			want: []want{{file: mainYAML, at: "go: nowhere", msg: `node erased: go to unknown node "nowhere"`}},
		},
		{
			name: "unknown node in route",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      - go: person_unavailable", "      - go: person_gone")
			},
			want: []want{
				{file: mainYAML, at: "- go: person_gone", msg: `node person: route to unknown node "person_gone"`},
				{file: mainYAML, at: "  person_unavailable:", msg: "node person_unavailable " + unreachable},
			},
		},
		{
			name: "unknown node in wait",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      skip: support_any_age", "      skip: nowhere")
			},
			want: []want{{file: mainYAML, at: "skip: nowhere", msg: `node ask_age: answer "skip" goes to unknown node "nowhere"`}},
		},
		{
			name: "unknown node in topic",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "{intent: tips, go: tips}", "{intent: tips, go: tipz}")
			},
			want: []want{
				{file: mainYAML, at: "go: tipz", msg: `topic tips: unknown node "tipz"`},
				{file: mainYAML, at: "  tips:\n", msg: "node tips " + unreachable},
				{file: mainYAML, at: "  tips_declined:\n", msg: "node tips_declined " + unreachable},
			},
		},
		{
			name: "unknown start node",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "start: welcome ", "start: nowhere ")
			},
			want: []want{{file: mainYAML, at: "start: nowhere", msg: `start: unknown node "nowhere"`}},
		},
		{
			name: "unknown global node",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  menu: menu ", "  menu: menyn ")
			},
			want: []want{
				{file: mainYAML, at: "menu: menyn", msg: `globals.menu: unknown node "menyn"`},
				{file: mainYAML, at: "  menu:\n", msg: "node menu " + unreachable},
			},
		},
		{
			name: "unreachable node",
			edit: func(t *testing.T, f files) {
				f.appendTo(mainYAML, "\n  orphan:\n    say: menu\n")
			},
			want: []want{{file: mainYAML, at: "  orphan:", msg: "node orphan " + unreachable}},
		},
		{
			name: "dead-end route",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      - go: person_unavailable", "      - if: staffed\n        go: person_unavailable")
			},
			want: []want{{file: mainYAML, at: "    route:\n      - if: staffed",
				msg: "node person: dead end when no condition holds; end the route with a branch without `if`"}},
		},
		{
			name: "branch without condition before others",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      - go: person_unavailable", "      - go: person_unavailable\n      - if: staffed\n        go: menu")
			},
			want: []want{
				{file: mainYAML, at: "    route:\n      - if: staffed\n        go: handoff_offer",
					msg: "node person: dead end when no condition holds; end the route with a branch without `if`"},
				{file: mainYAML, at: "      - go: person_unavailable\n      - if: staffed",
					msg: "node person: a branch without a condition must come last; the branches after it are never taken"},
			},
		},
		{
			name: "loop through go",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  erased:\n    say: erased\n", "  erased:\n    say: erased\n    go: language\n")
				f.replace(t, mainYAML, "  language:\n    say: language\n", "  language:\n    say: language\n    go: erased\n")
			},
			want: []want{{file: mainYAML, at: "  erased:\n", msg: "node erased: go and route can lead back to it without waiting for an answer (erased → language → erased): a turn that takes this way never ends"}},
		},
		{
			name: "loop through a route to itself",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      - go: person_unavailable", "      - if: staffed\n        go: person\n      - go: person_unavailable")
			},
			want: []want{{file: mainYAML, at: "  person:\n", msg: "node person: go and route can lead back to it without waiting for an answer (person → person): a turn that takes this way never ends"}},
		},
		{
			name: "a question that leads back is no loop",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  language:\n    say: language\n", "  language:\n    say: language\n    go: menu\n")
			},
		},
		{
			name: "topic that leads to no reply",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  privacy:\n    say: privacy\n", "  privacy:\n    event: {kind: unsafe_place}\n")
			},
			want: []want{
				{file: mainYAML, at: "  privacy:\n", msg: "node privacy: a turn can start here and end without any reply (through privacy): give a node on the way a say"},
				{file: svText, at: "\nprivacy:", msg: "message privacy is not used by any node"},
			},
		},
		{
			name: "answer that leads to no reply",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "      skip: support_any_age", "      skip: quiet")
				f.appendTo(mainYAML, "\n  quiet:\n    route:\n      - if: staffed\n        go: person\n      - go: hush\n  hush:\n    wait: {else: welcome}\n")
			},
			want: []want{{file: mainYAML, at: "  quiet:\n", msg: "node quiet: a turn can start here and end without any reply (through quiet → hush): give a node on the way a say"}},
		},
		{
			name: "node that does nothing",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  language:\n    say: language\n", "  language:\n    say: language\n    go: idle\n")
				f.appendTo(mainYAML, "\n  idle: {}\n")
			},
			want: []want{{file: mainYAML, at: "  idle: {}", msg: "node idle: dead end: it says nothing and goes nowhere"}},
		},
		{
			name: "node with go and wait",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  menu:\n    say: menu\n", "  menu:\n    say: menu\n    go: welcome\n")
			},
			want: []want{{file: mainYAML, at: "  menu:\n    say: menu\n", msg: "node menu: use only one of go, route and wait"}},
		},
		{
			name: "wait answer that is no intent",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, `      "no": support_any_age`, `      "nej": support_any_age`)
			},
			want: []want{{file: mainYAML, at: `"nej": support_any_age`,
				msg: `node ask_age: answer "nej" is not "age", "else", a number or an intent of the lexicons`}},
		},
		{
			name: "asked names a node that does not wait",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "if: asked ask_age", "if: asked support_youth")
			},
			want: []want{{file: mainYAML, at: "- if: asked support_youth",
				msg: `node support: "asked support_youth" names no node that waits for an answer`}},
		},
		{
			name: "unknown event kind",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "event: {kind: unsafe_place}", "event: {kind: unsafe}")
			},
			want: []want{{file: mainYAML, at: "event: {kind: unsafe}",
				msg: `node unsafe_thanks: unknown event kind "unsafe" (referred, handoff_requested, handoff_started, ombud_join, ombud_leave, unsafe_place)`}},
		},
		{
			name: "unknown message id",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "    say: about_boj\n", "    say: about_bog\n")
			},
			want: []want{
				{file: mainYAML, at: "say: about_bog", msg: `node about_boj: unknown message "about_bog" (not in locales/sv.yaml)`},
				{file: svText, at: "\nabout_boj:", msg: "message about_boj is not used by any node"},
				{file: svText, at: "\nabout_boj_youth:", msg: "message about_boj_youth is not used by any node"},
				{file: svText, at: "\nabout_boj_adult:", msg: "message about_boj_adult is not used by any node"},
				{file: svText, at: "\nabout_boj_child:", msg: "message about_boj_child is not used by any node"},
			},
		},
		{
			name: "unknown safety message",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "  footer: footer ", "  footer: fot ")
			},
			want: []want{
				{file: mainYAML, at: "footer: fot", msg: `safety.footer: unknown message "fot"`},
				{file: svText, at: "\nfooter:", msg: "message footer is not used by any node"},
			},
		},
		{
			name: "message missing in one language",
			edit: func(t *testing.T, f files) {
				f.deleteLine(t, fiText, "privacy:")
			},
			want: []want{{file: fiText, msg: "message privacy is missing (it is in locales/sv.yaml:" + strconv.Itoa(realFiles(t).line(t, svText, "\nprivacy:")) + ")"}},
		},
		{
			name: "message only in Finnish",
			edit: func(t *testing.T, f files) {
				f.appendTo(fiText, "privacy_more: \"Soita 112 🙂\"\n")
			},
			want: []want{
				{file: enText, msg: "message privacy_more is missing (it is in locales/fi.yaml:" + strconv.Itoa(strings.Count(realFiles(t)[fiText], "\n")+1) + ")"},
				{file: fiText, at: "privacy_more:", msg: "message privacy_more is not used by any node"},
				{file: fiText, at: "privacy_more:", msg: `message privacy_more has characters outside GSM-7 "🙂": they make the SMS UCS-2 and cost twice as much`},
				{file: svText, msg: "message privacy_more is missing (it is in locales/fi.yaml:" + strconv.Itoa(strings.Count(realFiles(t)[fiText], "\n")+1) + ")"},
			},
		},
		{
			name: "a text missing in one language is checked once",
			edit: func(t *testing.T, f files) {
				f.deleteLine(t, fiText, "erased:")
				f.replace(t, svText, `erased: "Klart, det trygg`, `erased: "Klart – det trygg`)
			},
			want: []want{
				{file: fiText, msg: "message erased is missing (it is in locales/sv.yaml:" + strconv.Itoa(realFiles(t).line(t, svText, "\nerased:")) + ")"},
				{file: svText, at: "erased:", msg: `message erased has characters outside GSM-7 "–": they make the SMS UCS-2 and cost twice as much`},
			},
		},
		{
			name: "unused message",
			edit: func(t *testing.T, f files) {
				for _, file := range []string{svText, enText, fiText} {
					f.appendTo(file, "unused_text: \"Ring 112.\"\n")
				}
			},
			want: []want{{file: svText, at: "unused_text:", msg: "message unused_text is not used by any node"}},
		},
		{
			name: "message over 3 segments",
			edit: func(t *testing.T, f files) {
				f.deleteLine(t, enText, "compensation:")
				f.appendTo(enText, "compensation: \""+long+"\"\n")
			},
			want: []want{{file: enText, at: "compensation:", msg: "message compensation costs 4 SMS segments (460 characters with any footer); the budget is 3"}},
		},
		{
			name: "message at exactly 3 segments is fine",
			edit: func(t *testing.T, f files) {
				f.deleteLine(t, enText, "compensation:")
				f.appendTo(enText, "compensation: \""+long[:459]+"\"\n")
			},
		},
		{
			name: "footer counts against the budget",
			edit: func(t *testing.T, f files) {
				// 440 characters and no help number: the footer (" Are you in danger now? Call 112.") makes it 473.
				f.deleteLine(t, enText, "compensation:")
				f.appendTo(enText, "compensation: \""+strings.Repeat("b", 440)+"\"\n")
			},
			want: []want{{file: enText, at: "compensation:", msg: "message compensation costs 4 SMS segments (473 characters with any footer); the budget is 3"}},
		},
		{
			name: "emoji",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `erased: "Done, what trygg held`, `erased: "Done 🙂, what trygg held`)
			},
			want: []want{{file: enText, at: "erased:", msg: `message erased has characters outside GSM-7 "🙂": they make the SMS UCS-2 and cost twice as much`}},
		},
		{
			name: "curly quote",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `erased: "Done, what trygg held`, `erased: "Done, it’s what trygg held`)
			},
			want: []want{{file: enText, at: "erased:", msg: `message erased has characters outside GSM-7 "’": they make the SMS UCS-2 and cost twice as much`}},
		},
		{
			name: "en dash",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, `erased: "Klart, det trygg`, `erased: "Klart – det trygg`)
			},
			want: []want{{file: svText, at: "erased:", msg: `message erased has characters outside GSM-7 "–": they make the SMS UCS-2 and cost twice as much`}},
		},
		{
			name: "youth variant with the adult number",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, "{{end}} Ring gärna Brottsofferjouren för unga på 010-567 63 25.", "{{end}} Ring gärna Brottsofferjouren på 021-41 32 60.")
			},
			want: []want{{file: svText, at: "person_unavailable_youth:", msg: "message person_unavailable_youth is for residents under 20 but gives 021-41 32 60"}},
		},
		{
			name: "youth variant with the adult number in Finnish",
			edit: func(t *testing.T, f files) {
				fi := f["locales/fi.yaml"]
				i := strings.Index(fi, "\nperson_unavailable_youth:")
				end := i + 1 + strings.Index(fi[i+1:], "\n")
				f["locales/fi.yaml"] = fi[:end-1] + " 021-41 32 60.\"" + fi[end:]
			},
			want: []want{{file: fiText, at: "person_unavailable_youth:", msg: "message person_unavailable_youth is for residents under 20 but gives 021-41 32 60"}},
		},
		{
			name: "child variant with the adult number",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, "Du kan också prata med BRIS på 116 111, dygnet runt. Du behöver inte ha anmält. Är du i fara nu? Ring 112.\"", "Eller 021-41 32 60. Är du i fara nu? Ring 112.\"")
			},
			want: []want{{file: svText, at: "support_child:", msg: "message support_child is for residents under 20 but gives 021-41 32 60"}},
		},
		{
			name: "adult variant with the youth number",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, "{{end}} Ring gärna Brottsofferjouren Västerås på 021-41 32 60, eller 116 006.", "{{end}} Ring gärna 010-567 63 25.")
			},
			want: []want{{file: svText, at: "person_unavailable_adult:", msg: "message person_unavailable_adult is for residents 20 and older but gives 010-567 63 25"}},
		},
		{
			name: "adult number without a youth variant",
			edit: func(t *testing.T, f files) {
				for _, file := range []string{svText, enText, fiText} {
					f.deleteLine(t, file, "person_unavailable_youth:")
				}
			},
			want: []want{{file: svText, at: "\nperson_unavailable:", msg: "message person_unavailable gives 021-41 32 60 (20 and older) but has no person_unavailable_youth variant for younger residents"}},
		},
		{
			name: "youth number without an adult variant",
			edit: func(t *testing.T, f files) {
				for _, file := range []string{svText, enText, fiText} {
					f.deleteLine(t, file, "person_unavailable_adult:")
				}
			},
			want: []want{{file: svText, at: "\nperson_unavailable:", msg: "message person_unavailable gives 010-567 63 25 (under 20) but has no person_unavailable_adult variant for residents 20 and older"}},
		},
		{
			name: "handoff footer without 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `handoff_footer_adult: "Danger now: call 112. Brottsofferjouren`, `handoff_footer_adult: "Brottsofferjouren`)
			},
			want: []want{{file: enText, at: "handoff_footer_adult:", msg: "message handoff_footer_adult goes under staff messages in a handoff: it must give 112 and a Brottsofferjouren number"}},
		},
		{
			name: "unknown handoff footer",
			edit: func(t *testing.T, f files) {
				f.replace(t, mainYAML, "handoff_footer: handoff_footer ", "handoff_footer: fot ")
			},
			want: []want{
				{file: mainYAML, at: "handoff_footer: fot", msg: `globals.handoff_footer: unknown message "fot"`},
				{file: svText, at: "\nhandoff_footer:", msg: "message handoff_footer is not used by any node"},
				{file: svText, at: "\nhandoff_footer_youth:", msg: "message handoff_footer_youth is not used by any node"},
				{file: svText, at: "\nhandoff_footer_adult:", msg: "message handoff_footer_adult is not used by any node"},
			},
		},
		{
			name: "youth number alone where the age is unknown",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, "Brottsofferjouren: under 20 call 010-567 63 25, 20 or older call 021-41 32 60. Are you in danger now? Call 112.\"\nchild_child:",
					"Brottsofferjouren for young people: 010-567 63 25. Are you in danger now? Call 112.\"\nchild_child:")
			},
			want: []want{{file: enText, at: "\nchild:", msg: "message child is said when the age is unknown but gives only 010-567 63 25: give 021-41 32 60 too, with the age rule"}},
		},
		{
			name: "adult number alone where the age is unknown",
			edit: func(t *testing.T, f files) {
				f.replace(t, fiText, "Brottsofferjouren: alle 20-vuotiaat soittavat numeroon 010-567 63 25, 20 vuotta täyttäneet numeroon 021-41 32 60. Oletko vaarassa nyt? Soita 112.\"\nchild_child:",
					"Brottsofferjouren: 021-41 32 60. Oletko vaarassa nyt? Soita 112.\"\nchild_child:")
			},
			want: []want{{file: fiText, at: "\nchild:", msg: "message child is said when the age is unknown but gives only 021-41 32 60: give 010-567 63 25 too, with the age rule"}},
		},
		{
			name: "skicka sms till 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, `erased: "Klart, det trygg hade om dig är raderat. Det du skrev till personal finns kvar hos dem. Radera även tråden i din telefon eller dator om ingen annan ska se den. Är du i fara? Ring 112."`, `erased: "Klart, det trygg hade om dig är raderat. Det du skrev till personal finns kvar hos dem. Radera även tråden i din telefon eller dator om ingen annan ska se den. Är du i fara? Skicka sms till 112."`)
			},
			want: []want{{file: svText, at: "erased:", msg: "message erased tells residents to text 112; SMS to 112 works only for people registered in advance: say call"}},
		},
		{
			name: "sms:a 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, `erased: "Klart, det trygg hade om dig är raderat. Det du skrev till personal finns kvar hos dem. Radera även tråden i din telefon eller dator om ingen annan ska se den. Är du i fara? Ring 112."`, `erased: "Klart, det trygg hade om dig är raderat. Det du skrev till personal finns kvar hos dem. Radera även tråden i din telefon eller dator om ingen annan ska se den. Är du i fara? Sms:a 112."`)
			},
			want: []want{{file: svText, at: "erased:", msg: "message erased tells residents to text 112; SMS to 112 works only for people registered in advance: say call"}},
		},
		{
			name: "text 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `erased: "Done, what trygg held about you is deleted. What you wrote to staff stays with them. Delete the thread on your phone or computer too if no one else should see it. In danger? Call 112."`, `erased: "Done, what trygg held about you is deleted. What you wrote to staff stays with them. Delete the thread on your phone or computer too if no one else should see it. In danger? Send a text to 112."`)
			},
			want: []want{{file: enText, at: "erased:", msg: "message erased tells residents to text 112; SMS to 112 works only for people registered in advance: say call"}},
		},
		{
			name: "tekstiviesti numeroon 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, fiText, `erased: "Valmista, tryggin tiedot sinusta on poistettu. Henkilökunnalle kirjoittamasi jää heille. Poista myös viestiketju, jos kukaan muu ei saa nähdä sitä. Vaarassa? Soita 112."`, `erased: "Valmista, tryggin tiedot sinusta on poistettu. Henkilökunnalle kirjoittamasi jää heille. Poista myös viestiketju, jos kukaan muu ei saa nähdä sitä. Vaarassa? Lähetä tekstiviesti numeroon 112."`)
			},
			want: []want{{file: fiText, at: "erased:", msg: "message erased tells residents to text 112; SMS to 112 works only for people registered in advance: say call"}},
		},
		{
			name: "tekstiviestillä 112",
			edit: func(t *testing.T, f files) {
				f.replace(t, fiText, `erased: "Valmista, tryggin tiedot sinusta on poistettu. Henkilökunnalle kirjoittamasi jää heille. Poista myös viestiketju, jos kukaan muu ei saa nähdä sitä. Vaarassa? Soita 112."`, `erased: "Valmista, tryggin tiedot sinusta on poistettu. Henkilökunnalle kirjoittamasi jää heille. Poista myös viestiketju, jos kukaan muu ei saa nähdä sitä. Vaarassa? Ilmoita tekstiviestillä 112."`)
			},
			want: []want{{file: fiText, at: "erased:", msg: "message erased tells residents to text 112; SMS to 112 works only for people registered in advance: say call"}},
		},
		{
			name: "call 112 is fine",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `erased: "Done, what trygg held about you is deleted. What you wrote to staff stays with them. Delete the thread on your phone or computer too if no one else should see it. In danger? Call 112."`, `erased: "Done, what trygg held about you is deleted. What you wrote to staff stays with them. Delete the thread on your phone or computer too if no one else should see it. Write STOP any time. In this context 112 means call. In danger? Call 112, do not text."`)
			},
		},
		{
			name: "keyword clash within a language",
			edit: func(t *testing.T, f files) {
				f.replace(t, svLex, "any: [tipsa, tips, ", "any: [tipsa, tips, anmäla, ")
			},
			want: []want{{file: svLex, at: "any: [tipsa, tips, anmäla, ",
				msg: `keyword clash: "anmäla" is tips here and report in flows/lexicon/sv.yaml:` + strconv.Itoa(realFiles(t).line(t, svLex, "any: [anmäla, anmälan"))}},
		},
		{
			name: "keyword clash across languages",
			edit: func(t *testing.T, f files) {
				f.replace(t, enLex, "any: [tip, tip off,", "any: [tip, anmäla, tip off,")
			},
			want: []want{{file: svLex, at: "any: [anmäla, anmälan",
				msg: `keyword clash: "anmäla" is report here and tips in flows/lexicon/en.yaml:` + strconv.Itoa(realFiles(t).line(t, enLex, "any: [tip, tip off,"))}},
		},
		{
			name: "global intent missing in a language",
			edit: func(t *testing.T, f files) {
				f.replace(t, fiLex, "  menu:\n    whole: [valikko,", "  menu_renamed:\n    whole: [valikko,")
			},
			want: []want{{file: fiLex, line: 1, msg: "intent menu has no words: it must work in every language"}},
		},
		{
			name: "topic intent missing in a language",
			edit: func(t *testing.T, f files) {
				// Cut the whole intent, however many lines its words take.
				text := f[fiLex]
				i := strings.Index(text, "\n  tips:\n") + 1
				j := i + strings.Index(text[i:], "\n  grannsamverkan:\n") + 1
				f[fiLex] = text[:i] + text[j:]
			},
			want: []want{{file: mainYAML, at: "{intent: tips, go: tips}", msg: "intent tips has no words in flows/lexicon/fi.yaml"}},
		},
		{
			name: "language with texts but no lexicon",
			edit: func(t *testing.T, f files) {
				f["locales/de.yaml"] = f[enText]
			},
			want: []want{
				{file: enLex, line: 1, msg: "intent lang_de has no words: it must work in every language"},
				{file: fiLex, line: 1, msg: "intent lang_de has no words: it must work in every language"},
				{file: svLex, line: 1, msg: "intent lang_de has no words: it must work in every language"},
				{file: "flows/lines.yaml", msg: "group adults has no words in de: a text in de cannot name it"},
				{file: "flows/lines.yaml", msg: "group men has no words in de: a text in de cannot name it"},
				{file: "flows/lines.yaml", msg: "group over65 has no words in de: a text in de cannot name it"},
				{file: "flows/lines.yaml", msg: "group under18 has no words in de: a text in de cannot name it"},
				{file: "flows/lines.yaml", msg: "group women has no words in de: a text in de cannot name it"},
				{file: "locales/de.yaml", msg: "language de has texts but no flows/lexicon/de.yaml with its words"},
			},
		},
		{
			name: "language with words but no texts",
			edit: func(t *testing.T, f files) {
				f["flows/lexicon/de.yaml"] = strings.Replace(f[enLex], "language: en", "language: de", 1)
			},
			want: []want{{file: "flows/lexicon/de.yaml", line: 1, msg: "language de has words but no locales/de.yaml with its texts"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realFiles(t)
			tt.edit(t, f)
			got := problemStrings(flows.Check(f.load(t)))
			var wantS []string
			for _, w := range tt.want {
				wantS = append(wantS, w.String(t, f))
			}
			if !slices.Equal(got, wantS) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantS, "\n"))
			}
		})
	}
}

// TestCheckProblemsExactly pins the complete output of a few broken copies, as an editor
// reads it. The lines are those of the files as they are; update them when the files move.
func TestCheckProblemsExactly(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, f files)
		want string
	}{
		{
			name: "unknown start node",
			edit: func(t *testing.T, f files) { f.replace(t, mainYAML, "start: welcome ", "start: nowhere ") },
			want: `flows/main.yaml:14: start: unknown node "nowhere"`,
		},
		{
			name: "message missing in Finnish",
			edit: func(t *testing.T, f files) { f.deleteLine(t, fiText, "privacy:") },
			want: `locales/fi.yaml: message privacy is missing (it is in locales/sv.yaml:77)`,
		},
		{
			name: "emoji",
			edit: func(t *testing.T, f files) {
				f.replace(t, enText, `erased: "Done, what trygg held`, `erased: "Done 🙂, what trygg held`)
			},
			want: `locales/en.yaml:143: message erased has characters outside GSM-7 "🙂": they make the SMS UCS-2 and cost twice as much`,
		},
		{
			name: "youth variant with the adult number",
			edit: func(t *testing.T, f files) {
				f.replace(t, svText, "{{end}} Ring gärna Brottsofferjouren för unga på 010-567 63 25.", "{{end}} Ring gärna Brottsofferjouren på 021-41 32 60.")
			},
			want: `locales/sv.yaml:104: message person_unavailable_youth is for residents under 20 but gives 021-41 32 60`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realFiles(t)
			tt.edit(t, f)
			got := strings.Join(problemStrings(flows.Check(f.load(t))), "\n")
			if got != tt.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestCheckEmptyNode(t *testing.T) {
	f := realFiles(t)
	f.appendTo(mainYAML, "\n  blank:\n")
	got := problemStrings(flows.Check(f.load(t)))
	want := []string{"flows/main.yaml:" + strconv.Itoa(f.line(t, mainYAML, "  blank:")) + ": node blank is empty"}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadErrors: files that cannot be read as flows fail Load with the file's name.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, f files)
		want []string // parts of the error
	}{
		{
			name: "bad YAML in main.yaml",
			edit: func(t *testing.T, f files) { f.replace(t, mainYAML, "start: welcome ", "start: [welcome ") },
			want: []string{"flows/main.yaml: ", "line "},
		},
		{
			name: "bad YAML in a lexicon",
			edit: func(t *testing.T, f files) { f.replace(t, svLex, "language: sv", "language: sv\n  - oops: [") },
			want: []string{"flows/lexicon/sv.yaml: "},
		},
		{
			name: "bad YAML in a locale file",
			edit: func(t *testing.T, f files) { f.appendTo(enText, "broken: \"unterminated\n") },
			want: []string{"locales: en.yaml: "},
		},
		{
			name: "bad condition",
			edit: func(t *testing.T, f files) { f.replace(t, mainYAML, "if: age < 20", "if: age > 20") },
			want: []string{"flows/main.yaml: ", `condition "age > 20"`, "line " + strconv.Itoa(realFiles(t).line(t, mainYAML, "- if: age < 20"))},
		},
		{
			name: "lexicon of another language",
			edit: func(t *testing.T, f files) { f.replace(t, fiLex, "language: fi", "language: sv") },
			want: []string{"flows/lexicon/fi.yaml: ", `"sv"`, `"fi"`},
		},
		{
			name: "no lexicons",
			edit: func(t *testing.T, f files) {
				for _, file := range []string{svLex, enLex, fiLex} {
					delete(f, file)
				}
			},
			want: []string{"no lexicon files (flows/lexicon/*.yaml)"},
		},
		{
			name: "no main.yaml",
			edit: func(t *testing.T, f files) { delete(f, mainYAML) },
			want: []string{"flows/main.yaml"},
		},
		{
			name: "no Swedish texts",
			edit: func(t *testing.T, f files) { delete(f, svText) },
			want: []string{"default language sv"},
		},
		{
			name: "locale file not named for a language",
			edit: func(t *testing.T, f files) { f["locales/texts_1.yaml"] = f[enText] },
			want: []string{"texts_1.yaml", "language tag"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realFiles(t)
			tt.edit(t, f)
			set, err := flows.Load(f.source())
			if err == nil {
				t.Fatalf("Load succeeded with %d problems; want an error", len(flows.Check(set)))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
