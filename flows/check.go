package flows

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/vasteras/trygg/bot/understand"
	"github.com/vasteras/trygg/internal/gsm7"
)

// Problem is one thing wrong with a flow set, with where it is.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as file:line: problem.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Variant suffixes of a message id, chosen by the resident's age.
const (
	VariantChild = "_child" // under 18
	VariantYouth = "_youth" // under 20
	VariantAdult = "_adult" // 20 or older
)

// globalIntents must have words in every language: they work in every state.
var globalIntents = []string{"stop", "menu", "person", "yes", "no", "skip", "greeting"}

// textsToSMS catches texts that tell residents to send an SMS to 112, which works only for
// people registered in advance (facts.md): trygg always says call.
var textsToSMS = regexp.MustCompile(`(?i)(sms|texta|text|skicka|tekstaa|tekstiviesti|viesti)\w*\s+(till\s+|to\s+|numeroon\s+)?112`)

// checker collects problems.
type checker struct {
	s        *Set
	problems []Problem
}

func (c *checker) add(file string, line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (s *Set) mainFile() string { return path.Join(s.src.FlowsName, MainFile) }
func (s *Set) localeFile(lang string) string {
	f, _ := s.Catalog.where(lang, "")
	return path.Join(s.src.LocalesName, f)
}
func (s *Set) lexiconFile(lang string) string { return path.Join(s.src.FlowsName, s.lexFiles[lang]) }

// Check finds every problem in a loaded set: unknown and unreachable nodes, dead ends,
// missing and unused messages, texts over the SMS budget or outside GSM-7, texts that break
// the age rule, and keyword clashes. The problems are sorted by file and line.
func Check(s *Set) []Problem {
	c := &checker{s: s}
	c.definition()
	c.nodes()
	c.reachable()
	c.messages()
	c.lexicons()
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return c.problems
}

func (c *checker) definition() {
	s, d, f := c.s, c.s.Def, c.s.mainFile()
	need := func(key, node string) {
		switch {
		case node == "":
			c.add(f, d.lines[key], "%s: no node given", key)
		case d.Nodes[node] == nil:
			c.add(f, d.lines[key], "%s: unknown node %q", key, node)
		}
	}
	need("start", d.Start)
	need("fallback", d.Fallback)
	g := d.Globals
	for key, node := range map[string]string{"globals.erase": g.Erase, "globals.menu": g.Menu, "globals.person": g.Person, "globals.language": g.Language} {
		need(key, node)
	}
	sf := d.Safety
	line := d.lines["safety"]
	for key, id := range map[string]string{"footer": sf.Footer, "danger": sf.Danger, "suicide": sf.Suicide, "safe": sf.Safe, "rate_limited": sf.RateLimited, "other_language": sf.OtherLanguage} {
		if _, ok := s.Catalog.Text(DefaultLang, id); id == "" || !ok {
			c.add(f, line, "safety.%s: unknown message %q", key, id)
		}
	}
	if len(sf.HelpNumbers) == 0 {
		c.add(f, line, "safety.help_numbers: list at least 112")
	}
	if sf.YouthNumber == "" || sf.AdultNumber == "" {
		c.add(f, line, "safety: youth_number and adult_number are needed for the age rule")
	}
	if sf.MaxSegments < 1 {
		c.add(f, line, "safety.max_segments: must be 1 or more")
	}
	for _, l := range sf.OtherLanguageIn {
		if !s.Catalog.Has(l) {
			c.add(f, line, "safety.other_language_in: no locale file for %q", l)
		}
	}
	for _, t := range d.Topics {
		if d.Nodes[t.Go] == nil {
			c.add(f, t.Line, "topic %s: unknown node %q", t.Intent, t.Go)
		}
		c.intentEverywhere(f, t.Line, t.Intent)
	}
}

// intentEverywhere reports an intent that some language has no words for.
func (c *checker) intentEverywhere(file string, line int, intent string) {
	for _, lx := range c.s.Lexicons {
		if in, ok := lx.Intents[intent]; !ok || len(in.Whole)+len(in.Any) == 0 {
			c.add(file, line, "intent %s has no words in %s", intent, c.s.lexiconFile(lx.Lang))
		}
	}
}

func (c *checker) nodes() {
	s, d, f := c.s, c.s.Def, c.s.mainFile()
	for _, id := range sortedNodeIDs(d) {
		n := d.Nodes[id]
		if n == nil {
			c.add(f, d.lines["nodes"], "node %s is empty", id)
			continue
		}
		if n.Say != "" {
			if _, ok := s.Catalog.Text(DefaultLang, n.Say); !ok {
				c.add(f, n.FieldLine("say"), "node %s: unknown message %q (not in %s)", id, n.Say, s.localeFile(DefaultLang))
			}
		}
		if n.Go != "" && d.Nodes[n.Go] == nil {
			c.add(f, n.FieldLine("go"), "node %s: go to unknown node %q", id, n.Go)
		}
		if n.Go != "" && (len(n.Route) > 0 || len(n.Wait) > 0) {
			c.add(f, n.Line, "node %s: use only one of go, route and wait", id)
		}
		if len(n.Route) > 0 && len(n.Wait) > 0 {
			c.add(f, n.Line, "node %s: use only one of go, route and wait", id)
		}
		for i, b := range n.Route {
			if d.Nodes[b.Go] == nil {
				c.add(f, b.Line, "node %s: route to unknown node %q", id, b.Go)
			}
			if b.Cond.Subject == "asked" {
				if t := d.Nodes[b.Cond.Name]; t == nil || len(t.Wait) == 0 {
					c.add(f, b.Line, "node %s: %q names no node that waits for an answer", id, b.If)
				}
			}
			if b.Cond.Subject == "" && i < len(n.Route)-1 {
				c.add(f, b.Line, "node %s: a branch without a condition must come last; the branches after it are never taken", id)
			}
		}
		if len(n.Route) > 0 && n.Route[len(n.Route)-1].Cond.Subject != "" {
			c.add(f, n.FieldLine("route"), "node %s: dead end when no condition holds; end the route with a branch without `if`", id)
		}
		for _, key := range sortedKeys(n.Wait) {
			if d.Nodes[n.Wait[key]] == nil {
				c.add(f, n.FieldLine("wait"), "node %s: answer %q goes to unknown node %q", id, key, n.Wait[key])
			}
			if !c.knownAnswer(key) {
				c.add(f, n.FieldLine("wait"), "node %s: answer %q is not \"age\", \"else\", a number or an intent of the lexicons", id, key)
			}
		}
		if n.Say == "" && n.Ends() && n.Event == nil {
			c.add(f, n.Line, "node %s: dead end: it says nothing and goes nowhere", id)
		}
		if n.Event != nil {
			switch n.Event.Kind {
			case "referred":
				if n.Event.Route == "" {
					c.add(f, n.FieldLine("event"), "node %s: a referred event needs a route", id)
				}
			case "handoff_requested", "unsafe_place":
			default:
				c.add(f, n.FieldLine("event"), "node %s: unknown event kind %q (referred, handoff_requested, unsafe_place)", id, n.Event.Kind)
			}
		}
	}
}

// knownAnswer reports whether a wait key is an answer the engine can recognise.
func (c *checker) knownAnswer(key string) bool {
	if key == "age" || key == "else" {
		return true
	}
	if isNumber(key) {
		return true
	}
	for _, lx := range c.s.Lexicons {
		if _, ok := lx.Intents[key]; ok {
			return true
		}
	}
	return false
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// reachable reports nodes no message can lead to.
func (c *checker) reachable() {
	d := c.s.Def
	seen := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		n := d.Nodes[id]
		if n == nil || seen[id] {
			return
		}
		seen[id] = true
		visit(n.Go)
		for _, b := range n.Route {
			visit(b.Go)
		}
		for _, key := range sortedKeys(n.Wait) {
			visit(n.Wait[key])
		}
	}
	for _, id := range []string{d.Start, d.Fallback, d.Globals.Erase, d.Globals.Menu, d.Globals.Person, d.Globals.Language} {
		visit(id)
	}
	for _, t := range d.Topics {
		visit(t.Go)
	}
	for _, id := range sortedNodeIDs(d) {
		if !seen[id] && d.Nodes[id] != nil {
			c.add(c.s.mainFile(), d.Nodes[id].Line, "node %s is unreachable: no topic, global word or other node leads to it", id)
		}
	}
}

// messages checks every text of every language.
func (c *checker) messages() {
	s, d := c.s, c.s.Def
	cat := s.Catalog
	sf := d.Safety
	used := map[string]bool{sf.Footer: true, sf.Danger: true, sf.Suicide: true, sf.Safe: true, sf.RateLimited: true, sf.OtherLanguage: true}
	for _, n := range d.Nodes {
		if n != nil && n.Say != "" {
			used[n.Say] = true
		}
	}
	unknownOnly := map[string]bool{}
	for _, id := range sf.AgeUnknownOnly {
		unknownOnly[id] = true
	}
	for _, lang := range cat.Langs() {
		for _, id := range cat.missing[lang] {
			file, line := cat.where(DefaultLang, id)
			c.add(s.localeFile(lang), 0, "message %s is missing (it is in %s:%d)", id, path.Join(s.src.LocalesName, file), line)
		}
	}
	for _, id := range cat.IDs() {
		file, line := cat.where(DefaultLang, id)
		file = path.Join(s.src.LocalesName, file)
		base, variant := SplitVariant(id)
		if strings.HasPrefix(id, "staff_") {
			continue
		}
		if variant != "" {
			if _, ok := cat.Text(DefaultLang, base); !ok {
				c.add(file, line, "message %s is an age variant of %s, which does not exist", id, base)
			}
		}
		if !used[base] {
			c.add(file, line, "message %s is not used by any node", id)
		}
		for _, lang := range cat.Langs() {
			text, _ := cat.Text(lang, id)
			lf, ll := cat.where(lang, id)
			lf = path.Join(s.src.LocalesName, lf)
			if ll == 0 {
				lf, ll = file, line
			}
			c.text(lf, ll, id, text, variant)
		}
		if variant == "" && !unknownOnly[id] {
			text, _ := cat.Text(DefaultLang, id)
			if strings.Contains(text, sf.AdultNumber) && !hasText(cat, id+VariantYouth) {
				c.add(file, line, "message %s gives %s (20 and older) but has no %s variant for younger residents", id, sf.AdultNumber, id+VariantYouth)
			}
			if strings.Contains(text, sf.YouthNumber) && !hasText(cat, id+VariantAdult) {
				c.add(file, line, "message %s gives %s (under 20) but has no %s variant for residents 20 and older", id, sf.YouthNumber, id+VariantAdult)
			}
		}
	}
	// The other-language reply is the texts of several languages together.
	for _, v := range []string{"", VariantYouth, VariantAdult} {
		var parts []string
		for _, lang := range sf.OtherLanguageIn {
			if t, ok := cat.Text(lang, sf.OtherLanguage+v); ok {
				parts = append(parts, t)
			}
		}
		if len(parts) > 0 {
			joined := strings.Join(parts, OtherLanguageSeparator)
			if info := gsm7.Analyze(joined); info.Segments > sf.MaxSegments {
				file, line := cat.where(DefaultLang, sf.OtherLanguage+v)
				c.add(path.Join(s.src.LocalesName, file), line, "message %s in %s together costs %d SMS segments (%d characters); the budget is %d", sf.OtherLanguage+v, strings.Join(sf.OtherLanguageIn, "+"), info.Segments, info.Units, sf.MaxSegments)
			}
		}
	}
}

// OtherLanguageSeparator joins the texts of the other-language reply.
const OtherLanguageSeparator = "\n\n"

func hasText(cat *Catalog, id string) bool {
	_, ok := cat.text[DefaultLang][id]
	return ok
}

// text checks one text of one language.
func (c *checker) text(file string, line int, id, text, variant string) {
	sf := c.s.Def.Safety
	if bad := gsm7.NonGSM(text); len(bad) > 0 {
		c.add(file, line, "message %s has characters outside GSM-7 %q: they make the SMS UCS-2 and cost twice as much", id, string(bad))
	}
	full := text
	if !HasHelpNumber(text, sf.HelpNumbers) && id != sf.Footer {
		if footer, ok := c.s.Catalog.Text(langOf(file), sf.Footer); ok {
			full = text + FooterSeparator + footer
		}
	}
	if info := gsm7.Analyze(full); info.Segments > sf.MaxSegments {
		c.add(file, line, "message %s costs %d SMS segments (%d characters with any footer); the budget is %d", id, info.Segments, info.Units, sf.MaxSegments)
	}
	if textsToSMS.MatchString(text) {
		c.add(file, line, "message %s tells residents to text 112; SMS to 112 works only for people registered in advance: say call", id)
	}
	if (variant == VariantYouth || variant == VariantChild) && strings.Contains(text, sf.AdultNumber) {
		c.add(file, line, "message %s is for residents under 20 but gives %s", id, sf.AdultNumber)
	}
	if variant == VariantAdult && strings.Contains(text, sf.YouthNumber) {
		c.add(file, line, "message %s is for residents 20 and older but gives %s", id, sf.YouthNumber)
	}
}

// FooterSeparator joins a reply and its footer.
const FooterSeparator = " "

// langOf returns the language of a locale file path ("locales/fi.yaml" → "fi").
func langOf(file string) string {
	return strings.TrimSuffix(path.Base(file), ".yaml")
}

// HasHelpNumber reports whether text gives at least one of the help numbers.
func HasHelpNumber(text string, numbers []string) bool {
	for _, n := range numbers {
		if strings.Contains(text, n) {
			return true
		}
	}
	return false
}

// SplitVariant splits "support_youth" into "support" and "_youth"; an id without a variant
// suffix comes back whole with "".
func SplitVariant(id string) (string, string) {
	for _, v := range []string{VariantChild, VariantYouth, VariantAdult} {
		if strings.HasSuffix(id, v) {
			return strings.TrimSuffix(id, v), v
		}
	}
	return id, ""
}

// lexicons checks that every language has the words the engine relies on, and that no
// phrase means two different things.
func (c *checker) lexicons() {
	s := c.s
	for _, lang := range s.Catalog.Langs() {
		if s.lexFiles[lang] == "" {
			c.add(s.localeFile(lang), 0, "language %s has texts but no %s/lexicon/%s.yaml with its words", lang, s.src.FlowsName, lang)
		}
	}
	var required []string
	required = append(required, globalIntents...)
	for _, lang := range s.Catalog.Langs() {
		required = append(required, "lang_"+lang)
	}
	for _, lx := range s.Lexicons {
		if !s.Catalog.Has(lx.Lang) {
			c.add(s.lexiconFile(lx.Lang), 1, "language %s has words but no %s/%s.yaml with its texts", lx.Lang, s.src.LocalesName, lx.Lang)
		}
		for _, intent := range required {
			if in, ok := lx.Intents[intent]; !ok || len(in.Whole)+len(in.Any) == 0 {
				c.add(s.lexiconFile(lx.Lang), 1, "intent %s has no words: it must work in every language", intent)
			}
		}
	}
	// A phrase that stands for two intents is a clash, within a language and across them:
	// residents mix languages, and trygg reads every message with every lexicon.
	type owner struct{ lang, intent string }
	owners := map[string][]owner{}
	for _, lx := range s.Lexicons {
		for _, intent := range sortedIntentNames(lx) {
			in := lx.Intents[intent]
			for _, p := range append(append([]string{}, in.Whole...), in.Any...) {
				k := understand.Normalize(p)
				dup := false
				for _, o := range owners[k] {
					if o.lang == lx.Lang && o.intent == intent {
						dup = true
					}
				}
				if !dup {
					owners[k] = append(owners[k], owner{lx.Lang, intent})
				}
			}
		}
	}
	for _, k := range sortedKeysOf(owners) {
		os := owners[k]
		for i := 1; i < len(os); i++ {
			if os[i].intent != os[0].intent {
				c.add(s.lexiconFile(os[i].lang), s.phraseLines[os[i].lang][k], "keyword clash: %q is %s here and %s in %s", k, os[i].intent, os[0].intent, s.lexiconFile(os[0].lang))
			}
		}
	}
}

func sortedNodeIDs(d *Definition) []string {
	ids := make([]string, 0, len(d.Nodes))
	for id := range d.Nodes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		li, lj := 0, 0
		if d.Nodes[ids[i]] != nil {
			li = d.Nodes[ids[i]].Line
		}
		if d.Nodes[ids[j]] != nil {
			lj = d.Nodes[ids[j]].Line
		}
		if li != lj {
			return li < lj
		}
		return ids[i] < ids[j]
	})
	return ids
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedIntentNames(lx understand.Lexicon) []string {
	return sortedKeysOf(lx.Intents)
}
