package flows

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/vasteras/trygg/bot/understand"
	"github.com/vasteras/trygg/flows/events"
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
var textsToSMS = regexp.MustCompile(`(?i)(?:^|[^\pL])(sms|texta|text|skicka|skriv|message|write|tekstaa|tekstiviesti|viesti|kirjoita)[\pL:]*\s+(till\s+|to\s+|numeroon\s+)?112`)

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
	c.loops()
	c.silent()
	c.messages()
	c.lexicons()
	c.places()
	c.linesFile()
	c.parts()
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
		line := firstLine(d.lines[key], d.lines[strings.Split(key, ".")[0]])
		switch {
		case node == "":
			c.add(f, line, "%s: no node given", key)
		case d.Nodes[node] == nil:
			c.add(f, line, "%s: unknown node %q", key, node)
		}
	}
	need("start", d.Start)
	need("fallback", d.Fallback)
	g := d.Globals
	for key, node := range map[string]string{"globals.erase": g.Erase, "globals.menu": g.Menu, "globals.person": g.Person, "globals.language": g.Language, "globals.nothing": g.Nothing} {
		need(key, node)
	}
	sf := d.Safety
	line := func(key string) int { return firstLine(d.lines["safety."+key], d.lines["safety"]) }
	for key, id := range sf.messages() {
		if _, ok := s.Catalog.Text(DefaultLang, id); id == "" || !ok {
			c.add(f, line(key), "safety.%s: unknown message %q", key, id)
		}
	}
	for key, id := range g.messages() {
		if _, ok := s.Catalog.Text(DefaultLang, id); id == "" || !ok {
			c.add(f, firstLine(d.lines["globals."+key], d.lines["globals"]), "globals.%s: unknown message %q", key, id)
		}
	}
	if len(sf.HelpNumbers) == 0 {
		c.add(f, line("help_numbers"), "safety.help_numbers: list at least 112")
	}
	if sf.YouthNumber == "" || sf.AdultNumber == "" {
		c.add(f, line("youth_number"), "safety: youth_number and adult_number are needed for the age rule")
	}
	if sf.MaxSegments < 1 {
		c.add(f, line("max_segments"), "safety.max_segments: must be 1 or more")
	}
	for _, l := range sf.OtherLanguageIn {
		if !s.Catalog.Has(l) {
			c.add(f, line("other_language_in"), "safety.other_language_in: no locale file for %q", l)
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
			c.add(f, firstLine(d.lines["nodes."+id], d.lines["nodes"]), "node %s is empty", id)
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
				c.add(f, n.WaitLine(key), "node %s: answer %q goes to unknown node %q", id, key, n.Wait[key])
			}
			if !c.knownAnswer(key) {
				c.add(f, n.WaitLine(key), "node %s: answer %q is not \"age\", \"else\", a number or an intent of the lexicons", id, key)
			}
		}
		if n.Choices != nil {
			if n.Choices.Slot != "time" && n.Choices.Slot != "days" && n.Choices.Slot != "kind" {
				c.add(f, n.FieldLine("choices"), "node %s: choices fill %q; use time, days or kind", id, n.Choices.Slot)
			}
			if len(n.Choices.Values) == 0 {
				c.add(f, n.FieldLine("choices"), "node %s: choices without values", id)
			}
			if len(n.Wait) == 0 {
				c.add(f, n.FieldLine("choices"), "node %s: choices need a wait", id)
			}
			for _, v := range n.Choices.Values {
				if !c.knownAnswer(n.Choices.Slot + "_" + v) {
					c.add(f, n.FieldLine("choices"), "node %s: choice %s has no words: add intent %s_%s to the lexicons", id, v, n.Choices.Slot, v)
				}
			}
		}
		if n.Say == "" && n.Ends() && n.Event == nil {
			c.add(f, n.Line, "node %s: dead end: it says nothing and goes nowhere", id)
		}
		if n.Event != nil {
			spec, ok := events.Lookup(events.Kind(n.Event.Kind))
			switch {
			case !ok || !spec.Flow:
				c.add(f, n.FieldLine("event"), "node %s: unknown event kind %q (%s)", id, n.Event.Kind, flowKinds())
			case spec.Route && n.Event.Route == "":
				c.add(f, n.FieldLine("event"), "node %s: a %s event needs a route", id, n.Event.Kind)
			}
		}
	}
}

// flowKinds lists the event kinds a node may emit, for a problem's message.
func flowKinds() string {
	var names []string
	for _, k := range events.FlowKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// knownAnswer reports whether a wait key is an answer the engine can recognise.
func (c *checker) knownAnswer(key string) bool {
	switch key {
	case "age", "age_alone", "else", "place", "when", "kind":
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
	for _, id := range []string{d.Start, d.Fallback, d.Globals.Erase, d.Globals.Menu, d.Globals.Person, d.Globals.Language, d.Globals.Nothing} {
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

// loops reports nodes that go or route back to themselves without waiting for an answer.
// Nothing in a conversation's state changes between such nodes, so a turn that enters the
// loop never leaves it (the engine stops it after MaxSteps and gives the safety reply).
func (c *checker) loops() {
	d := c.s.Def
	next := func(id string) []string {
		n := d.Nodes[id]
		if n == nil || len(n.Wait) > 0 {
			return nil
		}
		var out []string
		if n.Go != "" {
			out = append(out, n.Go)
		}
		for _, b := range n.Route {
			out = append(out, b.Go)
		}
		return out
	}
	// Tarjan's strongly connected components over the go and route edges.
	index, low, onStack := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	var strong func(id string)
	strong = func(id string) {
		index[id], low[id] = len(index), len(index)
		stack = append(stack, id)
		onStack[id] = true
		selfLoop := false
		for _, to := range next(id) {
			if d.Nodes[to] == nil {
				continue
			}
			if to == id {
				selfLoop = true
			}
			if _, seen := index[to]; !seen {
				strong(to)
				low[id] = min(low[id], low[to])
			} else if onStack[to] {
				low[id] = min(low[id], index[to])
			}
		}
		if low[id] != index[id] {
			return
		}
		var loop []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			loop = append(loop, top)
			if top == id {
				break
			}
		}
		if len(loop) > 1 || selfLoop {
			sort.Slice(loop, func(i, j int) bool { return d.Nodes[loop[i]].Line < d.Nodes[loop[j]].Line })
			first := d.Nodes[loop[0]]
			c.add(c.s.mainFile(), first.Line, "node %s: go and route can lead back to it without waiting for an answer (%s → %s): a turn that takes this way never ends", loop[0], strings.Join(loop, " → "), loop[0])
		}
	}
	for _, id := range sortedNodeIDs(d) {
		if _, seen := index[id]; !seen && d.Nodes[id] != nil {
			strong(id)
		}
	}
}

// silent reports the nodes where a turn can start (the start, the fallback, global words,
// topics and answers) from which go and route can lead to the turn's end without any node
// saying something: the resident would get no reply at all.
func (c *checker) silent() {
	d := c.s.Def
	memo := map[string][]string{}
	visiting := map[string]bool{}
	var path func(id string) []string // a silent way from id to the turn's end, or nil
	path = func(id string) []string {
		n := d.Nodes[id]
		if n == nil || n.Say != "" || visiting[id] {
			return nil
		}
		if p, ok := memo[id]; ok {
			return p
		}
		var p []string
		if len(n.Wait) > 0 || n.Ends() {
			p = []string{id}
		} else {
			visiting[id] = true
			next := []string{n.Go}
			for _, b := range n.Route {
				next = append(next, b.Go)
			}
			for _, to := range next {
				if rest := path(to); rest != nil {
					p = append([]string{id}, rest...)
					break
				}
			}
			visiting[id] = false
		}
		memo[id] = p
		return p
	}
	entries := []string{d.Start, d.Fallback, d.Globals.Erase, d.Globals.Menu, d.Globals.Person, d.Globals.Language, d.Globals.Nothing}
	for _, t := range d.Topics {
		entries = append(entries, t.Go)
	}
	for _, id := range sortedNodeIDs(d) {
		if n := d.Nodes[id]; n != nil {
			for _, key := range sortedKeys(n.Wait) {
				entries = append(entries, n.Wait[key])
			}
		}
	}
	reported := map[string]bool{}
	for _, id := range entries {
		if p := path(id); p != nil && !reported[id] {
			reported[id] = true
			c.add(c.s.mainFile(), d.Nodes[id].Line, "node %s: a turn can start here and end without any reply (through %s): give a node on the way a say", id, strings.Join(p, " → "))
		}
	}
}

// messages checks every text of every language.
func (c *checker) messages() {
	s, d := c.s, c.s.Def
	cat := s.Catalog
	sf := d.Safety
	used := map[string]bool{}
	for _, id := range sf.messages() {
		used[id] = true
	}
	for _, id := range d.Globals.messages() {
		used[id] = true
	}
	for _, n := range d.Nodes {
		if n != nil && n.Say != "" {
			used[n.Say] = true
		}
	}
	unknownOnly := map[string]bool{}
	for _, id := range sf.AgeUnknownOnly {
		unknownOnly[id] = true
	}
	// where locates message id in the file of the language that has it best.
	where := func(id string) (string, int) {
		lang, _ := cat.home(id)
		file, line := cat.where(lang, id)
		return path.Join(s.src.LocalesName, file), line
	}
	for _, lang := range cat.Langs() {
		for _, id := range cat.missing[lang] {
			file, line := where(id)
			c.add(s.localeFile(lang), 0, "message %s is missing (it is in %s:%d)", id, file, line)
		}
	}
	for _, id := range cat.all {
		file, line := where(id)
		base, variant := SplitVariant(id)
		if strings.HasPrefix(id, "staff_") {
			continue
		}
		if strings.HasPrefix(id, WebPrefix) {
			c.webText(id)
			continue
		}
		if strings.HasPrefix(id, PartPrefix) {
			continue // checked by parts
		}
		if variant != "" {
			if _, ok := cat.Text(DefaultLang, base); !ok {
				c.add(file, line, "message %s is an age variant of %s, which does not exist", id, base)
			}
		}
		if !used[base] {
			c.add(file, line, "message %s is not used by any node", id)
		}
		// Each language's own text; one that is missing is reported as missing above.
		for _, lang := range cat.Langs() {
			if !cat.own[lang][id] {
				continue
			}
			text, _ := cat.Text(lang, id)
			lf, ll := cat.where(lang, id)
			c.text(path.Join(s.src.LocalesName, lf), ll, id, text, variant)
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

// WebPrefix starts the ids of the web chat's page texts (title, buttons, notices). No node
// says them and they are never sent as SMS, so the SMS rules (GSM-7, segment budget, help
// number, age variants) do not apply; like every text they must exist in every language
// (checked with the missing messages above) and must never tell anyone to text 112.
const WebPrefix = "web_"

// webText checks a web chat page text in every language.
func (c *checker) webText(id string) {
	cat := c.s.Catalog
	for _, lang := range cat.Langs() {
		text, _ := cat.Text(lang, id)
		file, line := cat.where(lang, id)
		if line == 0 {
			file, line = cat.where(DefaultLang, id)
		}
		if textsToSMS.MatchString(text) {
			c.add(path.Join(c.s.src.LocalesName, file), line, "message %s tells residents to text 112; SMS to 112 works only for people registered in advance: say call", id)
		}
		if cat.own[lang][id] {
			c.lineRules(path.Join(c.s.src.LocalesName, file), line, lang, id, text)
		}
	}
}

// parts checks the text fragments configuration data is built from: each one TextData
// reads exists in the default language (the others are reported missing above), none other
// is defined, and each is GSM-7 and gives no number or address.
func (c *checker) parts() {
	cat := c.s.Catalog
	known := map[string]bool{}
	for _, id := range PartIDs {
		known[id] = true
		if !cat.own[DefaultLang][id] {
			c.add(c.s.localeFile(DefaultLang), 0, "message %s is missing: texts about the configuration are built from it", id)
		}
	}
	for _, id := range cat.all {
		if !strings.HasPrefix(id, PartPrefix) {
			continue
		}
		for _, lang := range cat.Langs() {
			if !cat.own[lang][id] {
				continue
			}
			text, _ := cat.Text(lang, id)
			lf, ll := cat.where(lang, id)
			file := path.Join(c.s.src.LocalesName, lf)
			if !known[id] {
				c.add(file, ll, "message %s is not a text fragment trygg reads (%s)", id, strings.Join(PartIDs, ", "))
			}
			if bad := gsm7.NonGSM(text); len(bad) > 0 && !c.s.Def.Safety.Budget(lang).UCS2 {
				c.add(file, ll, "message %s has characters outside GSM-7 %q", id, string(bad))
			}
			c.lineRules(file, ll, lang, id, text)
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
	lang := langOf(file)
	budget := sf.Budget(lang)
	if bad := gsm7.NonGSM(text); len(bad) > 0 && !budget.UCS2 {
		c.add(file, line, "message %s has characters outside GSM-7 %q: they make the SMS UCS-2 and cost twice as much", id, string(bad))
	}
	full := text
	if !HasHelpNumber(text, sf.HelpNumbers) && id != sf.Footer {
		if footer, ok := c.s.Catalog.Text(lang, sf.Footer); ok {
			full = text + FooterSeparator + footer
		}
	}
	if info := gsm7.Analyze(full); info.Segments > budget.MaxSegments {
		c.add(file, line, "message %s costs %d SMS segments (%d characters with any footer); the budget is %d", id, info.Segments, info.Units, budget.MaxSegments)
	}
	if c.s.Catalog.Dir(lang) == "rtl" && !NumbersIsolated(full) {
		c.add(file, line, "message %s is right to left but a phone number in it is not isolated (LRI … PDI): it may show reordered", id)
	}
	if tellsToText112(text) {
		c.add(file, line, "message %s tells residents to text 112; SMS to 112 works only for people registered in advance: say call", id)
	}
	c.lineRules(file, line, langOf(file), id, text)
	if (variant == VariantYouth || variant == VariantChild) && strings.Contains(text, sf.AdultNumber) {
		c.add(file, line, "message %s is for residents under 20 but gives %s", id, sf.AdultNumber)
	}
	if variant == VariantAdult && strings.Contains(text, sf.YouthNumber) {
		c.add(file, line, "message %s is for residents 20 and older but gives %s", id, sf.YouthNumber)
	}
	if base, _ := SplitVariant(id); base == c.s.Def.Globals.HandoffFooter &&
		(!strings.Contains(text, "112") || !strings.Contains(text, sf.YouthNumber) && !strings.Contains(text, sf.AdultNumber)) {
		c.add(file, line, "message %s goes under staff messages in a handoff: it must give 112 and a Brottsofferjouren number", id)
	}
	// A message without a variant is what a resident of unknown age reads: one number
	// alone would send a 16-year-old to the adult line, or an adult to the youth line.
	if variant == "" && strings.Contains(text, sf.YouthNumber) != strings.Contains(text, sf.AdultNumber) {
		one, other := sf.YouthNumber, sf.AdultNumber
		if strings.Contains(text, sf.AdultNumber) {
			one, other = other, one
		}
		c.add(file, line, "message %s is said when the age is unknown but gives only %s: give %s too, with the age rule", id, one, other)
	}
}

// tellsToText112 reports whether text tells the reader to send an SMS to 112. Only the
// words just before each 112 are read, which keeps the check fast.
func tellsToText112(text string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "112")
		if j < 0 {
			return false
		}
		end := i + j + len("112")
		if textsToSMS.MatchString(text[max(0, end-48):end]) {
			return true
		}
		i = end
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
				here, there := s.phrases[os[i].lang][os[i].intent][k], s.phrases[os[0].lang][os[0].intent][k]
				c.add(s.lexiconFile(os[i].lang), here.Line, "keyword clash: %q is %s here and %s in %s:%d", here.Written, os[i].intent, os[0].intent, s.lexiconFile(os[0].lang), there.Line)
			}
		}
	}
}

// firstLine returns the first of lines that is known (not 0).
func firstLine(lines ...int) int {
	for _, l := range lines {
		if l > 0 {
			return l
		}
	}
	return 0
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

// places checks the places file: unique ids, known areas, and no name shared by two places.
func (c *checker) places() {
	s := c.s
	f := path.Join(s.src.FlowsName, PlacesFile)
	ids := map[string]bool{}
	names := map[string]string{}
	for i, p := range s.Places {
		line := 0
		if i < len(s.placeLines) {
			line = s.placeLines[i]
		}
		if ids[p.ID] {
			c.add(f, line, "place %s is listed twice", p.ID)
		}
		ids[p.ID] = true
		if _, ok := s.Areas[p.Area]; !ok {
			c.add(f, line, "place %s: unknown area %q (add it under areas)", p.ID, p.Area)
		}
		if len(p.Names) == 0 {
			c.add(f, line, "place %s has no names", p.ID)
		}
		for _, n := range p.Names {
			k := understand.Normalize(n)
			if other, ok := names[k]; ok && other != p.ID {
				c.add(f, line, "place name %q is both %s and %s", n, other, p.ID)
			}
			names[k] = p.ID
		}
	}
}

// messages lists the safety texts by their key in the flow file.
func (sf Safety) messages() map[string]string {
	return map[string]string{"footer": sf.Footer, "danger": sf.Danger, "suicide": sf.Suicide, "safe": sf.Safe,
		"rate_limited": sf.RateLimited, "other_language": sf.OtherLanguage}
}

// messages lists the texts the host says on its own (not a node's) by their key in the
// flow file.
func (g Globals) messages() map[string]string {
	return map[string]string{"handoff_ended": g.HandoffEnded, "handoff_timeout": g.HandoffTimeout,
		"handoff_waiting": g.HandoffWaiting, "handoff_footer": g.HandoffFooter, "ombud_not_registered": g.OmbudNotRegistered,
		"media": g.Media}
}
