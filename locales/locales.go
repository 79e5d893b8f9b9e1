// Package locales holds the texts residents read, one go-i18n message file per language
// (sv.yaml, en.yaml, fi.yaml). Flows refer to the texts by id; `trygg flows check` makes
// sure every language has every text, in plain GSM-7 and within the SMS budget.
//
// To add a language, copy sv.yaml to <tag>.yaml, translate every text, add
// flows/lexicon/<tag>.yaml with the words residents use, and run `trygg flows check`.
package locales

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var embedded embed.FS

// Embedded returns the locale files built into the binary.
func Embedded() fs.FS { return embedded }
