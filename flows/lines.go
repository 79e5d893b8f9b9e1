package flows

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// LinesFile is the file of the phone numbers and web addresses trygg may state.
const LinesFile = "lines.yaml"

// Line is a phone number or a web address trygg may state, with where it is from and who it
// is for.
type Line struct {
	// Number is a phone number as residents read it ("020-50 50 50"), or "".
	Number string `yaml:"number"`
	// Address is a web address without scheme or www ("polisen.se"), or "".
	Address string `yaml:"address"`
	// Names are what texts call the line; a name is a mention of the line too.
	Names []string `yaml:"names"`
	// What says what the line is; Source where facts.md has it from.
	What   string `yaml:"what"`
	Source string `yaml:"source"`
	// For lists the groups the line is limited to (Lines.Groups); none: anyone.
	For []string `yaml:"for"`
	// Pilot and Verify mark a line that needs a check before launch (facts.md).
	Pilot  bool `yaml:"pilot"`
	Verify bool `yaml:"verify"`
	// Note says what must be checked, or what never to say about the line.
	Note string `yaml:"note"`
	// MustSay lists, per language, words a text in that language should say near the line
	// (one of them): e.g. that it answers only in Swedish and English. A text that does not
	// is told as a notice.
	MustSay map[string][]string `yaml:"must_say"`

	// Line is the line's line in its file.
	Line int `yaml:"-"`
	// re finds the number in a text (numberRE), compiled at load.
	re *regexp.Regexp
}

// String is the number or the address.
func (l Line) String() string {
	if l.Number != "" {
		return l.Number
	}
	return l.Address
}

// Group is who a line may be limited to: one sex, an age range, or both.
type Group struct {
	// Sex is "f" or "m", or "" for either.
	Sex string `yaml:"sex"`
	// MinAge and MaxAge bound the ages; 0 means no bound.
	MinAge int `yaml:"min_age"`
	MaxAge int `yaml:"max_age"`
	// Words are, per language, what a text says near the line to name the group.
	Words map[string][]string `yaml:"words"`
}

// Lines is the registry of lines.yaml.
type Lines struct {
	Lines  []Line           `yaml:"lines"`
	Groups map[string]Group `yaml:"groups"`
}

// UnmarshalYAML records each line's line.
func (l *Line) UnmarshalYAML(v *yaml.Node) error {
	type plain Line
	if err := v.Decode((*plain)(l)); err != nil {
		return err
	}
	l.Line = v.Line
	return nil
}

// loadLines reads lines.yaml from fsys.
func loadLines(fsys fs.FS, display string) (*Lines, error) {
	b, err := fs.ReadFile(fsys, LinesFile)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", display, err)
	}
	var ls Lines
	if err := yaml.Unmarshal(b, &ls); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	for i := range ls.Lines {
		if l := &ls.Lines[i]; len(digitsOf(l.Number)) > 0 {
			l.re = numberRE(l.Number)
		}
	}
	return &ls, nil
}

// addressRE finds web addresses: a host of a few labels and a top-level domain, with an
// optional scheme, www and path.
var addressRE = regexp.MustCompile(`(?i)(?:https?://)?(?:www\.)?((?:[a-z0-9åäö-]+\.)+(?:se|nu|com|org|net|fi|eu|info|io|app))\b(?:/[^\s]*[^\s.,;:!?)])?`)

// hasTLD reports whether text may hold a web address: a dot before one of addressRE's
// top-level domains.
func hasTLD(text string) bool {
	lower := strings.ToLower(text)
	for _, tld := range []string{".se", ".nu", ".com", ".org", ".net", ".fi", ".eu", ".info", ".io", ".app"} {
		if strings.Contains(lower, tld) {
			return true
		}
	}
	return false
}

// digitRunRE finds runs of digits joined by single spaces or dashes: phone number
// candidates.
var digitRunRE = regexp.MustCompile(`\d(?:[ -]?\d)*`)

// timeRangeRE is a time range like 07-21 or 9.30-16, not a phone number.
var timeRangeRE = regexp.MustCompile(`^\d{1,2}(?:[.:]\d{2})?-\d{1,2}(?:[.:]\d{2})?$`)

// templateRE is a template action; the configuration fills it, not the text.
var templateRE = regexp.MustCompile(`\{\{[^}]*\}\}`)

// mention is where a text names a line.
type mention struct {
	line    *Line
	start   int
	written string
}

// unknownMention is a number or address in a text that is not a line.
type unknownMention struct {
	start   int
	written string
}

// mentions finds every line a text states, and every number or address it states that is
// not a line. Template actions are not read.
func (ls *Lines) mentions(text string) ([]mention, []unknownMention) {
	text = templateRE.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
	var found []mention
	var unknown []unknownMention
	blank := func(start, end int) {
		text = text[:start] + strings.Repeat(" ", end-start) + text[end:]
	}
	var addresses [][]int
	if hasTLD(text) { // most texts have no address; the regular expression is the slow part
		addresses = addressRE.FindAllStringSubmatchIndex(text, -1)
	}
	for _, m := range addresses {
		host := strings.ToLower(text[m[2]:m[3]])
		var line *Line
		for i := range ls.Lines {
			if a := ls.Lines[i].Address; a != "" && strings.EqualFold(a, host) {
				line = &ls.Lines[i]
			}
		}
		if line != nil {
			found = append(found, mention{line: line, start: m[0], written: text[m[0]:m[1]]})
		} else {
			unknown = append(unknown, unknownMention{start: m[0], written: text[m[0]:m[1]]})
		}
	}
	for _, m := range addresses {
		blank(m[0], m[1])
	}
	digits := digitsOf(text)
	// Registered numbers, longest first, so that one never hides inside another.
	order := make([]int, 0, len(ls.Lines))
	for i, l := range ls.Lines {
		if l.Number != "" {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return len(digitsOf(ls.Lines[order[a]].Number)) > len(digitsOf(ls.Lines[order[b]].Number))
	})
	for _, i := range order {
		l := &ls.Lines[i]
		if l.re == nil || !strings.Contains(digits, digitsOf(l.Number)) {
			continue
		}
		for _, m := range l.re.FindAllStringSubmatchIndex(text, -1) {
			found = append(found, mention{line: l, start: m[2], written: text[m[2]:m[3]]})
		}
		for _, m := range l.re.FindAllStringSubmatchIndex(text, -1) {
			blank(m[2], m[3])
		}
	}
	for _, m := range digitRunRE.FindAllStringIndex(text, -1) {
		w := text[m[0]:m[1]]
		if len(digitsOf(w)) >= 3 && !timeRangeRE.MatchString(w) {
			unknown = append(unknown, unknownMention{start: m[0], written: w})
		}
	}
	for i := range ls.Lines {
		l := &ls.Lines[i]
		for _, name := range l.Names {
			for _, at := range wordIndexes(text, name, false) {
				found = append(found, mention{line: l, start: at, written: name})
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].start < found[j].start })
	sort.SliceStable(unknown, func(i, j int) bool { return unknown[i].start < unknown[j].start })
	return found, unknown
}

// numberRE matches a phone number's digits with or without spaces and dashes between them,
// not inside a longer run of digits. Group 1 is the number.
func numberRE(number string) *regexp.Regexp {
	d := digitsOf(number)
	parts := make([]string, len(d))
	for i, r := range d {
		parts[i] = string(r)
	}
	return regexp.MustCompile(`(?:^|[^\d])(` + strings.Join(parts, `[ -]?`) + `)(?:$|[^\d])`)
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wordIndexes returns where phrase starts a word of text. With fold (the words of groups)
// case is ignored and the phrase must end a word too; without (the names of lines) case
// counts and an inflection ending may follow ("BRISin").
func wordIndexes(text, phrase string, fold bool) []int {
	hay, needle := text, phrase
	if fold {
		hay, needle = strings.ToLower(text), strings.ToLower(phrase)
	}
	var out []int
	for i := 0; ; {
		j := strings.Index(hay[i:], needle)
		if j < 0 {
			return out
		}
		at := i + j
		end := at + len(needle)
		beforeOK := at == 0 || !isWordRune(lastRune(hay[:at]))
		afterOK := end == len(hay) || !isWordRune(firstRune(hay[end:]))
		if beforeOK && (afterOK || !fold) {
			out = append(out, at)
		}
		i = end
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// sentenceStarts returns where each sentence of text starts: after ". ", "? ", "! " or a
// line break.
func sentenceStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			starts = append(starts, i+1)
		case '.', '?', '!':
			if i+1 < len(text) && (text[i+1] == ' ' || text[i+1] == '\n') {
				starts = append(starts, i+1)
			}
		}
	}
	return starts
}

// near returns the sentence of text that holds position at, with the sentence before it.
func near(text string, at int) string {
	starts := sentenceStarts(text)
	k := sort.Search(len(starts), func(i int) bool { return starts[i] > at }) - 1
	from := starts[max(0, k-1)]
	to := len(text)
	if k+1 < len(starts) {
		to = starts[k+1]
	}
	return text[from:to]
}

// named reports whether text names group g in lang near position at.
func (g Group) named(lang, text string, at int) bool {
	around := near(text, at)
	for _, w := range g.Words[lang] {
		if len(wordIndexes(around, w, true)) > 0 {
			return true
		}
	}
	return false
}

// ageSpan is the ages a text can reach, and what they are called in problems.
type ageSpan struct {
	min, max int
	who      string
}

// reach returns the ages a message can reach through the age variants, and the sex it is
// limited to by its base id ("_f", "_m"), or "".
func (c *checker) reach(id string) ([]ageSpan, string) {
	base, variant := SplitVariant(id)
	sex := ""
	switch {
	case strings.HasSuffix(base, "_f"):
		sex = "f"
	case strings.HasSuffix(base, "_m"):
		sex = "m"
	}
	child := ageSpan{0, 17, "under 18 (" + base + VariantChild + ")"}
	youth := ageSpan{0, 19, "under 20, perhaps under 18 (" + base + VariantYouth + ")"}
	adult := ageSpan{20, 120, "20 or older (" + base + VariantAdult + ")"}
	unknown := ageSpan{0, 120, "any age, while it is unknown"}
	switch variant {
	case VariantChild:
		return []ageSpan{child}, sex
	case VariantYouth:
		return []ageSpan{youth}, sex
	case VariantAdult:
		return []ageSpan{adult}, sex
	}
	if strings.HasPrefix(id, WebPrefix) {
		return []ageSpan{unknown}, sex
	}
	// A plain text is said while the age is unknown, so it can reach anyone.
	return []ageSpan{unknown}, sex
}

// linesFile checks the registry itself: each line has a number or an address (not both), a
// source and known groups; no number is listed twice.
func (c *checker) linesFile() {
	ls := c.s.Lines
	f := path.Join(c.s.src.FlowsName, LinesFile)
	seen := map[string]int{}
	for _, l := range ls.Lines {
		switch {
		case (l.Number == "") == (l.Address == ""):
			c.add(f, l.Line, "a line needs a number or an address (one of them)")
		case l.Number != "" && len(digitsOf(l.Number)) < 3:
			c.add(f, l.Line, "line %s: a number needs at least 3 digits", l.Number)
		case l.Address != "" && !addressRE.MatchString(l.Address):
			c.add(f, l.Line, "line %s: not a web address (e.g. polisen.se)", l.Address)
		}
		if strings.TrimSpace(l.Source) == "" {
			c.add(f, l.Line, "line %s: give its source (from shared/facts.md)", l)
		}
		key := digitsOf(l.Number) + strings.ToLower(l.Address)
		if prev, ok := seen[key]; ok && key != "" {
			c.add(f, l.Line, "line %s is listed twice (also line %d)", l, prev)
		}
		seen[key] = l.Line
		for _, g := range l.For {
			if _, ok := ls.Groups[g]; !ok {
				c.add(f, l.Line, "line %s: unknown group %q (add it under groups)", l, g)
			}
		}
	}
	for _, name := range sortedKeysOf(ls.Groups) {
		g := ls.Groups[name]
		if g.Sex != "" && g.Sex != "f" && g.Sex != "m" {
			c.add(f, 0, "group %s: sex is f or m, not %q", name, g.Sex)
		}
		for _, lang := range c.s.Catalog.Langs() {
			if len(g.Words[lang]) == 0 {
				c.add(f, 0, "group %s has no words in %s: a text in %s cannot name it", name, lang, lang)
			}
		}
	}
}

// lineRules checks the numbers and addresses of one text of one language: each must be a
// line of lines.yaml, written as it is there, and a line limited to a group must not reach
// anyone outside it.
func (c *checker) lineRules(file string, line int, lang, id, text string) {
	ls := c.s.Lines
	if ls == nil {
		return
	}
	found, unknown := ls.mentions(text)
	for _, u := range unknown {
		c.add(file, line, "message %s gives %q, which is not in %s: state only numbers and addresses from shared/facts.md, and list them there", id, u.written, path.Join(c.s.src.FlowsName, LinesFile))
	}
	spans, sex := c.reach(id)
	reported := map[string]bool{}
	for _, m := range found {
		l := m.line
		if l.Number != "" && digitsOf(m.written) != "" && m.written != l.Number {
			c.add(file, line, "message %s writes %s as %q: write it as in %s", id, l.Number, m.written, LinesFile)
		}
		for _, gname := range l.For {
			g := ls.Groups[gname]
			key := l.String() + "/" + gname
			if reported[key] {
				continue
			}
			if g.Sex != "" {
				switch {
				case sex != "" && sex != g.Sex:
					reported[key] = true
					c.add(file, line, "message %s is said only to %s (its id ends in _%s) but gives %s (%s), which is for %s", id, sexName(sex), sex, l, firstName(l), gname)
				case sex == "" && len(g.Words[lang]) > 0 && !g.named(lang, text, m.start):
					reported[key] = true
					c.add(file, line, "message %s gives %s (%s), which is for %s, but can reach anyone: name the group near it (%s) or say it only in a text for them (a base id ending in _%s)", id, l, firstName(l), gname, quoteList(g.Words[lang]), g.Sex)
				}
			}
			if g.MinAge > 0 || g.MaxAge > 0 {
				lo, hi := g.MinAge, g.MaxAge
				if hi == 0 {
					hi = 120
				}
				for _, sp := range spans {
					if sp.min >= lo && sp.max <= hi {
						continue
					}
					if len(g.Words[lang]) == 0 || g.named(lang, text, m.start) {
						break // a language without words for the group is reported once, in lines.yaml
					}
					reported[key] = true
					c.add(file, line, "message %s gives %s (%s), which is for %s, but can reach %s: name the group near it (%s) or give it only in an age variant for them", id, l, firstName(l), gname, sp.who, quoteList(g.Words[lang]))
					break
				}
			}
		}
	}
}

func sexName(sex string) string {
	if sex == "f" {
		return "women and girls"
	}
	return "men and boys"
}

func firstName(l *Line) string {
	if len(l.Names) > 0 {
		return l.Names[0]
	}
	return l.What
}

func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}

// Notice is something `flows check` tells without failing: the texts that depend on a line
// that must be checked before launch, or a text that gives children Brottsofferjouren's
// number without a variant of its own for them.
type Notice struct {
	// Line is the pilot or verify line.
	Line Line
	// Texts are the "lang/id" of every text that states it.
	Texts []string
	// Msg, when set, is the whole notice (Line and Texts are then unused).
	Msg string
}

// String formats the notice for `trygg flows check`.
func (n Notice) String() string {
	if n.Msg != "" {
		return "notice: " + n.Msg
	}
	kind := "verify"
	if n.Line.Pilot {
		kind = "pilot"
	}
	note := ""
	if n.Line.Note != "" {
		note = " (" + n.Line.Note + ")"
	}
	return fmt.Sprintf("notice: %s is %s%s; texts that depend on it: %s", n.Line, kind, note, strings.Join(n.Texts, ", "))
}

// Notices lists, for each pilot or verify line of lines.yaml, the texts that state it.
func Notices(s *Set) []Notice {
	if s.Lines == nil {
		return nil
	}
	deps := map[*Line][]string{}
	var must []Notice // texts that do not say what a line's must_say asks
	for _, lang := range s.Catalog.Langs() {
		for _, id := range s.Catalog.all {
			if !s.Catalog.own[lang][id] {
				continue
			}
			text, _ := s.Catalog.Text(lang, id)
			found, _ := s.Lines.mentions(text)
			seen := map[*Line]bool{}
			for _, m := range found {
				if words := m.line.MustSay[lang]; len(words) > 0 && !seen[m.line] && !(Group{Words: map[string][]string{lang: words}}).named(lang, text, m.start) {
					file, line := s.Catalog.where(lang, id)
					must = append(must, Notice{Msg: fmt.Sprintf("%s:%d: message %s gives %s but does not say near it %s", path.Join(s.src.LocalesName, file), line, id, m.line, quoteList(words))})
				}
				if (m.line.Pilot || m.line.Verify) && !seen[m.line] {
					seen[m.line] = true
					deps[m.line] = append(deps[m.line], lang+"/"+id)
				}
			}
		}
	}
	var out []Notice
	out = append(out, must...)
	out = append(out, childNotices(s)...)
	for i := range s.Lines.Lines {
		l := &s.Lines.Lines[i]
		if l.Pilot || l.Verify {
			texts := deps[l]
			sort.Strings(texts)
			if len(texts) == 0 {
				texts = []string{"none yet"}
			}
			out = append(out, Notice{Line: *l, Texts: texts})
		}
	}
	return out
}

// childNotices lists the texts said to a child (under 18) that give Brottsofferjouren's
// number for the young but have no _child variant, which could give BRIS (116 111) too.
// Texts said only while the age is unknown, and the footers, are left out.
func childNotices(s *Set) []Notice {
	cat, sf := s.Catalog, s.Def.Safety
	skip := map[string]bool{sf.Footer: true, sf.OtherLanguage: true, s.Def.Globals.HandoffFooter: true}
	for _, id := range sf.AgeUnknownOnly {
		skip[id] = true
	}
	var out []Notice
	for _, id := range cat.all {
		base, variant := SplitVariant(id)
		if variant != "" || skip[id] || strings.HasPrefix(id, WebPrefix) || strings.HasPrefix(id, PartPrefix) || strings.HasPrefix(id, "staff_") || hasText(cat, base+VariantChild) {
			continue
		}
		said := id // what a child gets: the _youth variant, else the plain text
		if hasText(cat, base+VariantYouth) {
			said = base + VariantYouth
		}
		if t, _ := cat.Text(DefaultLang, said); strings.Contains(t, sf.YouthNumber) {
			out = append(out, Notice{Msg: fmt.Sprintf("message %s gives children %s but has no %s variant: would BRIS (116 111) help there?", said, sf.YouthNumber, base+VariantChild)})
		}
	}
	return out
}
