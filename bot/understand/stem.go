package understand

import (
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/swedish"
)

// Inflection is left to the Snowball stemmers (github.com/blevesearch/snowballstem) for the
// words of intents' "any" phrases: "anmäler", "anmälde" and "anmäla" are one word to them,
// like "reported" and "reporting", or Finnish "huijattiin" and "huijattu". A lexicon then
// lists a word once, in any form, and its other forms match too. What stays written out by
// hand, and why:
//   - danger words match exactly as written: a stem ("skott" ~ "sköts") or a typo must never
//     turn an ordinary word into one;
//   - "whole" phrases (STOPP, MENY) match exactly, or near it: "stoppa honom" is no STOPP;
//   - shorthand and dialect ("ngn", "mej", "e"), number words, age words and the words for
//     people are not inflections a stemmer knows;
//   - short words (under stemMin letters) are left alone: there a stem is mostly a guess
//     ("långt" is no "langar").

// stemMin is the shortest token the stemmers are asked about.
const stemMin = 6

// stemFunc returns the Snowball stemmer of a language trygg speaks, or nil.
func stemFunc(lang string) func(*snowballstem.Env) bool {
	switch lang {
	case "sv":
		return swedish.Stem
	case "en":
		return english.Stem
	case "fi":
		return finnish.Stem
	}
	return nil
}

// stemmer is one language's stemmer and the stem groups of its intent words.
type stemmer struct {
	lang string
	stem func(*snowballstem.Env) bool
	// words maps a stem to the word that stands for its group.
	words map[string]string
}

// langWord is a normalised word of one language's lexicon, and the intent it is a word of.
type langWord struct{ lang, word, intent string }

// stemOf returns the stem of a normalised word.
func stemOf(f func(*snowballstem.Env) bool, w string) string {
	env := snowballstem.NewEnv(w)
	f(env)
	return env.Current()
}

// addStems groups the intent words of each language by their stem, lets the first word of
// each group (in sorted order) stand for the group, and rewrites every phrase with it, so
// that one comparison matches every form. A stem shared by words of two intents ("drug"
// of drug dealing, "drugged" of sexual violence) groups nothing: those words match only as
// written.
func (m *Matcher) addStems(words []langWord) {
	type key struct{ lang, stem string }
	intents := map[key]string{}
	shared := map[key]bool{}
	for _, lw := range words {
		f := stemFunc(lw.lang)
		if f == nil || utf8.RuneCountInString(lw.word) < stemMin-2 || isDigits(lw.word) {
			continue
		}
		k := key{lw.lang, stemOf(f, lw.word)}
		if in, ok := intents[k]; ok && in != lw.intent {
			shared[k] = true
		}
		intents[k] = lw.intent
	}
	sort.Slice(words, func(i, j int) bool {
		if words[i].lang != words[j].lang {
			return words[i].lang < words[j].lang
		}
		return words[i].word < words[j].word
	})
	byLang := map[string]*stemmer{}
	for _, lang := range m.langs {
		if f := stemFunc(lang); f != nil {
			byLang[lang] = &stemmer{lang: lang, stem: f, words: map[string]string{}}
			m.stems = append(m.stems, *byLang[lang])
		}
	}
	for _, lw := range words {
		st := byLang[lw.lang]
		if st == nil || utf8.RuneCountInString(lw.word) < stemMin-2 || isDigits(lw.word) {
			continue
		}
		s := stemOf(st.stem, lw.word)
		if utf8.RuneCountInString(s) < 3 || shared[key{lw.lang, s}] {
			continue
		}
		rep, ok := st.words[s]
		switch {
		case !ok:
			st.words[s] = lw.word
		case rep != lw.word:
			if _, taken := m.alias[lw.word]; !taken {
				m.alias[lw.word] = rep
			}
		}
	}
	for i := range m.stems {
		m.stems[i].words = byLang[m.stems[i].lang].words
	}
	if len(m.alias) == 0 {
		return
	}
	rekeyed := map[string][]*entry{}
	keys := make([]string, 0, len(m.byFirst))
	for k := range m.byFirst {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, e := range m.byFirst[k] {
			for j, w := range e.words {
				e.words[j] = m.aliased(w)
			}
			rekeyed[e.words[0]] = append(rekeyed[e.words[0]], e)
		}
	}
	m.byFirst = rekeyed
}

// aliased returns the word that stands for w's stem group, or w.
func (m *Matcher) aliased(w string) string {
	if a, ok := m.alias[w]; ok {
		return a
	}
	return w
}

// stemmed returns the intent word a token is an inflection of, or "".
func (m *Matcher) stemmed(tok string) string {
	for _, st := range m.stems {
		if w, ok := st.words[stemOf(st.stem, tok)]; ok {
			return w
		}
	}
	return ""
}
