package bot_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/bot/understand"
	"github.com/vasteras/trygg/flows"
)

// ageShape is a sentence that says an age and a need for support.
type ageShape struct {
	lang string
	// text has {n} where the age goes.
	text string
	// ageWord is true when the shape puts an age word next to the number ("{n} år",
	// "{n}-vuotias", "{n} years old"). Without one, a number word below 10 is not read as an
	// age, by design: "jag är en tjej" (I am a girl), "olen yksi heistä" (I am one of them),
	// "I'm one of them" say nothing about age. Such cases must then ask the age (one question
	// that gives both numbers with the age rule) rather than guess.
	ageWord bool
}

// ageShapes are the sentence shapes of the age property, several per language: the age
// before or after the need, with "jag är"/"I'm"/"olen" before it, an age word after it,
// or both, glued to the number or apart.
var ageShapes = []ageShape{
	{"sv", "Jag är {n} och blev rånad", false},
	{"sv", "{n} år, blev slagen igår", true},
	{"sv", "jag blev rånad. jag är {n} år", true},
	{"sv", "hej jag e {n} år gammal och blev misshandlad", true},
	{"sv", "Jag är en {n}åring som blev rånad", true},
	{"en", "I'm {n} and I was robbed", false},
	{"en", "I was mugged, I am {n} years old", true},
	{"en", "{n} yo, got beaten up yesterday", true},
	{"en", "hi, I am {n} years old and I was assaulted", true},
	{"fi", "Olen {n}-vuotias ja minut ryöstettiin", true},
	{"fi", "minut ryöstettiin, olen {n}", false},
	{"fi", "Olen {n}vuotias ja minua pahoinpideltiin", true},
	{"fi", "moi, mä oon {n} vuotias ja minut ryöstettiin eilen", true},
}

// ageNeed is the first message of the two-turn shape, then the bare age is the answer.
var ageNeed = map[string]string{"sv": "jag blev rånad", "en": "I was robbed", "fi": "minut ryöstettiin"}

// ageWritten is one way of writing an age.
type ageWritten struct {
	n    int
	text string
	word bool
}

// ageWritings returns every way the lexicons let a resident write each age 1..99 in lang:
// digits, and every number word from the lexicon's numbers section; 21..99 are composed
// from a tens word and a ones word the way the matcher composes them ("tjugotre",
// "kaksikymmentäkolme"; English "twenty-three" and "twenty three").
func ageWritings(t *testing.T, set *flows.Set, lang string) []ageWritten {
	t.Helper()
	var numbers map[int][]string
	for _, lx := range set.Lexicons {
		if lx.Lang == lang {
			numbers = lx.Numbers
		}
	}
	if numbers == nil {
		t.Fatalf("no lexicon for %s", lang)
	}
	var out []ageWritten
	for n := 1; n <= 99; n++ {
		out = append(out, ageWritten{n: n, text: strconv.Itoa(n)})
		var words []string
		switch {
		case n < 20 || n%10 == 0:
			words = numbers[n]
		default:
			for _, tens := range numbers[n/10*10] {
				for _, ones := range numbers[n%10] {
					if lang == "en" {
						words = append(words, tens+"-"+ones, tens+" "+ones)
					} else {
						words = append(words, tens+ones)
					}
				}
			}
		}
		if len(words) == 0 {
			t.Fatalf("%s: no number word for %d", lang, n)
		}
		for _, w := range words {
			out = append(out, ageWritten{n: n, text: w, word: true})
		}
	}
	return out
}

// ageReplyProblem returns what is wrong with the reply to a resident of age n, or "".
func ageReplyProblem(n int, res bot.Result) string {
	got := res.Text()
	right, wrong := bojYouth, bojAdult
	if n >= 20 {
		right, wrong = bojAdult, bojYouth
	}
	switch {
	case int(res.State.AgeMin) != n || int(res.State.AgeMax) != n:
		return fmt.Sprintf("age read as %d-%d, want %d", res.State.AgeMin, res.State.AgeMax, n)
	case !strings.Contains(got, right):
		return fmt.Sprintf("reply lacks %s", right)
	case strings.Contains(got, wrong):
		return fmt.Sprintf("reply gives %s", wrong)
	}
	if p := turnProblems(res); len(p) > 0 {
		return strings.Join(p, "; ")
	}
	return ""
}

// TestAgeProperty: for every age 1..99, written in digits and in every number word of sv,
// en and fi, in several sentence shapes per language, the first reply gives the
// Brottsofferjouren number for that age and never the other one.
func TestAgeProperty(t *testing.T) {
	set := loadSet(t)
	e := bot.New(set, bot.Options{})
	total := 0
	for _, shape := range ageShapes {
		t.Run(shape.lang+"/"+shape.text, func(t *testing.T) {
			checked, asked := 0, 0
			for _, a := range ageWritings(t, set, shape.lang) {
				text := strings.ReplaceAll(shape.text, "{n}", a.text)
				res := e.Turn(bot.State{}, bot.Message{Text: text}, testNow)
				checked++
				if a.word && a.n < 10 && !shape.ageWord {
					// Not read as an age, by design (see ageShape): the age is asked, once,
					// in a reply that gives both numbers with the age rule.
					asked++
					if res.State.Group() != bot.AgeUnknown || len(res.Replies) != 1 || res.Replies[0].MessageID != "ask_age" {
						t.Errorf("%q: %s, age %d-%d; want the age question", text, replyIDs(res), res.State.AgeMin, res.State.AgeMax)
					}
					checkTurn(t, text, res)
					continue
				}
				if p := ageReplyProblem(a.n, res); p != "" {
					t.Errorf("%q (age %d): %s\n%s", text, a.n, p, res.Text())
				}
				if len(res.Replies) > 0 && res.Replies[0].Lang != shape.lang {
					t.Errorf("%q: reply in %s, want %s", text, res.Replies[0].Lang, shape.lang)
				}
			}
			t.Logf("%d ages checked (%d small number words asked instead, by design)", checked, asked)
			total += checked
		})
	}
	t.Logf("%d age cases in %d shapes", total, len(ageShapes))
}

// TestAgePropertyAnswer: the two-turn shape. The resident tells of a crime, trygg asks the
// age, and the bare answer (digits or any number word, small ones included: "sju" answers
// "hur gammal är du?") gets the right number and never the other one.
func TestAgePropertyAnswer(t *testing.T) {
	set := loadSet(t)
	e := bot.New(set, bot.Options{})
	langs := make([]string, 0, len(ageNeed))
	for lang := range ageNeed {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	// The answers the age question names besides an age, in every language.
	answers := map[string]bool{}
	for _, lx := range set.Lexicons {
		for _, intent := range []string{"yes", "no", "skip"} {
			for _, p := range lx.Intents[intent].Whole {
				answers[understand.Normalize(p)] = true
			}
		}
	}
	total := 0
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			first := e.Turn(bot.State{}, bot.Message{Text: ageNeed[lang]}, testNow)
			checkTurn(t, ageNeed[lang], first)
			if first.State.Node != "ask_age" {
				t.Fatalf("%q: %s, want the age question", ageNeed[lang], replyIDs(first))
			}
			checked := 0
			for _, a := range ageWritings(t, set, lang) {
				res := e.Turn(first.State, bot.Message{Text: a.text}, testNow)
				checked++
				if answers[understand.Normalize(a.text)] {
					// A number word that is also an answer the question names: Swedish "en"
					// (one) is Finnish "en" (no). The named answer wins; the resident gets
					// both numbers with the age rule, never a guessed age.
					if res.State.Group() != bot.AgeUnknown || !strings.Contains(res.Text(), bojYouth) || !strings.Contains(res.Text(), bojAdult) {
						t.Errorf("%q, then %q: %s, age %d-%d; want both numbers", ageNeed[lang], a.text, replyIDs(res), res.State.AgeMin, res.State.AgeMax)
					}
					checkTurn(t, a.text, res)
					continue
				}
				if p := ageReplyProblem(a.n, res); p != "" {
					t.Errorf("%q, then %q (age %d): %s\n%s", ageNeed[lang], a.text, a.n, p, res.Text())
				}
				if len(res.Replies) > 0 && res.Replies[0].Lang != lang {
					t.Errorf("%q: reply in %s, want %s", a.text, res.Replies[0].Lang, lang)
				}
			}
			t.Logf("%d answers checked", checked)
			total += checked
		})
	}
	t.Logf("%d answer cases", total)
}

// TestAgeBoundary pins the one boundary that matters in every language: 19 is youth,
// 20 is not.
func TestAgeBoundary(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		text  string
		group bot.AgeGroup
	}{
		{"jag är 19 och blev rånad", bot.AgeYouth},
		{"jag är 20 och blev rånad", bot.AgeAdult},
		{"jag är nitton och blev rånad", bot.AgeYouth},
		{"jag är tjugo och blev rånad", bot.AgeAdult},
		{"I'm 19 and I was robbed", bot.AgeYouth},
		{"I'm twenty and I was robbed", bot.AgeAdult},
		{"olen 19-vuotias ja minut ryöstettiin", bot.AgeYouth},
		{"olen kaksikymmentä ja minut ryöstettiin", bot.AgeAdult},
		{"jag är 17 och blev rånad", bot.AgeChild},
		{"jag är 18 och blev rånad", bot.AgeYouth},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res := e.Turn(bot.State{}, bot.Message{Text: tt.text}, testNow)
			checkTurn(t, tt.text, res)
			if g := res.State.Group(); g != tt.group {
				t.Errorf("group %q, want %q", g, tt.group)
			}
		})
	}
}

func replyIDs(res bot.Result) string {
	ids := make([]string, 0, len(res.Replies))
	for _, r := range res.Replies {
		ids = append(ids, r.MessageID)
	}
	return "[" + strings.Join(ids, " ") + "]"
}
