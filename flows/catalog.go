package flows

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// DefaultLang is the language trygg speaks until it knows better.
const DefaultLang = "sv"

// Catalog holds the texts of every language, loaded with go-i18n from locales/<lang>.yaml.
// A text may use template data ({{.StaffedHours}}, see TextConfig): Text gives it rendered
// with the sample configuration, which `flows check` measures; Render with the real one.
type Catalog struct {
	bundle *i18n.Bundle
	langs  []string
	text   map[string]map[string]string // lang → id → text, rendered with sample
	// sample is the template data each language's texts are rendered with at load.
	sample map[string]map[string]any
	// templated lists the ids whose text (in any language) uses template data.
	templated map[string]bool
	// missing lists, per language, the ids that language lacks (they fall back to Swedish).
	missing map[string][]string
	// own holds, per language, the ids its file defines.
	own map[string]map[string]bool
	// rtl holds the languages written right to left; their phone numbers are isolated.
	rtl map[string]bool
	// all lists every id of any language, sorted.
	all []string
	// files and lines locate each message for problems.
	files map[string]string         // lang → file
	lines map[string]map[string]int // lang → id → line
}

// loadCatalog reads every *.yaml file of fsys as one language's messages.
func loadCatalog(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list locale files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no locale files (*.yaml)")
	}
	c := &Catalog{
		bundle:    i18n.NewBundle(language.Swedish),
		text:      map[string]map[string]string{},
		missing:   map[string][]string{},
		own:       map[string]map[string]bool{},
		files:     map[string]string{},
		lines:     map[string]map[string]int{},
		sample:    map[string]map[string]any{},
		templated: map[string]bool{},
		rtl:       map[string]bool{},
	}
	c.bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	ids := map[string]bool{}
	for _, name := range names {
		lang := strings.TrimSuffix(path.Base(name), ".yaml")
		if _, err := language.Parse(lang); err != nil {
			return nil, fmt.Errorf("%s: the file name must be a language tag, like sv.yaml: %w", name, err)
		}
		mf, err := c.bundle.LoadMessageFileFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		lines, err := topLevelLines(fsys, name)
		if err != nil {
			return nil, err
		}
		c.langs = append(c.langs, lang)
		c.files[lang] = name
		c.lines[lang] = lines
		c.own[lang] = map[string]bool{}
		for _, m := range mf.Messages {
			ids[m.ID] = true
			c.own[lang][m.ID] = true
			if strings.Contains(m.Other, "{{") {
				c.templated[m.ID] = true
			}
		}
	}
	if c.files[DefaultLang] == "" {
		return nil, fmt.Errorf("no locale file for the default language %s", DefaultLang)
	}
	sort.Slice(c.langs, func(i, j int) bool { // the default language first, then by name
		if (c.langs[i] == DefaultLang) != (c.langs[j] == DefaultLang) {
			return c.langs[i] == DefaultLang
		}
		return c.langs[i] < c.langs[j]
	})
	for _, lang := range c.langs {
		sample, err := c.TextData(lang, SampleTextConfig())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.files[lang], err)
		}
		c.sample[lang] = sample
	}
	for _, lang := range c.langs {
		loc := i18n.NewLocalizer(c.bundle, lang)
		c.text[lang] = map[string]string{}
		for id := range ids {
			s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: c.sample[lang]})
			var nf *i18n.MessageNotFoundErr
			switch {
			case errors.As(err, &nf):
				c.missing[lang] = append(c.missing[lang], id)
			case err != nil:
				return nil, fmt.Errorf("%s: message %s: %w", c.files[lang], id, err)
			}
			if s != "" {
				c.text[lang][id] = s
			}
		}
		sort.Strings(c.missing[lang])
		c.isolate(lang)
	}
	for id := range ids {
		c.all = append(c.all, id)
	}
	sort.Strings(c.all)
	return c, nil
}

// topLevelLines maps each top-level key of a YAML file to its line, and each key of a
// mapping under a top-level key to its line as "parent.key" ("globals.menu", "nodes.welcome").
func topLevelLines(fsys fs.FS, name string) (map[string]int, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lines := map[string]int{}
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			key, val := m.Content[i], m.Content[i+1]
			lines[key.Value] = key.Line
			if val.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(val.Content); j += 2 {
					lines[key.Value+"."+val.Content[j].Value] = val.Content[j].Line
				}
			}
		}
	}
	return lines, nil
}

// isolate marks lang right to left when its own texts are mostly written so, and then
// wraps every phone number of its texts in directional isolates (IsolateNumbers).
func (c *Catalog) isolate(lang string) {
	var all strings.Builder
	for id := range c.own[lang] {
		all.WriteString(c.text[lang][id])
	}
	if !RightToLeft(all.String()) {
		return
	}
	c.rtl[lang] = true
	for id, t := range c.text[lang] {
		c.text[lang][id] = IsolateNumbers(t)
	}
}

// Dir returns the direction lang is written in: "rtl" (Arabic, Persian) or "ltr".
func (c *Catalog) Dir(lang string) string {
	if c.rtl[lang] {
		return "rtl"
	}
	return "ltr"
}

// Render returns message id in lang (falling back to the default language) rendered with
// data, the template data of TextData. A text without template data is returned as loaded.
func (c *Catalog) Render(lang, id string, data map[string]any) (string, bool) {
	if !c.templated[id] || data == nil {
		return c.Text(lang, id)
	}
	if _, ok := c.text[lang][id]; !ok {
		lang = DefaultLang
	}
	s, err := i18n.NewLocalizer(c.bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	var nf *i18n.MessageNotFoundErr
	if err != nil && !errors.As(err, &nf) {
		return c.Text(lang, id)
	}
	if c.rtl[lang] {
		s = IsolateNumbers(s) // as the loaded texts are
	}
	return s, s != ""
}

// Templated reports whether message id uses template data in some language.
func (c *Catalog) Templated(id string) bool { return c.templated[id] }

// Langs lists the languages, the default first.
func (c *Catalog) Langs() []string { return c.langs }

// Has reports whether lang is one of the catalog's languages.
func (c *Catalog) Has(lang string) bool { return c.text[lang] != nil }

// Text returns message id in lang, falling back to the default language.
func (c *Catalog) Text(lang, id string) (string, bool) {
	if t, ok := c.text[lang][id]; ok {
		return t, true
	}
	t, ok := c.text[DefaultLang][id]
	return t, ok
}

// IDs lists every message id, sorted.
func (c *Catalog) IDs() []string {
	ids := make([]string, 0, len(c.text[DefaultLang]))
	for id := range c.text[DefaultLang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Localizer returns a go-i18n localizer for lang, for texts with data or plurals (staff
// texts in Slack).
func (c *Catalog) Localizer(lang string) *i18n.Localizer {
	return i18n.NewLocalizer(c.bundle, lang, DefaultLang)
}

// home returns the language whose file locates message id best: the default language if
// it has the message, else the first other language that has it.
func (c *Catalog) home(id string) (string, bool) {
	for _, lang := range c.langs {
		if c.own[lang][id] {
			return lang, true
		}
	}
	return "", false
}

// where locates message id of lang for a problem.
func (c *Catalog) where(lang, id string) (string, int) {
	return c.files[lang], c.lines[lang][id]
}
