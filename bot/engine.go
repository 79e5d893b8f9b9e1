package bot

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/understand"
	"github.com/vasteras/trygg/flows"
)

// DefaultMaxSteps bounds the nodes one turn may pass through, so a loop in a flow file
// cannot hang a turn.
const DefaultMaxSteps = 32

// Options tune the engine.
type Options struct {
	// MaxSteps bounds the nodes one turn may pass through; 0 means DefaultMaxSteps.
	MaxSteps int
	// Location is where "now" is read as a time of day and a weekday, for reports of
	// unsafe places; nil means UTC. trygg runs with Europe/Stockholm.
	Location *time.Location
	// Classifier reads topics and danger where the rules miss them; nil means the flow
	// set's (flows/classifier.bin). RulesOnly turns it off, for measuring the rules alone.
	Classifier *classify.Model
	RulesOnly  bool
	// Texts is what texts say of the configuration ({{.StaffedHours}}, {{.HandoffReaders}}
	// …); nil means flows.SampleTextConfig, the configuration `flows check` measures.
	Texts *flows.TextConfig
}

// Engine runs conversations on a flow set. It is immutable and safe for concurrent use.
type Engine struct {
	set     *flows.Set
	def     *flows.Definition
	matcher *understand.Matcher
	// classifier reads what the rules miss, or is nil.
	classifier *classify.Model
	// routable maps each intent of a topic to its place in def.Topics.
	routable map[string]int
	maxSteps int
	// texts holds every message in every language for every age group, footer included,
	// resolved once: lang → message id → age group → reply.
	texts map[string]map[string]map[AgeGroup]Reply
	// other is the other-language reply for each age group.
	other map[AgeGroup]Reply
	// areas maps place ids to area ids.
	areas map[string]string
	loc   *time.Location
	// data is the template data of each language's texts; nil: the catalog's sample.
	data map[string]map[string]any
}

// New returns an engine for a loaded flow set. The set should pass flows.Check.
func New(set *flows.Set, opts Options) *Engine {
	e := &Engine{
		set:      set,
		def:      set.Def,
		matcher:  set.Matcher,
		maxSteps: opts.MaxSteps,
		texts:    map[string]map[string]map[AgeGroup]Reply{},
		other:    map[AgeGroup]Reply{},
		areas:    map[string]string{},
		loc:      opts.Location,
		routable: map[string]int{},
	}
	if !opts.RulesOnly {
		e.classifier = cmp.Or(opts.Classifier, set.Classifier)
	}
	for i, topic := range set.Def.Topics {
		if _, ok := e.routable[topic.Intent]; !ok {
			e.routable[topic.Intent] = i
		}
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if opts.Texts != nil {
		e.data = map[string]map[string]any{}
		for _, lang := range set.Catalog.Langs() {
			e.data[lang], _ = set.Catalog.TextData(lang, *opts.Texts) // flows.Check reports missing fragments
		}
	}
	for _, p := range set.Places {
		e.areas[p.ID] = p.Area
	}
	if e.maxSteps <= 0 {
		e.maxSteps = DefaultMaxSteps
	}
	groups := []AgeGroup{AgeUnknown, AgeChild, AgeYouth, AgeAdult}
	for _, lang := range set.Catalog.Langs() {
		e.texts[lang] = map[string]map[AgeGroup]Reply{}
		for _, id := range set.Catalog.IDs() {
			base, variant := flows.SplitVariant(id)
			if variant != "" {
				continue
			}
			byGroup := map[AgeGroup]Reply{}
			for _, g := range groups {
				byGroup[g] = e.resolve(lang, base, g)
			}
			e.texts[lang][base] = byGroup
		}
	}
	for _, g := range groups {
		var parts []string
		for _, lang := range e.def.Safety.OtherLanguageIn {
			parts = append(parts, e.resolve(lang, e.def.Safety.OtherLanguage, g).Text)
		}
		e.other[g] = Reply{Text: strings.Join(parts, flows.OtherLanguageSeparator), MessageID: e.def.Safety.OtherLanguage, Lang: strings.Join(e.def.Safety.OtherLanguageIn, "+")}
	}
	return e
}

// variants lists the message ids to try for an age group, most specific first.
func variants(id string, g AgeGroup) []string {
	switch g {
	case AgeChild:
		return []string{id + flows.VariantChild, id + flows.VariantYouth, id}
	case AgeYouth:
		return []string{id + flows.VariantYouth, id}
	case AgeAdult:
		return []string{id + flows.VariantAdult, id}
	}
	return []string{id}
}

// resolve picks the text of message id for lang and age group and adds the footer when the
// text gives no way to get help.
func (e *Engine) resolve(lang, id string, g AgeGroup) Reply {
	cat := e.set.Catalog
	for _, v := range variants(id, g) {
		text, ok := cat.Render(lang, v, e.data[lang])
		if !ok {
			continue
		}
		if !flows.HasHelpNumber(text, e.def.Safety.HelpNumbers) {
			footer, _ := cat.Text(lang, e.def.Safety.Footer)
			text += flows.FooterSeparator + footer
		}
		return Reply{Text: text, MessageID: v, Lang: lang}
	}
	footer, _ := cat.Text(lang, e.def.Safety.Footer)
	return Reply{Text: footer, MessageID: e.def.Safety.Footer, Lang: lang}
}

// Langs lists the languages the engine speaks, the default first.
func (e *Engine) Langs() []string { return e.set.Catalog.Langs() }

// Safe returns the static safety reply (112, both Brottsofferjouren numbers with the age
// rule, 116 006) in lang, for when anything around the engine fails.
func (e *Engine) Safe(lang string) Reply {
	return e.say(lang, e.def.Safety.Safe, AgeUnknown)
}

// HandoffFooter returns what goes under every message staff send a resident during a
// handoff, in lang: 112 and the Brottsofferjouren number for age group g, or both numbers
// with the age rule while the age is unknown. The host adds it; staff's words stay as
// written.
func (e *Engine) HandoffFooter(lang string, g AgeGroup) Reply {
	if !e.set.Catalog.Has(lang) {
		lang = flows.DefaultLang
	}
	return e.say(lang, e.def.Globals.HandoffFooter, g)
}

// HandoffWaiting returns what the host sends a resident in a handoff whose latest messages
// staff have not answered within the wait (or outside staffed hours), in lang for age
// group g: staff have not been able to answer yet, the Brottsofferjouren number for the
// age group (both, with the age rule, while it is unknown), that what they write still
// reaches staff, and 112. The handoff goes on.
func (e *Engine) HandoffWaiting(lang string, g AgeGroup) Reply {
	if !e.set.Catalog.Has(lang) {
		lang = flows.DefaultLang
	}
	return e.say(lang, e.def.Globals.HandoffWaiting, g)
}

// OmbudNotRegistered returns, in lang, what the host sends a resident who was told they
// joined the Grannsamverkan alerts when the registration failed at the last moment: they
// are not registered and get no alerts, and how to try again (OMBUD and the code, JA; a
// new code from whoever gave them theirs). It carries 112.
func (e *Engine) OmbudNotRegistered(lang string) Reply {
	if !e.set.Catalog.Has(lang) {
		lang = flows.DefaultLang
	}
	return e.say(lang, e.def.Globals.OmbudNotRegistered, AgeUnknown)
}

// RateLimited returns the notice a sender gets once past a channel's message limit, in
// lang: no more answers for a while, and 112 and both Brottsofferjouren numbers with the
// age rule, since the sender's age is not looked up.
func (e *Engine) RateLimited(lang string) Reply {
	return e.say(lang, e.def.Safety.RateLimited, AgeUnknown)
}

// GuessLang returns the language text is most likely in, or the default language.
func (e *Engine) GuessLang(text string) string {
	r := e.matcher.Read(text, time.Time{})
	if r.Lang != "" {
		return r.Lang
	}
	return flows.DefaultLang
}

// Says reports whether the lexicon reads intent (such as "yes") in text, in any language.
// It lets a host skip preparing a fact that only a turn with that answer can need.
func (e *Engine) Says(text, intent string) bool {
	return e.matcher.Read(text, time.Time{}).Has(intent)
}

// say returns the reply for message id.
func (e *Engine) say(lang, id string, g AgeGroup) Reply {
	if byGroup, ok := e.texts[lang][id]; ok {
		return byGroup[g]
	}
	return e.resolve(lang, id, g)
}

// turn is the work of one Turn.
type turn struct {
	e   *Engine
	st  State
	msg Message
	res Result
	r   understand.Reading
	// c is what the classifier read, when it read the message (read).
	c    classify.Result
	read bool
	now  time.Time
	// filled says which report slots this message filled: "place", "when", "kind".
	filled map[string]bool
}

// Turn handles one message. now is when it arrived. A message with media (Message.Media)
// gets the media reply, which asks for words: alone, when there is no caption (the
// conversation stays where it was, and nothing goes to staff in a handoff); after the
// caption's own replies otherwise.
func (e *Engine) Turn(st State, msg Message, now time.Time) Result {
	if !msg.Media {
		return e.turn(st, msg, now)
	}
	if strings.TrimSpace(msg.Text) == "" {
		t := &turn{e: e, st: st, msg: msg, now: now}
		if t.st.Lang == "" || !e.set.Catalog.Has(t.st.Lang) {
			t.st.Lang = flows.DefaultLang
		}
		t.reply(e.def.Globals.Media)
		return t.done()
	}
	res := e.turn(st, msg, now)
	if !res.Erase {
		lang := res.State.Lang
		if lang == "" {
			lang = flows.DefaultLang
		}
		res.Replies = append(res.Replies, e.say(lang, e.def.Globals.Media, res.State.Group()))
	}
	return res
}

// turn handles one message's text.
func (e *Engine) turn(st State, msg Message, now time.Time) Result {
	r := e.matcher.Read(msg.Text, now)
	t := &turn{e: e, st: st, msg: msg, now: now}
	t.classify(&r)
	if r.Has("ombud_join") || r.Has("ombud_leave") {
		// OMBUD and its invite code are a command, not words: the code's random letters
		// ("KK", "JK", "RN") tell no language, so the conversation keeps its own.
		r.Lang, r.LangSure = "", false
	}
	t.r = r

	switch {
	case t.st.Lang == "" || !e.set.Catalog.Has(t.st.Lang):
		t.st.Lang = flows.DefaultLang
		if r.Lang != "" {
			t.st.Lang, t.st.LangKnown = r.Lang, true
		}
	case r.Lang != "" && r.Lang != t.st.Lang && (r.LangSure || !t.st.LangKnown):
		t.st.Lang, t.st.LangKnown = r.Lang, true
		t.event(EventLanguage, "")
	case r.Lang != "":
		t.st.LangKnown = true
	}
	t.learn(r)

	// Danger now comes before anything else, in every state.
	if r.Danger {
		id := e.def.Safety.Danger
		if r.Suicide {
			id = e.def.Safety.Suicide
		}
		t.reply(id)
		t.event(EventDanger, "")
	}

	// While staff have taken over, trygg answers only danger (above) and STOPP; everything
	// else goes to staff.
	if t.st.Handoff {
		if r.Has("stop") {
			t.res.Events = append(t.res.Events, Event{Kind: EventHandoffEnded, Route: "resident", Lang: t.st.Lang, Age: t.st.Group(), Topic: t.st.Topic})
		} else {
			t.event(EventRelay, "")
			return t.done()
		}
	}

	// A language trygg does not speak: 112 and the numbers, in Swedish and English.
	if r.OtherScript && r.Lang == "" && len(r.Intents) == 0 && !r.Age.Known() {
		t.res.Replies = append(t.res.Replies, e.other[t.st.Group()])
		t.event(EventOtherLanguage, "")
		return t.done()
	}

	// The words that work everywhere.
	global := r.Has("stop") || r.Has("menu") || r.Has("person")
	for _, intent := range r.Intents {
		global = global || strings.HasPrefix(intent, "lang_")
	}
	if global {
		t.st.Report = nil
	}
	if r.Has("stop") {
		lang := t.st.Lang
		t.st = State{Lang: lang}
		t.res.Erase = true
		t.event(EventErase, "")
		t.run(e.def.Globals.Erase)
		t.st = State{}
		return t.done()
	}
	for _, intent := range r.Intents {
		if lang, ok := strings.CutPrefix(intent, "lang_"); ok && e.set.Catalog.Has(lang) {
			t.st.LangKnown = true
			if lang != t.st.Lang {
				t.st.Lang = lang
				if !t.res.HasEvent(EventLanguage) {
					t.event(EventLanguage, "")
				}
			}
			t.st.Node = ""
			t.run(e.def.Globals.Language)
			return t.done()
		}
	}
	if r.Has("menu") {
		t.st.Node = ""
		t.run(e.def.Globals.Menu)
		return t.done()
	}
	if r.Has("person") {
		t.st.Node = ""
		t.run(e.def.Globals.Person)
		return t.done()
	}

	// An answer to the question the conversation waits on.
	var wait map[string]string
	var choices *flows.Choices
	if n := e.def.Nodes[t.st.Node]; n != nil {
		wait, choices = n.Wait, n.Choices
	}
	if t.st.Report != nil {
		t.fill(choices)
	}
	if next := t.answer(wait, r); next != "" {
		t.st.Node = ""
		t.run(next)
		return t.done()
	}

	// A topic, wherever the conversation is: the rules' first, or the classifier's.
	ruled := -1
	for i, topic := range e.def.Topics {
		if r.Has(topic.Intent) {
			if n := e.def.Nodes[topic.Go]; n != nil && n.Collect && t.st.Report != nil && asksSlot(wait) {
				continue // answering a question of this report: the words belong to it
			}
			ruled = i
			break
		}
	}
	i, node := t.classified(ruled, wait)
	if node != "" {
		t.st.Node = ""
		t.st.Report = nil
		t.run(node)
		return t.done()
	}
	if i >= 0 {
		topic := e.def.Topics[i]
		t.st.Node = ""
		t.st.Report = nil
		if raisesTopic(topic.Intent) {
			t.st.Topic = topic.Intent
		}
		t.run(topic.Go)
		return t.done()
	}

	// An age alone after a topic's answer ("jag är 40", "19"): the same topic again, for
	// that age, so the numbers fit.
	if len(wait) == 0 && len(r.Intents) == 0 && !r.Danger && t.st.Topic != "" {
		if !r.Age.Known() && r.Number >= 1 && r.Number <= 99 {
			t.setAge(r.Number, r.Number)
		}
		if r.Age.Known() || r.Number >= 1 && r.Number <= 99 {
			for _, topic := range e.def.Topics {
				if topic.Intent == t.st.Topic {
					t.st.Node = ""
					t.run(topic.Go)
					return t.done()
				}
			}
		}
	}

	// A message with nothing to read (only emoji, an empty MMS) gets the start and its menu.
	if r.Empty && len(wait) == 0 {
		t.run(e.def.Start)
		return t.done()
	}

	if next, ok := wait["else"]; ok {
		t.st.Node = ""
		t.run(next)
		return t.done()
	}

	// Nothing understood. After a danger reply that reply stands alone: it has 112.
	if !r.Danger || r.Age.Known() {
		t.st.Node = ""
		t.event(EventNotUnderstood, "")
		t.run(e.def.Fallback)
	}
	return t.done()
}

// raisesTopic reports whether a topic's intent is what the conversation is about. A
// greeting, or a bare "ok" or "nej" outside a question, keeps the topic staff see.
func raisesTopic(intent string) bool {
	switch intent {
	case "greeting", "yes", "no":
		return false
	}
	return true
}

// EndHandoff ends a handoff that staff ended ("staff"), that no staff member answered in
// time ("timeout"), or that saw no message for the conversation's lifetime ("expired"; told
// like "staff"): the resident gets the numbers for their age and trygg answers again.
func (e *Engine) EndHandoff(st State, reason string) Result {
	id := e.def.Globals.HandoffEnded
	if reason == "timeout" {
		id = e.def.Globals.HandoffTimeout
	}
	st.Handoff = false
	st.Node = ""
	t := &turn{e: e, st: st}
	t.reply(id)
	t.event(EventHandoffEnded, reason)
	return t.done()
}

// answer returns the node an answer leads to, or "".
func (t *turn) answer(wait map[string]string, r understand.Reading) string {
	if len(wait) == 0 {
		return ""
	}
	if next, ok := wait["age"]; ok && r.Age.Known() {
		return next
	}
	// A message that is only an age, after a menu: "16", "jag är 16". A digit the menu
	// offers stays a choice.
	if next, ok := wait["age_alone"]; ok && len(r.Intents) == 0 && !r.Danger {
		if r.Age.Known() {
			return next
		}
		if _, choice := wait[strconv.Itoa(r.Number)]; !choice && r.Number >= 1 && r.Number <= 99 {
			t.setAge(r.Number, r.Number)
			return next
		}
	}
	// An answer the question expects by name comes before a bare number: Finnish "en" (no)
	// is also Swedish "en" (one), and a Finn declining to give their age is not 1 year old.
	for _, intent := range r.Intents {
		if next, ok := wait[intent]; ok {
			return next
		}
	}
	if next, ok := wait["age"]; ok {
		if r.Number >= 1 && r.Number <= 99 {
			t.setAge(r.Number, r.Number)
			return next
		}
	}
	if next, ok := wait["place"]; ok && r.Place != "" {
		return next
	}
	for _, slot := range []string{"when", "kind"} {
		if next, ok := wait[slot]; ok && t.filled[slot] {
			return next
		}
	}
	if r.Number >= 0 {
		if next, ok := wait[strconv.Itoa(r.Number)]; ok {
			return next
		}
	}
	return ""
}

// learn keeps what a message says of who the conversation is about: the victim, their sex
// and their age. A new victim forgets the age and sex said of the one before; the
// writer's own age ("jag är 45") is not taken for someone else's.
func (t *turn) learn(r understand.Reading) {
	// Someone whose relative or friend was killed is the one who needs support: their own
	// age picks the number, not the age of the one they lost.
	// The age of the one killed ("han var 16") picks nothing: without the writer's own, the
	// numbers go out with their ages.
	if r.Has("bereaved") {
		t.st.Victim, t.st.Sex, t.st.SexGuessed = understand.VictimSelf, "", false
		if r.Writer.Known() {
			t.setAge(r.Writer.Min, r.Writer.Max)
		}
		return
	}
	if r.Victim != "" && r.Victim != t.st.Victim {
		if t.st.Victim != "" && r.Victim != understand.VictimOther {
			t.st.AgeMin, t.st.AgeMax, t.st.Sex, t.st.SexGuessed = 0, 0, "", false
		}
		if r.Victim != understand.VictimOther || t.st.Victim == "" {
			t.st.Victim = r.Victim
		}
	}
	if r.Sex != "" && (r.Victim == "" || r.Victim == t.st.Victim || r.Victim == understand.VictimOther) && !(r.SexGuessed && t.st.Sex != "" && !t.st.SexGuessed && (t.st.Victim == "" || t.st.Victim == understand.VictimSelf)) {
		// A guess ("min pojkvän" → f) never overrides "jag är kille" said before.
		t.st.Sex, t.st.SexGuessed = r.Sex, r.SexGuessed
	}
	if !r.Age.Known() {
		return
	}
	if r.AgeSelf && t.st.Victim != "" && t.st.Victim != understand.VictimSelf && (r.Victim == "" || r.Victim == understand.VictimSelf) {
		return // the writer's own age, in a conversation about someone else
	}
	t.setAge(r.Age.Min, r.Age.Max)
}

func (t *turn) setAge(min, max int) {
	clamp := func(n int) uint8 {
		if n < 0 {
			return 0
		}
		if n > 120 {
			return 120
		}
		return uint8(n)
	}
	t.st.AgeMin, t.st.AgeMax = clamp(min), clamp(max)
}

// run passes through nodes from id until one waits or the conversation rests.
func (t *turn) run(id string) {
	for step := 0; id != ""; step++ {
		n := t.e.def.Nodes[id]
		if n == nil || step >= t.e.maxSteps {
			// A flow mistake that flows.Check reports; the resident still gets the numbers.
			t.st.Node = ""
			t.res.Replies = append(t.res.Replies, t.e.Safe(t.st.Lang))
			return
		}
		if n.Collect {
			t.st.Report = &Report{}
			t.fill(nil)
		}
		if n.Say != "" {
			t.reply(n.Say)
		}
		if n.Event != nil {
			t.event(EventKind(n.Event.Kind), n.Event.Route)
			if EventKind(n.Event.Kind) == EventHandoffStarted {
				t.st.Handoff = true
			}
			if EventKind(n.Event.Kind) == EventUnsafePlace && t.st.Report != nil {
				rep := t.st.Report
				t.res.Events[len(t.res.Events)-1].Report = &PlaceReport{Place: rep.Place, Area: t.e.areas[rep.Place], Time: rep.Time, Days: rep.Days, Kind: rep.Kind}
				t.st.Report = nil
			}
		}
		switch {
		case len(n.Wait) > 0:
			t.st.Node = id
			t.st.markAsked(id)
			return
		case n.Go != "":
			id = n.Go
		case len(n.Route) > 0:
			id = ""
			for _, b := range n.Route {
				if t.holds(b.Cond) {
					id = b.Go
					break
				}
			}
		default:
			t.st.Node = ""
			return
		}
	}
}

// holds evaluates a branch condition.
func (t *turn) holds(c flows.Condition) bool {
	switch c.Subject {
	case "":
		return true
	case "age":
		switch c.Op {
		case "unknown":
			return !t.st.ageKnown()
		case "<":
			return t.st.ageKnown() && int(t.st.AgeMax) < c.N
		case ">=":
			return t.st.ageKnown() && int(t.st.AgeMin) >= c.N
		}
	case "asked":
		return t.st.asked(c.Name)
	case "topic":
		return t.st.Topic == c.Name
	case "sex":
		return t.st.Sex == c.Name
	case "victim":
		return t.st.Victim == c.Name
	case "staffed":
		return t.msg.Staffed
	case "place":
		return t.r.Place != ""
	case "invite":
		if c.Name == "held" {
			return t.msg.InviteHeld
		}
		return t.msg.Invite != ""
	case "ombud":
		area := t.e.areas[t.r.Place]
		for _, a := range t.msg.OmbudAreas {
			if area != "" && a == area {
				return true
			}
		}
		return false
	case "has":
		rep := t.st.Report
		if rep == nil {
			return false
		}
		switch c.Name {
		case "place":
			return rep.Place != ""
		case "when":
			return rep.Time != "" || rep.Days != ""
		case "kind":
			return rep.Kind != ""
		}
	}
	return false
}

// fill takes what the message says of the report being collected: a known place, words
// for the time, the days and the kind ("time_evening", "kind_drugs" intents), or a digit
// answering the waiting question's choices. It never stores the resident's words.
func (t *turn) fill(choices *flows.Choices) {
	rep := t.st.Report
	if rep == nil {
		return
	}
	if t.filled == nil {
		t.filled = map[string]bool{}
	}
	set := func(slot, value string) {
		switch slot {
		case "time":
			if value == "now" {
				value = timeOfDay(t.now.In(t.e.loc))
				if rep.Days == "" {
					rep.Days = dayKind(t.now.In(t.e.loc))
				}
			}
			rep.Time = value
			t.filled["when"] = true
		case "days":
			if value == "today" {
				value = dayKind(t.now.In(t.e.loc))
			}
			rep.Days = value
			t.filled["when"] = true
		case "kind":
			rep.Kind = value
			t.filled["kind"] = true
		}
	}
	if t.r.Place != "" {
		rep.Place = t.r.Place
		t.filled["place"] = true
	}
	if choices != nil && t.r.Number >= 1 && t.r.Number <= len(choices.Values) {
		set(choices.Slot, choices.Values[t.r.Number-1])
	}
	for _, intent := range t.r.Intents {
		slot, value, ok := strings.Cut(intent, "_")
		if ok && (slot == "time" || slot == "days" || slot == "kind") {
			set(slot, value)
		}
	}
}

// asksSlot reports whether a waiting node asks for a slot of a report.
func asksSlot(wait map[string]string) bool {
	_, place := wait["place"]
	_, when := wait["when"]
	_, kind := wait["kind"]
	return place || when || kind
}

// timeOfDay buckets a time: morning 06-10, day 10-17, evening 17-22, night 22-06.
func timeOfDay(t time.Time) string {
	switch h := t.Hour(); {
	case h >= 6 && h < 10:
		return "morning"
	case h >= 10 && h < 17:
		return "day"
	case h >= 17 && h < 22:
		return "evening"
	}
	return "night"
}

// dayKind says whether t is on a weekday or a weekend.
func dayKind(t time.Time) string {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return "weekend"
	}
	return "weekday"
}

func (t *turn) reply(id string) {
	t.res.Replies = append(t.res.Replies, t.e.say(t.st.Lang, id, t.st.Group()))
}

func (t *turn) event(kind EventKind, route string) {
	t.res.Events = append(t.res.Events, Event{Kind: kind, Route: route, Topic: t.st.Topic, Lang: t.st.Lang, Age: t.st.Group()})
}

// done finishes the turn. A turn that would answer nothing (a flow path that only emits an
// event) answers with the safety reply: every message gets an answer, except those
// relayed to staff during a handoff.
func (t *turn) done() Result {
	if len(t.res.Replies) == 0 && !t.res.HasEvent(EventRelay) {
		t.res.Replies = append(t.res.Replies, t.e.Safe(t.st.Lang))
	}
	t.res.State = t.st
	return t.res
}
