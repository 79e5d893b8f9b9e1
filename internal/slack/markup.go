package slack

import (
	"regexp"
	"strings"
)

// A staff reply in a case thread reaches the resident as plain text: an SMS, or a line in
// the web chat. Slack sends what staff typed in its own markup (docs.slack.dev, "Formatting
// message text"): links, mentions and dates between < and >, with &, < and > escaped as
// &amp;, &lt; and &gt;, and emoji as :shortcodes:. staffText turns that into what staff
// saw on their screen, without anything that names a person or a channel in Slack:
//
//   - a link with a label, <https://x.se|x.se sida>, becomes "x.se sida (https://x.se)": an
//     SMS cannot hide a link behind words, and the resident needs the address; a link whose
//     label is the address, <https://x.se|x.se>, <mailto:a@x.se|a@x.se>, or no label, becomes
//     the address alone; a phone link <tel:…|021-41 32 60> becomes its label;
//   - a user mention <@U0123> or <@U0123|anna> and a group mention <!subteam^S01|@jour> are
//     left out (the resident must not see staff's Slack ids or handles); a channel mention
//     becomes its name (#trygg), or is left out when Slack sent no name;
//   - <!here>, <!channel> and <!everyone> are left out; a date <!date^…|5 december> becomes
//     its fallback text;
//   - &lt;, &gt; and &amp; become <, > and &;
//   - an emoji shortcode (:slightly_smiling_face:) is left out: resident text has no emoji;
//   - typographic quotes, dashes, the ellipsis and non-breaking spaces that Slack's clients
//     put in as staff type become their plain forms (' " - ... and a space), so a reply does
//     not turn the whole SMS into UCS-2 (70 characters a segment instead of 160).
//
// *Bold*, _italic_ and ~struck~ markers are left as typed: they read the same in an SMS.
func staffText(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(tok string) string {
		if strings.HasPrefix(tok, "<") {
			return tokenText(tok[1 : len(tok)-1])
		}
		return dropped // an emoji
	})
	s = unescape(s)
	s = typography.Replace(s)
	// Tidy the spaces where something was left out.
	s = droppedBeforePunct.ReplaceAllString(s, "$1")
	s = droppedAtLineStart.ReplaceAllString(s, "$1")
	s = droppedInLine.ReplaceAllString(s, " ")
	s = strings.ReplaceAll(s, dropped, "")
	s = spaceAtLineEnd.ReplaceAllString(s, "\n")
	return strings.TrimSpace(s)
}

// dropped marks where a token was left out, until the spaces around it are tidied.
const dropped = "\x00"

var (
	// slackMarkup is one <…> of Slack's markup (a < or > staff typed arrives escaped), or an
	// emoji as Slack writes it, with an optional skin tone, outside of one: a link's
	// address may hold :word: too.
	slackMarkup = regexp.MustCompile(`<[^<>]*>|:[a-z0-9_+'-]*[a-z][a-z0-9_+'-]*:(?::skin-tone-[2-6]:)?`)

	droppedBeforePunct = regexp.MustCompile(`[ \t]*` + dropped + `+[ \t]*([,.;:!?])`)
	droppedAtLineStart = regexp.MustCompile(`(^|\n)[ \t]*(?:` + dropped + `[ \t]*)+`)
	droppedInLine      = regexp.MustCompile(`[ \t]*(?:` + dropped + `[ \t]*)+`)
	spaceAtLineEnd     = regexp.MustCompile(`[ \t]+\n`)

	typography = strings.NewReplacer(
		"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
		"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u2033", `"`, "\u00ab", `"`, "\u00bb", `"`,
		"\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-",
		"\u2026", "...",
		"\u00a0", " ", "\u202f", " ", "\u2009", " ", "\u2007", " ",
		"\u200b", "", "\u200d", "", "\ufeff", "",
	)
)

// tokenText returns the plain text of one token of Slack's markup, given without its < >.
func tokenText(tok string) string {
	target, label, hasLabel := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(target, "@"): // a user: <@U0123>, <@U0123|anna>
		return dropped
	case strings.HasPrefix(target, "#"): // a channel: <#C0123|trygg>
		if hasLabel && label != "" {
			return "#" + label
		}
		return dropped
	case strings.HasPrefix(target, "!date^"): // <!date^1392734382^{date}|fallback>
		if hasLabel && label != "" {
			return label
		}
		return dropped
	case strings.HasPrefix(target, "!"): // <!here>, <!channel>, <!subteam^S01|@jour>
		return dropped
	}
	if scheme, rest, ok := strings.Cut(target, ":"); ok && (scheme == "mailto" || scheme == "tel") {
		if hasLabel && label != "" {
			return label
		}
		return rest
	}
	if !hasLabel || label == "" || sameAddress(label, target) {
		return target
	}
	return label + " (" + target + ")"
}

// sameAddress reports whether a link's label only repeats its address, as Slack writes a
// link staff pasted: <https://www.polisen.se|www.polisen.se>.
func sameAddress(label, target string) bool {
	trim := func(s string) string {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(s, "/")
	}
	return strings.EqualFold(trim(label), trim(target))
}
