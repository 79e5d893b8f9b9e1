package understand

// Lexicon is one language's words, as loaded from flows/lexicon/<lang>.yaml. Every phrase
// is written the way a person would write it ("rånad", "prata med en människa"); the
// matcher normalises it.
type Lexicon struct {
	// Lang is the language tag: "sv", "en", "fi".
	Lang string `yaml:"language"`
	// Stopwords are common words that tell the language ("och", "the", "ja") and nothing else.
	Stopwords []string `yaml:"stopwords"`
	// Intents maps an intent name ("stop", "support", "yes") to its phrases.
	Intents map[string]Intent `yaml:"intents"`
	// Danger holds the signals that someone is in danger now.
	Danger Danger `yaml:"danger"`
	// Age holds the words around an age.
	Age AgeWords `yaml:"age"`
	// Numbers maps 1..19 and the tens 20, 30 .. 90 to their words; 21..99 are composed.
	Numbers map[int][]string `yaml:"numbers"`
	// Shorthand maps the short forms people text to the word they stand for ("ngn":
	// "någon", "e": "är", "mej": "mig"). Danger words, which match only as written, are
	// compared with shorthand written out, so "ngn e i huset" is "någon är i huset".
	Shorthand map[string]string `yaml:"shorthand"`
	// Negation holds the words that turn the phrase right after them around ("vill inte
	// anmäla"): a negated phrase does not count, or counts as its intent's Negated.
	Negation []string `yaml:"negation"`
	// People are the words naming who a message is about ("min dotter", "my wife").
	People []Person `yaml:"people"`
	// Self holds the words that say the writer is the one harmed ("mig", "jag blev").
	Self []string `yaml:"self"`
	// Happened holds the words that, right after a person, make them the one it happened
	// to ("min fru blev", "my husband died"): then a partner is the victim, not the one who
	// harms.
	Happened []string `yaml:"happened"`
	// Writer holds the words by which writers speak of themselves ("jag", "I"): weaker than
	// Self, they make the writer the victim only when no one else is named.
	Writer []string `yaml:"writer"`
	// Sex holds the words by which writers say their own sex ("jag är tjej").
	Sex SexWords `yaml:"sex"`
	// Third holds the words for a third person as the one harmed, by their sex ("henne",
	// "her", "honom"): after a partner, and with no word making the writer the one harmed,
	// they make the partner the victim ("min tjej ... en bil följde efter henne").
	Third Sexed `yaml:"third"`
	// ThirdOf are the words for a third person's ("his", "hennes", "hänen"): a person
	// named after them is that person's ("his wife"), or the writer's role ("i am his
	// daughter"), not the writer's own.
	ThirdOf []string `yaml:"third_of"`
}

// Sexed lists words by the sex they tell.
type Sexed struct {
	F []string `yaml:"f"`
	M []string `yaml:"m"`
}

// Person is a kind of person a message may be about.
type Person struct {
	// Who is the person's relation to the writer: "child", "partner", "relative",
	// "friend", "other"; for "partner", the writer is by default of the other sex.
	Who string `yaml:"who"`
	// Sex is "f", "m" or "" when the words do not say.
	Sex string `yaml:"sex"`
	// Words name the person ("min dotter", "dottern", "tyttäreni").
	Words []string `yaml:"words"`
}

// SexWords are the phrases by which writers say their own sex.
type SexWords struct {
	F []string `yaml:"f"`
	M []string `yaml:"m"`
	// Near tell the writer's sex only right next to their own age: "jag (k 31)",
	// "I (M, 29)", "I'm 35 and a man".
	Near Sexed `yaml:"near"`
}

// Intent lists the phrases that express one intent.
type Intent struct {
	// Whole phrases count only when they are the whole message ("stopp", "radera mig"):
	// for words that must never fire inside a sentence.
	Whole []string `yaml:"whole"`
	// Any phrases count wherever they stand in the message. Their words also match their
	// inflected forms (the language's Snowball stem).
	Any []string `yaml:"any"`
	// Negated is the intent a negated Any phrase counts as ("vill inte anmäla" is support,
	// not report); "" drops it.
	Negated string `yaml:"negated"`
}

// Danger lists the words that mean someone is in danger now. They match exactly (after
// case and å/ä/ö are folded): no typo, no stem, so that no ordinary word ("sköts",
// "snott") is read as a danger word ("skott").
type Danger struct {
	// Always mean danger on their own ("kniv", "han är utanför dörren"), unless the message
	// places them in the past (Past) and says nothing of now.
	Always []string `yaml:"always"`
	// Threat words announce harm: the future, a condition or speech ("ska", "nästa gång",
	// "sa att", "going to", "he'd", "sano et"). A Threat word followed within five words by
	// a ThreatHarm word of the same language is a threat. ThreatHarm is a class of harm
	// verbs and menaces ("döda", "få stryk", "hälla bensin", "finish the job", "tulee
	// takas"), not each message's phrase.
	Threat     []string `yaml:"threat"`
	ThreatHarm []string `yaml:"threat_harm"`
	// Others are people harm may be done to at home ("mamma", "my mum"): a Harm word
	// followed by one of them ("slår mamma") is violence going on now.
	Others []string `yaml:"others"`
	// Past words place what happened in the past ("förra veckan", "igår", "ago").
	Past []string `yaml:"past"`
	// Idioms are never danger, whatever words they hold ("döda tiden", "skjuta upp").
	Idioms []string `yaml:"idioms"`
	// Jest words mark a joke or a game ("haha", "lol", "på skämt", "i fortnite"): no
	// threat and no danger now is read in the eight words before one; suicide still is.
	Jest []string `yaml:"jest"`
	// Habit words, within four words after a harm of their language ("slår mig när jag inte
	// lyder", "hits me when I am late"), make it something that keeps happening rather than
	// danger now. A threat stays a threat ("han kommer slå mig när han kommer hem") unless
	// its harm is in the present and away from the threat word ("hon sa att pappa slår henne
	// när hon inte äter": told, not threatened).
	Habit []string `yaml:"habit"`
	// Pairs are danger told by two words near each other, in either order: "vill" and
	// "dö", "ta" and "livet".
	Pairs []Pair `yaml:"pairs"`
	// Harm words mean danger together with a Now word ("slår" + "nu").
	Harm []string `yaml:"harm"`
	// Now words place harm in the present ("nu", "just nu").
	Now []string `yaml:"now"`
	// Suicide words mean the person may hurt themselves.
	Suicide []string `yaml:"suicide"`
}

// Pair is a kind of danger told by a word of A and a word of B within Reach words of each
// other (default 4). Words of danger lists may end in "*" to match every word that starts
// so ("självmord*"): write them only where no ordinary word starts the same.
type Pair struct {
	// Kind is "now" (someone is in danger now; not when the message tells of the past),
	// "still" (danger now that a word of the past does not undo: "har inte kommit hem sen
	// igår"), "threat" or "suicide".
	Kind  string   `yaml:"kind"`
	A     []string `yaml:"a"`
	B     []string `yaml:"b"`
	Reach int      `yaml:"reach"`
}

// AgeWords are the words around an age in a sentence.
type AgeWords struct {
	// Before the writer's own age: "jag är 16", "I'm 16", "olen 16", "vi är 14".
	Before []string `yaml:"before"`
	// BeforeOther: before someone else's age: "han är 12", "she is 12", "hän on 12".
	BeforeOther []string `yaml:"before_other"`
	// Duration after a number makes it a time, not an age: "år sedan", "years ago".
	Duration []string `yaml:"duration"`
	// DurationBefore before a number with an After word makes it a time: "i 3 år",
	// "gift i tolv år", "for 3 years".
	DurationBefore []string `yaml:"duration_before"`
	// Then before a number makes it an age in the past: "när jag var 12".
	Then []string `yaml:"then"`
	// Of joins a person and their age: "min dotter på 13", "my son is 12".
	Of []string `yaml:"of"`
	// After an age: "16 år", "16-åring", "16 years", "16-vuotias"; also glued to a number word.
	After []string `yaml:"after"`
	// Units after a number make it a count of something else than years: "7 månader",
	// "30 000 kr", "6 villor", "3 ggr".
	Units []string `yaml:"units"`
	// NotBefore before a number make it no age: a time, a bus, a road ("klockan 23",
	// "buss 14", "under E18").
	NotBefore []string `yaml:"not_before"`
	// AloneNext may follow an age said on its own at the start of a sentence: "17 and
	// everything sucks", "20 i vintras o blev nerslagen". An age that is a sentence of its
	// own ("mamma vet inte. 14") needs no word.
	AloneNext []string `yaml:"alone_next"`
	// AfterThen is an age word after a number that gives the age then: "16-vuotiaana" (at
	// 16). It is read only when no age now is said ("mut ryöstettiin 16-vuotiaana, nyt
	// oon 28" is 28).
	AfterThen []string `yaml:"after_then"`
	// Born is followed by a birth year: "född 2008"; in some languages it follows the year.
	Born []string `yaml:"born"`
	// Turning is followed by the age the person will soon be: "fyller 20" means 19.
	Turning []string `yaml:"turning"`
	// Hedge words soften or stress an age without changing whose it is: "barnet e kanske
	// 7", "she is maybe 6", "lapsi on ehkä 5", "se on vaa 12". An age after one reads as if
	// the hedge were not there.
	Hedge []string `yaml:"hedge"`
	// And joins the ages of several people: "barnen är 3 och 7", "lapset 4 ja 6", "they're
	// 6 and 9". Ages in such a list are no one person's, so neither is read.
	And []string `yaml:"and"`
	// School names a school year with the ages in it: "går i nian".
	School []School `yaml:"school"`
}

// School is a school year and the ages of the pupils in it.
type School struct {
	Words string `yaml:"words"`
	Min   int    `yaml:"min"`
	Max   int    `yaml:"max"`
}
