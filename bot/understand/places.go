package understand

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Place is a place in Västerås residents may name, from flows/places.yaml.
type Place struct {
	// ID is the place's stable id ("backby", "resecentrum"); stored in lägesbild events.
	ID string `yaml:"id"`
	// Area is the id of the area the place belongs to.
	Area string `yaml:"area"`
	// Names are the ways residents write the place ("Bäckby", "Bäckbyn", "Backby").
	Names []string `yaml:"names"`
}

// Option adds to what a Matcher reads.
type Option func(*Matcher) error

// Places makes the Matcher recognise places. suffixes are endings that may be glued to a
// place name ("Bäckbyssä", "Bäckbys") and are tried when a word is not a name itself.
func Places(places []Place, suffixes []string) Option {
	return func(m *Matcher) error {
		for _, p := range places {
			if p.ID == "" {
				return fmt.Errorf("place without an id")
			}
			for _, name := range p.Names {
				words := Tokens(Normalize(name))
				if len(words) == 0 {
					return fmt.Errorf("place %s: name %q has no letters", p.ID, name)
				}
				e := &entry{words: words, kind: kindPlace, name: p.ID}
				m.byFirst[words[0]] = append(m.byFirst[words[0]], e)
				for _, w := range words {
					m.vocab[w] = true
					m.placeWords[w] = true
				}
			}
		}
		for _, s := range suffixes {
			if s = Normalize(s); s != "" {
				m.placeSuffixes = append(m.placeSuffixes, s)
			}
		}
		// Longest first, so "ssa" is tried before "a".
		sort.Slice(m.placeSuffixes, func(i, j int) bool { return len(m.placeSuffixes[i]) > len(m.placeSuffixes[j]) })
		return nil
	}
}

// placeWord returns the place-name word tok stands for with an inflection ending stripped,
// or "".
func (m *Matcher) placeWord(tok string) string {
	for _, s := range m.placeSuffixes {
		if stem, ok := strings.CutSuffix(tok, s); ok && utf8.RuneCountInString(stem) >= 3 {
			if m.placeWords[stem] {
				return stem
			}
			if c := m.canonical(stem); m.placeWords[c] {
				return c
			}
		}
	}
	return ""
}
