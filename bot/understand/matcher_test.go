package understand_test

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot/understand"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// now is the clock of the tests: 15 March 2026.
var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// shipped returns the matcher on the lexicons built into the binary (flows/lexicon).
func shipped(tb testing.TB) *understand.Matcher {
	tb.Helper()
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		tb.Fatalf("load flows: %v", err)
	}
	return set.Matcher
}

func TestTypos(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		text, intent string
		want         bool
	}{
		{"jag blev misshandlad", "support", true},
		{"jag blev mishandlad", "support", true},   // a letter missing
		{"jag blev misshandlaad", "support", true}, // a letter too many
		{"jag blev misshandlsd", "support", true},  // a letter wrong
		{"jag blev misshnadlad", "support", true},  // two letters swapped
		{"jag blev mshandlad", "support", false},   // two edits: not forgiven
		{"jag blev msshandlda", "support", false},  // two edits: not forgiven
		{"jag blev ranadd", "support", true},       // five letters and more: one edit
		{"jag blev randa", "support", true},        // two letters swapped
		{"jag blev rand", "support", false},        // the typo leaves four letters: exact only
		{"I was asaulted", "support", true},
		{"I was robed", "support", true},
		{"I was asslted", "support", false},
		{"minut ryöstetiin", "support", true},
		{"minut ryostettin", "support", true},
		{"grannsamverkn", "grannsamverkan", true},
		{"hjlap", "support", true}, // hjälp, swapped
		{"meyn", "menu", false},    // four letters: exact only
		{"meny", "menu", true},
		{"menyy", "menu", true}, // one edit from "menyn", which has five letters
		{"stop", "stop", true},
		{"stpo", "stop", false},
		{"radera", "stop", true},
		{"raderaa", "stop", true}, // six letters and more: one edit
		{"hej", "greeting", true},
		{"hek", "greeting", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := m.Read(tt.text, now)
			if got := r.Has(tt.intent); got != tt.want {
				t.Errorf("Read(%q) has %s = %v, want %v (intents %v)", tt.text, tt.intent, got, tt.want, r.Intents)
			}
		})
	}
}

// TestTypoRules pins the typo rules on a made-up lexicon, apart from the shipped words:
// one edit (insert, delete, substitute, swap neighbours) in words of five letters or more,
// short words exact, numbers never corrected, and a tie going to the same word every time.
func TestTypoRules(t *testing.T) {
	m, err := understand.Compile([]understand.Lexicon{{
		Lang: "xx",
		Intents: map[string]understand.Intent{
			"long":  {Any: []string{"abcdef"}},
			"five":  {Any: []string{"vwxyz"}},
			"short": {Any: []string{"abcd"}},
			"tie1":  {Any: []string{"klmnop"}},
			"tie2":  {Any: []string{"klmnoq"}},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"abcdef", []string{"long"}},
		{"abcdeg", []string{"long"}},  // substitution
		{"abcdefg", []string{"long"}}, // insertion at the end
		{"xabcdef", []string{"long"}}, // insertion at the start
		{"abcef", []string{"long"}},   // deletion
		{"bacdef", []string{"long"}},  // swap at the start
		{"abcdfe", []string{"long"}},  // swap at the end
		{"badcef", nil},               // two swaps
		{"abcxyz", nil},               // three edits
		{"vwxyz", []string{"five"}},
		{"vwxzy", []string{"five"}},  // a five-letter word forgives one edit
		{"vwxy", nil},                // but a typo that leaves four letters is too short to trust
		{"vwxyzz", []string{"five"}}, // insertion
		{"abcd", []string{"short"}},
		{"abce", nil},               // a four-letter word is exact
		{"abcde", []string{"long"}}, // one edit from "abcdef"; "abcd" is short and never a target
		{"klmnox", []string{"tie1"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := m.Read(tt.text, now).Intents
			if !slices.Equal(got, tt.want) {
				t.Errorf("Read(%q).Intents = %v, want %v", tt.text, got, tt.want)
			}
			for i := 0; i < 5; i++ {
				if again := m.Read(tt.text, now).Intents; !slices.Equal(again, got) {
					t.Fatalf("Read(%q) is not deterministic: %v then %v", tt.text, got, again)
				}
			}
		})
	}
}

func TestDanger(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		text            string
		danger, suicide bool
	}{
		// Swedish: harm now, weapons, fire, someone at the door, someone hurt, suicide.
		{"han slår mig nu", true, false},
		{"HAN SLÅR MIG JUST NU!!", true, false},
		{"han slar mig nu", true, false},
		{"pappa slår mamma precis nu", true, false},
		{"någon följer efter mig nu", true, false},
		{"han har en kniv", true, false},
		{"de har vapen", true, false},
		{"någon skjuter", true, false},
		{"det brinner i trapphuset", true, false},
		{"han står utanför dörren", true, false},
		{"han är här", true, false},
		{"någon bryter sig in", true, false},
		{"min kompis blöder", true, false},
		{"jag blir slagen just nu", true, false},
		{"jag blir hotad nu", true, false},
		{"han försöker döda mig", true, false},
		{"han andas inte", true, false},
		{"jag vill ta livet av mig", true, true},
		{"jag orkar inte leva", true, true},
		{"tänker på självmord", true, true},
		{"jag vill dö", true, true},
		// English.
		{"he is hitting me right now", true, false},
		{"someone is following me now", true, false},
		{"he has a knife", true, false},
		{"there is a gun", true, false},
		{"the flat is on fire", true, false},
		{"someone is breaking in", true, false},
		{"he's outside my door", true, false},
		{"she is bleeding", true, false},
		{"I'm being beaten right now", true, false},
		{"he is trying to kill me", true, false},
		{"I want to kill myself", true, true},
		{"i don't want to live anymore", true, true},
		{"I feel suicidal", true, true},
		// Finnish.
		{"hän lyö minua nyt", true, false},
		{"hän uhkaa minua juuri nyt", true, false},
		{"hänellä on veitsi", true, false},
		{"hänellä on ase", true, false},
		{"talossa on tulipalo", true, false},
		{"joku murtautuu sisään", true, false},
		{"hän on oven takana", true, false},
		{"minua lyödään nyt", true, false},
		{"haluan kuolla", true, true},
		{"en jaksa elää", true, true},
		{"mietin itsemurhaa", true, true}, // inflected, one letter more than "itsemurha": forgiven
		// Not danger now: harm in the past, "now" without harm, no harm at all.
		{"jag blev slagen igår", false, false},
		{"han slog mig förra veckan", false, false},
		{"han slår mig ibland", false, false},
		{"jag blir slagen ibland", false, false},
		{"I was being followed last week", false, false},
		{"nu vill jag anmäla", false, false},
		{"vad kostar det nu", false, false},
		{"jag blev rånad och är rädd", false, false},
		{"han slår mig ny", false, false}, // "ny" is not "nu": short words are exact
		{"I was hit last week", false, false},
		{"I want to report it now", false, false},
		{"I was robbed yesterday", false, false},
		{"minut ryöstettiin eilen", false, false},
		{"haluan tehdä ilmoituksen nyt", false, false},
		{"hej", false, false},
		{"jag är 16", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := m.Read(tt.text, now)
			if r.Danger != tt.danger || r.Suicide != tt.suicide {
				t.Errorf("Read(%q): danger %v suicide %v, want %v %v", tt.text, r.Danger, r.Suicide, tt.danger, tt.suicide)
			}
		})
	}
}

func TestAge(t *testing.T) {
	m := shipped(t)
	type age = understand.Age
	tests := []struct {
		text string
		want age
	}{
		// Digits with an age word before or after.
		{"jag är 16", age{16, 16}},
		{"Jag är 16 och blev rånad", age{16, 16}},
		{"16 år", age{16, 16}},
		{"16år", age{16, 16}},
		{"16-åring", age{16, 16}},
		{"en 16åring blev rånad", age{16, 16}},
		{"blev rånad, är 16 år gammal", age{16, 16}},
		{"I'm 17", age{17, 17}},
		{"i am 17 years old", age{17, 17}},
		{"17yo", age{17, 17}},
		{"olen 15", age{15, 15}},
		{"15-vuotias", age{15, 15}},
		{"15v", age{15, 15}},
		// Number words.
		{"jag är sexton", age{16, 16}},
		{"sexton år", age{16, 16}},
		{"sextonåring", age{16, 16}},
		{"jag är tjugotre", age{23, 23}},
		{"jag är sju år", age{7, 7}},
		{"I'm seventeen", age{17, 17}},
		{"I am twenty three", age{23, 23}},
		{"twenty-three years old", age{23, 23}},
		{"olen kuusitoista", age{16, 16}},
		{"kuusitoistavuotias", age{16, 16}},
		{"olen kaksikymmentäkolme", age{23, 23}},
		{"olen kakskytkolme", age{23, 23}},
		{"kolme vuotta vanha", age{3, 3}},
		// Typos in number words are forgiven like any other long word.
		{"jag är sjuton år", age{17, 17}},
		// Other digits.
		{"jag är ١٦", age{16, 16}},
		{"۱۶ år", age{16, 16}},
		{"I'm ２２", age{22, 22}},
		// A birth year: the two ages a person born then can be on 15 March 2026.
		{"född 2008", age{17, 18}},
		{"jag är född 2006", age{19, 20}},
		{"född 06", age{19, 20}},
		{"I was born in 2010", age{15, 16}},
		{"synnyin 2000", age{25, 26}},
		{"synnyin vuonna 2000", age{25, 26}},
		{"född 2030", age{}}, // not born yet
		{"född 1900", age{}}, // no
		// Turning: "fyller 20" means 19 now.
		{"jag fyller 20 nästa månad", age{19, 19}},
		{"fyller snart 18", age{17, 17}},
		{"I'm turning 18 soon", age{17, 17}},
		{"täytän 20 ensi kuussa", age{19, 19}},
		// School years.
		{"jag går i nian", age{14, 16}},
		{"gar i nian", age{14, 16}},
		{"jag går på gymnasiet", age{15, 19}},
		{"I'm in high school", age{14, 19}},
		{"olen lukiossa", age{15, 19}},
		{"olen ysillä", age{14, 16}},
		// Not an age.
		{"jag är en tjej", age{}},
		{"jag är ett barn", age{}},
		{"I'm one of them", age{}},
		{"olen yksi heistä", age{}},
		{"jag har 2 barn", age{}},
		{"jag blev rånad av 3 killar", age{}},
		{"klockan 16 igår", age{}},
		{"16", age{}}, // a bare number is an answer, not an age (see TestNumber)
		{"ring 112", age{}},
		{"jag är 150 år", age{}},
		{"jag är 0 år", age{}},
		{"jag är 12345", age{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := m.Read(tt.text, now).Age; got != tt.want {
				t.Errorf("Read(%q).Age = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		text string
		want int
	}{
		{"16", 16},
		{" 16 ", 16},
		{"١٦", 16},
		{"sexton", 16},
		{"twenty three", 23},
		{"twenty-three", 23},
		{"kaksikymmentäkolme", 23},
		{"0", 0},
		{"2008", 2008},
		{"12345", -1},
		{"16 17", -1},
		{"hej", -1},
		{"", -1},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := m.Read(tt.text, now).Number; got != tt.want {
				t.Errorf("Read(%q).Number = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		text        string
		lang        string
		sure, other bool
	}{
		{"jag blev rånad igår", "sv", true, false},
		{"jag blev ranad igar", "sv", true, false},
		{"I was robbed yesterday", "en", true, false},
		{"minut ryöstettiin eilen", "fi", true, false},
		{"minut ryostettiin eilen", "fi", true, false},
		{"hej", "sv", false, false},
		{"hi", "en", false, false},
		{"moi", "fi", false, false},
		{"Hello, jag blev rånad och jag är rädd", "sv", false, false},
		{"grannsamverkan", "", false, false}, // a word of every language
		{"16", "", false, false},
		{"🙂", "", false, false},
		{"", "", false, false},
		{"asdf qwerty", "", false, false},
		{"مرحبا، تعرضت للسرقة", "ar", true, false},  // the script decides
		{"سلام، من ۱۶ سالمه", "fa", true, false},    // no Persian-only letter: the words tell
		{"سڵاو، یارمەتیم پێویستە", "", false, true}, // Sorani Kurdish: not spoken
		{"помогите мне", "", false, true},
		{"ሰላም", "ti", true, false},       // Ge'ez: Tigrinya
		{"jag är ١٦", "sv", true, false}, // Arabic-Indic digits are not letters of another script
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := m.Read(tt.text, now)
			if r.Lang != tt.lang || r.LangSure != tt.sure || r.OtherScript != tt.other {
				t.Errorf("Read(%q): lang %q sure %v other script %v, want %q %v %v", tt.text, r.Lang, r.LangSure, r.OtherScript, tt.lang, tt.sure, tt.other)
			}
		})
	}
}

func TestEmptyAndIntents(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		text    string
		empty   bool
		intents []string
	}{
		{"", true, nil},
		{"😢😢", true, nil},
		{"!!!???", true, nil},
		{"\x00\x01\x02", true, nil},
		{"STOPP", false, []string{"stop"}},
		{"radera mig", false, []string{"stop"}},
		{"stoppa honom", false, nil}, // a whole-message word inside a sentence is not the word
		{"jag vill inte radera", false, nil},
		{"MENY", false, []string{"menu"}},
		{"PERSON", false, []string{"person"}},
		{"jag vill prata med en människa", false, []string{"person"}},
		{"ENGLISH", false, []string{"lang_en"}},
		{"suomeksi", false, []string{"lang_fi"}},
		{"på svenska", false, []string{"lang_sv"}},
		{"jag blev rånad och vill anmäla", false, []string{"support", "report"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := m.Read(tt.text, now)
			if r.Empty != tt.empty || !slices.Equal(r.Intents, tt.intents) {
				t.Errorf("Read(%q): empty %v intents %v, want %v %v", tt.text, r.Empty, r.Intents, tt.empty, tt.intents)
			}
		})
	}
}

func TestCompileRefusesBadLexicons(t *testing.T) {
	tests := []struct {
		name string
		lx   understand.Lexicon
		want string
	}{
		{"no language", understand.Lexicon{}, "without a language"},
		{"empty phrase", understand.Lexicon{Lang: "xx", Stopwords: []string{"!!"}}, "no letters or digits"},
		{"emoji phrase", understand.Lexicon{Lang: "xx", Intents: map[string]understand.Intent{"x": {Any: []string{"🙂"}}}}, "no letters or digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := understand.Compile([]understand.Lexicon{tt.lx})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestLongWordsStayCheap: a word longer than any known word cannot be one typo away from
// one, so no typo is tried for it. A 10 kB "word" from the web chat once cost 216 MB of
// allocations (every one-letter deletion of it: the square of its length), about two
// seconds of CPU per message.
func TestLongWordsStayCheap(t *testing.T) {
	m := shipped(t)
	for _, text := range []string{
		strings.Repeat("a", 10*1024),
		strings.Repeat("å", 5*1024),
		strings.Repeat("misshandlad", 1000),
	} {
		if b := allocated(func() { m.Read(text, now) }); b > 1<<20 {
			t.Errorf("reading a %d-byte word allocated %d bytes, want at most 1 MiB", len(text), b)
		}
	}
	// A long word one typo from a known one is still forgiven.
	if r := m.Read("brottsskadeersattningg", now); !r.Has("compensation") {
		t.Errorf("brottsskadeersattningg: intents %v, want compensation", r.Intents)
	}
}

// allocated returns how many bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// FuzzRead: whatever the text and the day, Read does not panic and what it returns is
// sane: an age within 0..120 with Min <= Max, a number that is -1 or what four digits
// can hold, a known language or none, each intent once, nothing read from an empty text.
func FuzzRead(f *testing.F) {
	m := shipped(f)
	for _, s := range []string{"", "Jag är 16 och blev rånad", "född 06", "fyller 0", "jag är ١٦",
		"twenty three", "kaksikymmentäkolme", "\xff\x00", "🙂", "مرحبا", strings.Repeat("nu ", 100)} {
		f.Add(s, int32(0))
	}
	f.Fuzz(func(t *testing.T, text string, days int32) {
		r := m.Read(text, now.AddDate(0, 0, int(days%36500)))
		if r.Age.Min < 0 || r.Age.Min > r.Age.Max || r.Age.Max > 120 {
			t.Errorf("Read(%q).Age = %+v", text, r.Age)
		}
		if r.Number < -1 || r.Number > 9999 {
			t.Errorf("Read(%q).Number = %d", text, r.Number)
		}
		if r.Lang != "" && !slices.Contains(m.Langs(), r.Lang) {
			t.Errorf("Read(%q).Lang = %q, not one of %v", text, r.Lang, m.Langs())
		}
		if r.LangSure && r.Lang == "" {
			t.Errorf("Read(%q): sure of no language", text)
		}
		seen := map[string]bool{}
		for _, i := range r.Intents {
			if seen[i] {
				t.Errorf("Read(%q).Intents = %v: %s twice", text, r.Intents, i)
			}
			seen[i] = true
		}
		if r.Empty && (len(r.Intents) > 0 || r.Age.Known() || r.Danger || r.Number >= 0) {
			t.Errorf("Read(%q) is empty but found %+v", text, r)
		}
	})
}

// TestPlain shows that a word listed as spelt right is never read as a typo of a lexicon
// word, while a real typo still is; and that the shipped list keeps ordinary words apart.
func TestPlain(t *testing.T) {
	lx := []understand.Lexicon{{Lang: "en", Intents: map[string]understand.Intent{
		"thanks": {Any: []string{"thank"}},
	}}}
	without, err := understand.Compile(lx)
	if err != nil {
		t.Fatal(err)
	}
	with, err := understand.Compile(lx, understand.Plain([]string{"Think"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		m    *understand.Matcher
		text string
		want []string
	}{
		{without, "think", []string{"thanks"}},
		{with, "think", nil},
		{with, "thnak", []string{"thanks"}}, // a typo still reads
		{with, "thank", []string{"thanks"}},
	} {
		if got := tt.m.Read(tt.text, now).Intents; !slices.Equal(got, tt.want) {
			t.Errorf("Read(%q).Intents = %v, want %v", tt.text, got, tt.want)
		}
	}
	m := shipped(t)
	for _, text := range []string{"i think so", "i think thats all"} {
		if r := m.Read(text, now); slices.Contains(r.Intents, "thanks") {
			t.Errorf("Read(%q).Intents = %v: an ordinary word read as a typo of thanks", text, r.Intents)
		}
	}
}
