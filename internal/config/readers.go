package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/vasteras/trygg/internal/gsm7"
)

// MaxReadersLen bounds each phrase of TRYGG_HANDOFF_READERS, in characters: the handoff
// offer names the readers and must stay within its SMS parts.
const MaxReadersLen = 50

// langTag is a language tag as the locale files are named (sv, en, fi).
var langTag = regexp.MustCompile(`^[a-z]{2,3}$`)

// ParseHandoffReaders reads TRYGG_HANDOFF_READERS: who reads a resident's messages in a
// handoff, as the handoff offer says it ("Svarar du JA läser <readers> det du skriver").
// Either one phrase for every language (a name such as "personal från Brottsofferjouren
// Västerås"), or one phrase per language, "sv=personal från kommunen; en=staff at the city;
// fi=kaupungin työntekijä", where a language without its own phrase gets the default
// wording of its locale file. Each phrase is plain GSM-7 text of at most MaxReadersLen
// characters, without digits (a phone number belongs in flows/lines.yaml) or template
// braces. The empty spec gives nil: the default wording in every language. Every fault is
// reported, joined.
func ParseHandoffReaders(spec string) (map[string]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	out := map[string]string{}
	var errs []error
	check := func(lang, phrase string) {
		label := fmt.Sprintf("%q", phrase)
		if lang != "" {
			label = lang + "=" + label
		}
		switch {
		case phrase == "":
			errs = append(errs, fmt.Errorf("%s is empty", label))
		case len([]rune(phrase)) > MaxReadersLen:
			errs = append(errs, fmt.Errorf("%s is longer than %d characters", label, MaxReadersLen))
		case strings.ContainsFunc(phrase, unicode.IsDigit):
			errs = append(errs, fmt.Errorf("%s has digits: name who reads, never a number", label))
		case strings.ContainsAny(phrase, "{}"):
			errs = append(errs, fmt.Errorf("%s has braces", label))
		case !gsm7.IsGSM7(phrase):
			errs = append(errs, fmt.Errorf("%s has characters outside GSM-7 %q", label, string(gsm7.NonGSM(phrase))))
		}
		if _, dup := out[lang]; dup {
			errs = append(errs, fmt.Errorf("%s is given twice", cmpLang(lang)))
		}
		out[lang] = phrase
	}
	if !strings.Contains(spec, "=") {
		check("", spec)
	} else {
		for _, item := range strings.Split(spec, ";") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			lang, phrase, ok := strings.Cut(item, "=")
			lang, phrase = strings.ToLower(strings.TrimSpace(lang)), strings.TrimSpace(phrase)
			if !ok || !langTag.MatchString(lang) {
				errs = append(errs, fmt.Errorf("%q is not lang=phrase (e.g. sv=personal från kommunen; en=staff at the city)", item))
				continue
			}
			check(lang, phrase)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func cmpLang(lang string) string {
	if lang == "" {
		return "the phrase for every language"
	}
	return "language " + lang
}
