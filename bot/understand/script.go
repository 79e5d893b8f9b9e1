package understand

import (
	"strings"
	"unicode"
)

// ScriptLang returns the language a message's letters tell by their script alone, before
// any word is read: "ti" for Ge'ez (Ethiopic) letters, "fa" for Arabic script with Persian
// letters (پ چ ژ گ, or the Persian ی and ک more often than the Arabic ي ك ى ة), "ar" for
// other Arabic script, and "" when most letters are Latin or no script has most of them.
// Arabic script with the letters only Sorani Kurdish (ڕ ڵ ۆ ێ ە), Urdu (ٹ ڈ ڑ ں ے) or
// Pashto (ټ ډ ړ ښ ږ ځ څ ګ) use gives "ckb", "ur" or "ps": languages trygg does not speak.
func ScriptLang(text string) string {
	var letters, arabic, ethiopic int
	var persian, arabicForms, persianForms, kurdish, urdu, pashto int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Ethiopic, r):
			ethiopic++
		case unicode.Is(unicode.Arabic, r):
			arabic++
			switch r {
			case 'پ', 'چ', 'ژ', 'گ':
				persian++
			case 'ی', 'ک':
				persianForms++
			case 'ي', 'ك', 'ى', 'ة':
				arabicForms++
			case 'ڕ', 'ڵ', 'ۆ', 'ێ', 'ە':
				kurdish++
			case 'ٹ', 'ڈ', 'ڑ', 'ں', 'ے':
				urdu++
			case 'ټ', 'ډ', 'ړ', 'ښ', 'ږ', 'ځ', 'څ', 'ګ':
				pashto++
			}
		}
	}
	switch {
	case letters == 0:
		return ""
	case ethiopic*2 > letters:
		return "ti"
	case arabic*2 <= letters:
		return ""
	case kurdish > 0:
		return "ckb"
	case urdu > 0:
		return "ur"
	case pashto > 0:
		return "ps"
	case persian > 0 || persianForms > arabicForms:
		return "fa"
	}
	return "ar"
}

// byScript lets the script decide the language before the words do: a message in Arabic
// script or Ge'ez is in the language its letters tell, whatever words it shares with
// another lexicon. A script whose language trygg has no lexicon for is another language.
// Arabic script without the letters only Persian has (پ چ ژ گ) is told apart from
// Persian by the ی/ک forms, and where the words of the other language score higher (a
// Persian writer on an Arabic keyboard), by the words.
func (m *Matcher) byScript(r *Reading, text string, scores map[string]int) {
	r.Script = ScriptLang(text)
	if r.Script == "" {
		return
	}
	sure := true
	if (r.Script == "ar" || r.Script == "fa") && !strings.ContainsAny(text, "پچژگ") {
		other := map[string]string{"ar": "fa", "fa": "ar"}[r.Script]
		if scores[other] > scores[r.Script] {
			r.Script = other
		}
		// "سلام" alone is Arabic and Persian alike: a guess, which does not switch a
		// conversation already in one of them.
		sure = scores["ar"] != scores["fa"] || strings.ContainsAny(text, "یکيكىة")
	}
	for _, l := range m.langs {
		if l == r.Script {
			r.Lang, r.LangSure, r.OtherScript = l, sure, false
			return
		}
	}
	r.Lang, r.LangSure, r.OtherScript = "", false, true
}

// foldArabic folds the Arabic-script letters that are written either way to one form, so
// a Dari writer on an Arabic keyboard and an Arabic writer on a Persian one read alike:
// ي ى → ی, ك → ک, ة → ه, the hamza seats أ إ آ ٱ → ا, ؤ → و, ئ → ی; the tatweel (ـ) that
// only stretches a word goes. ok is false for every other letter.
func foldArabic(r rune) ([]rune, bool) {
	switch r {
	case 'ي', 'ى', 'ئ':
		return []rune{'ی'}, true
	case 'ك':
		return []rune{'ک'}, true
	case 'ة':
		return []rune{'ه'}, true
	case 'أ', 'إ', 'آ', 'ٱ':
		return []rune{'ا'}, true
	case 'ؤ':
		return []rune{'و'}, true
	case 'ـ':
		return nil, true
	}
	return nil, false
}

// Langs lists the languages of the matcher's lexicons.
func (m *Matcher) Langs() []string { return append([]string(nil), m.langs...) }
