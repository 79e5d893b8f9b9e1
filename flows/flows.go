// Package flows holds trygg's conversations as data, and the code that loads and checks them.
//
// The files beside this one are meant to be read and edited by people who are not
// programmers:
//
//   - main.yaml: the conversation graph: nodes that say a message, route on what is known,
//     wait for an answer, or end; the topics that start them; the safety settings.
//   - lexicon/<lang>.yaml: the words and phrases residents use, per language: intents,
//     danger signals, age words, number words.
//   - lexicon/words.txt: the words residents write that are spelt right, never read as a
//     typo of a lexicon word; written from the corpus' train split (a test in bot proves it
//     is current).
//   - places.yaml: the places and areas of Västerås residents may name.
//   - lines.yaml: the phone numbers and web addresses texts may state, with their sources
//     and who each is for.
//   - classifier.bin: the trained classifier (bot/classify) that reads topics and danger
//     where the lexicons miss them, written by `trygg train` from the corpus' train split;
//     a test in bot proves it is current.
//
// The texts residents read live in locales/<lang>.yaml (go-i18n message files) and are
// referred to here by id. `trygg flows check` reports every problem as file:line: problem.
package flows

import (
	"embed"
	"io/fs"
)

//go:embed main.yaml places.yaml lines.yaml lexicon/*.yaml lexicon/words.txt classifier.bin
var embedded embed.FS

// Embedded returns the flow files built into the binary.
func Embedded() fs.FS { return embedded }
