package understand

// Plain makes the Matcher take words as spelt right: ordinary words that are one letter
// from a lexicon word ("think" and "thank", "samma" and "mamma", "auton" and "arton") are
// never read as a typo of it. The list is written from the corpus' train split
// (flows/lexicon/words.txt): a word many residents write is no typo. An inflected form of a
// lexicon word is still read as that word by the stemmer.
func Plain(words []string) Option {
	return func(m *Matcher) error {
		if m.plain == nil {
			m.plain = map[string]bool{}
		}
		for _, w := range words {
			for _, t := range Tokens(Normalize(w)) {
				m.plain[t] = true
			}
		}
		return nil
	}
}
