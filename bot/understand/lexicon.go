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
}

// Intent lists the phrases that express one intent.
type Intent struct {
	// Whole phrases count only when they are the whole message ("stopp", "radera mig"):
	// for words that must never fire inside a sentence.
	Whole []string `yaml:"whole"`
	// Any phrases count wherever they stand in the message.
	Any []string `yaml:"any"`
}

// Danger lists the words that mean someone is in danger now.
type Danger struct {
	// Always mean danger on their own ("kniv", "han är utanför dörren").
	Always []string `yaml:"always"`
	// Harm words mean danger together with a Now word ("slår" + "nu").
	Harm []string `yaml:"harm"`
	// Now words place harm in the present ("nu", "just nu").
	Now []string `yaml:"now"`
	// Suicide words mean the person may hurt themselves.
	Suicide []string `yaml:"suicide"`
}

// AgeWords are the words around an age in a sentence.
type AgeWords struct {
	// Before an age: "jag är 16", "I'm 16", "olen 16".
	Before []string `yaml:"before"`
	// After an age: "16 år", "16-åring", "16 years", "16-vuotias"; also glued to a number word.
	After []string `yaml:"after"`
	// Born is followed by a birth year: "född 2008".
	Born []string `yaml:"born"`
	// Turning is followed by the age the person will soon be: "fyller 20" means 19.
	Turning []string `yaml:"turning"`
	// School names a school year with the ages in it: "går i nian".
	School []School `yaml:"school"`
}

// School is a school year and the ages of the pupils in it.
type School struct {
	Words string `yaml:"words"`
	Min   int    `yaml:"min"`
	Max   int    `yaml:"max"`
}
