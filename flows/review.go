package flows

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"

	"github.com/vasteras/trygg/internal/gsm7"
)

// A review file puts one language's texts beside the Swedish ones for a native speaker.
// It is a go-i18n message file, in the shape `goi18n merge` gives its translate.*.yaml
// files: each message has its translation as "other", the hash of the Swedish source it
// was made from as "hash" (go-i18n's "sha1-…"), and, as "description", the Swedish text
// and what the text costs as SMS. The reviewer edits only "other"; ImportReview takes the
// texts back into locales/<lang>.yaml.

// reviewedBy is the comment line of a locale file that names who reviewed it.
var reviewedBy = regexp.MustCompile(`(?m)^# reviewed-by:[^\n]*$`)

// ReviewedBy returns who reviewed lang's texts, as its locale file's "# reviewed-by:" line
// says, or "" when nobody has yet.
func (s *Set) ReviewedBy(lang string) string {
	who, _ := s.Review(lang)
	return who
}

// Review returns who reviewed lang's texts and whether its locale file records reviews at
// all (has a "# reviewed-by:" line, empty until a native speaker has reviewed it).
func (s *Set) Review(lang string) (who string, recorded bool) {
	b, err := fs.ReadFile(s.src.Locales, s.Catalog.files[lang])
	if err != nil {
		return "", false
	}
	line := reviewedBy.Find(b)
	return strings.TrimSpace(strings.TrimPrefix(string(line), "# reviewed-by:")), line != nil
}

// sourceHash is go-i18n's hash of a source text, as goi18n writes it in translate files.
func sourceHash(text string) string {
	h := sha1.Sum([]byte(text))
	return "sha1-" + hex.EncodeToString(h[:])
}

// ReviewFile writes lang's texts beside the Swedish ones as a go-i18n message file for a
// reviewer: every message in the order of the Swedish file.
func (s *Set) ReviewFile(lang string) ([]byte, error) {
	cat := s.Catalog
	if !cat.Has(lang) || lang == DefaultLang {
		return nil, fmt.Errorf("no texts in a language other than %s to review: %q", DefaultLang, lang)
	}
	order, err := s.fileOrder(DefaultLang)
	if err != nil {
		return nil, err
	}
	raw, err := s.rawTexts(lang)
	if err != nil {
		return nil, err
	}
	sv, err := s.rawTexts(DefaultLang)
	if err != nil {
		return nil, err
	}
	budget := s.Def.Safety.Budget(lang)
	doc := &yaml.Node{Kind: yaml.MappingNode}
	doc.HeadComment = fmt.Sprintf("Review of the %s texts of trygg (locales/%s.yaml), beside the Swedish ones.\n"+
		"Edit only \"other\": keep it short and plain, keep every phone number as it is, and\n"+
		"keep 112 a number to call. \"description\" gives the Swedish text and what the text\n"+
		"costs as SMS (the budget is %d parts). Leave \"hash\" as it is: it tells which Swedish\n"+
		"text you read. Take the file back with: trygg locales import --reviewer \"name, date\" <file>\n"+
		"reviewed-by: %s", lang, lang, budget.MaxSegments, s.ReviewedBy(lang))
	for _, id := range order {
		text, ok := raw[id]
		if !ok {
			continue
		}
		desc := "sv: " + sv[id]
		if !strings.HasPrefix(id, WebPrefix) && !strings.HasPrefix(id, "staff_") {
			full, _ := cat.Text(lang, id)
			if !HasHelpNumber(full, s.Def.Safety.HelpNumbers) && id != s.Def.Safety.Footer {
				footer, _ := cat.Text(lang, s.Def.Safety.Footer)
				full += FooterSeparator + footer
			}
			info := gsm7.Analyze(full)
			desc += fmt.Sprintf("\nSMS: %d of %d parts (%s, %d characters with any footer)", info.Segments, budget.MaxSegments, info.Encoding, info.Units)
		} else {
			desc += "\nweb page text (not sent as SMS)"
		}
		msg := &yaml.Node{Kind: yaml.MappingNode}
		for _, kv := range [][2]string{{"description", desc}, {"hash", sourceHash(sv[id])}, {"other", text}} {
			v := &yaml.Node{Kind: yaml.ScalarNode, Value: kv[1]}
			if strings.Contains(kv[1], "\n") {
				v.Style = yaml.LiteralStyle
			} else {
				v.Style = yaml.DoubleQuotedStyle
			}
			msg.Content = append(msg.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[0]}, v)
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id}, msg)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("write review file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write review file: %w", err)
	}
	return out.Bytes(), nil
}

// fileOrder lists the message ids of lang's locale file in the order they are written.
func (s *Set) fileOrder(lang string) ([]string, error) {
	doc, err := s.localeNode(lang)
	if err != nil {
		return nil, err
	}
	var ids []string
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		ids = append(ids, m.Content[i].Value)
	}
	return ids, nil
}

// rawTexts returns lang's texts as its file writes them (no isolates, no footer).
func (s *Set) rawTexts(lang string) (map[string]string, error) {
	doc, err := s.localeNode(lang)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if v := m.Content[i+1]; v.Kind == yaml.ScalarNode {
			out[m.Content[i].Value] = v.Value
		}
	}
	return out, nil
}

// localeNode parses lang's locale file.
func (s *Set) localeNode(lang string) (*yaml.Node, error) {
	name := s.Catalog.files[lang]
	b, err := fs.ReadFile(s.src.Locales, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping of message ids to texts", name)
	}
	return &doc, nil
}

// Imported is what ImportReview did.
type Imported struct {
	// Changed lists the ids whose text the reviewer changed.
	Changed []string
	// Stale lists the ids whose Swedish text changed since the review file was written:
	// they were not taken (export again and review them anew).
	Stale []string
	// Unknown lists ids of the review file the locale file does not have; not taken.
	Unknown []string
}

// ImportReview takes a reviewed file (as ReviewFile wrote it, named <lang>.yaml or
// anything.<lang>.yaml) back into lang's locale file and returns the new file: the
// reviewer's texts replace the old ones, and a reviewer, when given, is written on the
// file's "# reviewed-by:" line. Comments, order and blank lines stay as they were. Run
// `trygg flows check` on the result: a reviewed text must still fit its budget.
func (s *Set) ImportReview(lang string, review []byte, reviewer string) ([]byte, Imported, error) {
	var res Imported
	if !s.Catalog.Has(lang) || lang == DefaultLang {
		return nil, res, fmt.Errorf("no texts in a language other than %s to import: %q", DefaultLang, lang)
	}
	bundle := i18n.NewBundle(s.Catalog.bundle.LanguageTags()[0])
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	mf, err := bundle.ParseMessageFileBytes(review, "review."+lang+".yaml")
	if err != nil {
		return nil, res, fmt.Errorf("read the review file: %w", err)
	}
	sv, err := s.rawTexts(DefaultLang)
	if err != nil {
		return nil, res, err
	}
	name := s.Catalog.files[lang]
	orig, err := fs.ReadFile(s.src.Locales, name)
	if err != nil {
		return nil, res, fmt.Errorf("read %s: %w", name, err)
	}
	doc, err := s.localeNode(lang)
	if err != nil {
		return nil, res, err
	}
	values := map[string]*yaml.Node{}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		values[m.Content[i].Value] = m.Content[i+1]
	}
	for _, msg := range mf.Messages {
		v, ok := values[msg.ID]
		switch {
		case !ok:
			res.Unknown = append(res.Unknown, msg.ID)
			continue
		case msg.Hash != "" && msg.Hash != sourceHash(sv[msg.ID]):
			res.Stale = append(res.Stale, msg.ID)
			continue
		case msg.Other == "" || msg.Other == v.Value:
			continue
		}
		v.Value = msg.Other
		if strings.Contains(msg.Other, "\n") && v.Style != yaml.LiteralStyle {
			v.Style = yaml.LiteralStyle
		} else if !strings.Contains(msg.Other, "\n") && v.Style == 0 {
			v.Style = yaml.DoubleQuotedStyle
		}
		res.Changed = append(res.Changed, msg.ID)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, res, fmt.Errorf("write %s: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, res, fmt.Errorf("write %s: %w", name, err)
	}
	b := keepBlankLines(orig, out.Bytes())
	if reviewer != "" {
		if strings.ContainsAny(reviewer, "\r\n") {
			return nil, res, errors.New("the reviewer must be one line")
		}
		line := "# reviewed-by: " + reviewer
		if reviewedBy.Match(b) {
			b = reviewedBy.ReplaceAll(b, []byte(line))
		} else {
			b = append([]byte(line+"\n"), b...)
		}
	}
	return b, res, nil
}

// keepBlankLines puts back into out, a re-encoded YAML file, the blank lines orig had
// before its top-level keys (and before the comments above them), which encoding drops.
func keepBlankLines(orig, out []byte) []byte {
	blankBefore := map[string]bool{}
	lines := strings.Split(string(orig), "\n")
	for i, l := range lines {
		key, ok := topKey(l)
		if !ok {
			continue
		}
		j := i - 1
		for j >= 0 && strings.HasPrefix(lines[j], "#") {
			j--
		}
		if j >= 0 && strings.TrimSpace(lines[j]) == "" {
			blankBefore[key] = true
		}
	}
	var b strings.Builder
	outLines := strings.Split(string(out), "\n")
	var comments []string
	for _, l := range outLines {
		if strings.HasPrefix(l, "#") {
			comments = append(comments, l)
			continue
		}
		if key, ok := topKey(l); ok && blankBefore[key] && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
			b.WriteString("\n") // before the comments above the key, as in orig
		}
		for _, c := range comments {
			b.WriteString(c + "\n")
		}
		comments = nil
		b.WriteString(l + "\n")
	}
	for _, c := range comments {
		b.WriteString(c + "\n")
	}
	return []byte(strings.TrimRight(b.String(), "\n") + "\n")
}

// topKey returns the key of a top-level "key: …" line.
func topKey(line string) (string, bool) {
	if line == "" || line[0] == ' ' || line[0] == '#' || line[0] == '-' {
		return "", false
	}
	k, _, ok := strings.Cut(line, ":")
	return k, ok && !strings.ContainsAny(k, " \"'")
}

// LocalePath returns where lang's locale file is ("locales/ar.yaml"), for the command
// that writes it back.
func (s *Set) LocalePath(lang string) string {
	return path.Join(s.src.LocalesName, s.Catalog.files[lang])
}
