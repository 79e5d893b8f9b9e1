package slack

import (
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// staffLocales holds the texts staff read, apart from the residents' texts in locales/.
//
//go:embed locales/*.yaml
var staffLocales embed.FS

// texts renders the staff texts with go-i18n. A text that is missing renders as its id, so
// a mistake shows in Slack and in the tests instead of an empty message.
type texts struct {
	loc *i18n.Localizer
}

// loadTexts loads the staff texts in Swedish.
func loadTexts() (texts, error) {
	b := i18n.NewBundle(language.Swedish)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	if _, err := b.LoadMessageFileFS(staffLocales, "locales/sv.yaml"); err != nil {
		return texts{}, fmt.Errorf("staff texts: %w", err)
	}
	return texts{loc: i18n.NewLocalizer(b, "sv")}, nil
}

// get renders text id with data.
func (t texts) get(id string, data map[string]any) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	var nf *i18n.MessageNotFoundErr
	if s == "" || (err != nil && !errors.As(err, &nf)) {
		return id
	}
	return s
}

// count renders the plural text id for n ("1 samtal", "3 samtal").
func (t texts) count(id string, n int64) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{
		MessageID:    id,
		PluralCount:  n,
		TemplateData: map[string]any{"Count": number(n)},
	})
	if s == "" || err != nil {
		return id
	}
	return s
}

// number writes n the Swedish way, with a space between thousands: 12 345.
func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// langName names a language code ("sv" → "svenska"); joined codes ("sv+en") name each.
func (t texts) langName(code string) string {
	parts := strings.Split(code, "+")
	for i, p := range parts {
		id := "staff_lang_" + p
		if s := t.get(id, nil); s != id {
			parts[i] = s
		}
	}
	return strings.Join(parts, " + ")
}

// routeName names a route of a referral ("boj_youth" → "Brottsofferjouren för unga under 20").
func (t texts) routeName(route string) string {
	id := "staff_route_" + route
	if s := t.get(id, nil); s != id {
		return s
	}
	return t.get("staff_route_other", map[string]any{"Route": route})
}

// escape makes text safe inside Slack mrkdwn: &, < and > are control characters there.
func escape(s string) string {
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// unescape undoes Slack's escaping of &, < and > in the text it sends.
func unescape(s string) string {
	return mrkdwnUnescaper.Replace(s)
}

var mrkdwnUnescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
