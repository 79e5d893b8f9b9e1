package flows

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/understand"
	"go.yaml.in/yaml/v3"
)

// MainFile is the conversation graph's file name.
const MainFile = "main.yaml"

// ClassifierFile is the trained classifier's file name (bot/classify, `trygg train`).
const ClassifierFile = "classifier.bin"

// WordsFile lists the words residents write that are spelt right (understand.Plain),
// written by `go test ./bot -run Words -update` from the corpus' train split.
const WordsFile = "lexicon/words.txt"

// PlacesFile is the file of places and areas.
const PlacesFile = "places.yaml"

// placesFile is the form of places.yaml.
type placesFile struct {
	Areas    map[string]string  `yaml:"areas"`
	Suffixes []string           `yaml:"suffixes"`
	Places   []understand.Place `yaml:"places"`
}

// Source is where the flow files and the locale files are read from.
type Source struct {
	// Flows holds main.yaml and lexicon/*.yaml.
	Flows fs.FS
	// Locales holds <lang>.yaml go-i18n message files.
	Locales fs.FS
	// FlowsName and LocalesName name the two places in problems ("flows", "locales").
	FlowsName, LocalesName string
}

// WithoutClassifier returns the source without its classifier (ClassifierFile): what
// training a new one reads the lexicons from, whatever state the old one is in.
func (src Source) WithoutClassifier() Source {
	src.Flows = hiding{src.Flows, ClassifierFile}
	return src
}

// hiding is a file system without one of its files.
type hiding struct {
	fs.FS
	name string
}

func (h hiding) Open(name string) (fs.File, error) {
	if name == h.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.FS.Open(name)
}

// EmbeddedSource is the flow and locale files built into the binary.
func EmbeddedSource(locales fs.FS) Source {
	return Source{Flows: Embedded(), Locales: locales, FlowsName: "flows", LocalesName: "locales"}
}

// Set is everything the engine runs on: the graph, the texts and the compiled lexicons.
type Set struct {
	Def      *Definition
	Catalog  *Catalog
	Lexicons []understand.Lexicon
	Matcher  *understand.Matcher
	// Classifier reads topics and danger where the lexicons miss them (ClassifierFile), or
	// is nil when the flow files have none.
	Classifier *classify.Model
	// Places are the places residents may name, and Areas the areas they belong to (id → name).
	Places []understand.Place
	Areas  map[string]string
	// Lines are the phone numbers and web addresses texts may state (lines.yaml).
	Lines *Lines

	// phrases locates the phrases of each intent for problems: lang → intent → normalised
	// phrase → where it is first written.
	phrases  map[string]map[string]map[string]phraseAt
	lexFiles map[string]string
	src      Source
	// placeSuffixes are the inflection endings of place names.
	placeSuffixes []string
	// placeLines are the lines of the places, in order.
	placeLines []int
}

// Load reads and compiles a flow set. It fails on files that cannot be read or parsed;
// Check finds the rest of the problems.
func Load(src Source) (*Set, error) {
	s := &Set{phrases: map[string]map[string]map[string]phraseAt{}, lexFiles: map[string]string{}, src: src}
	// Errors name files as problems do, with the directory they were read from.
	flowsPath := func(name string) string { return path.Join(src.FlowsName, name) }
	b, err := fs.ReadFile(src.Flows, MainFile)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", flowsPath(MainFile), err)
	}
	var def Definition
	if err := yaml.Unmarshal(b, &def); err != nil {
		return nil, fmt.Errorf("%s: %w", flowsPath(MainFile), err)
	}
	if def.Nodes == nil {
		def.Nodes = map[string]*Node{}
	}
	def.lines, err = topLevelLines(src.Flows, MainFile)
	if err != nil {
		return nil, err
	}
	for id, n := range def.Nodes {
		if l := def.lines["nodes."+id]; n != nil && l > 0 {
			n.Line = l
		}
	}
	s.Def = &def

	if s.Catalog, err = loadCatalog(src.Locales); err != nil {
		return nil, fmt.Errorf("%s: %w", cmp.Or(src.LocalesName, "locales"), err)
	}

	names, err := fs.Glob(src.Flows, "lexicon/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list lexicons: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no lexicon files (%s)", flowsPath("lexicon/*.yaml"))
	}
	for _, name := range names {
		lx, phrases, err := loadLexicon(src.Flows, name, flowsPath(name))
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); lx.Lang != want {
			return nil, fmt.Errorf("%s: language is %q, the file name says %q", flowsPath(name), lx.Lang, want)
		}
		s.Lexicons = append(s.Lexicons, lx)
		s.phrases[lx.Lang] = phrases
		s.lexFiles[lx.Lang] = name
	}
	sort.Slice(s.Lexicons, func(i, j int) bool { return s.Lexicons[i].Lang < s.Lexicons[j].Lang })
	var places placesFile
	if b, err := fs.ReadFile(src.Flows, PlacesFile); err != nil {
		return nil, fmt.Errorf("read %s: %w", PlacesFile, err)
	} else if err := yaml.Unmarshal(b, &places); err != nil {
		return nil, fmt.Errorf("%s: %w", PlacesFile, err)
	} else {
		s.placeLines = sequenceLines(b, "places")
	}
	s.Places, s.Areas, s.placeSuffixes = places.Places, places.Areas, places.Suffixes
	if s.Lines, err = loadLines(src.Flows, flowsPath(LinesFile)); err != nil {
		return nil, err
	}
	switch b, err := fs.ReadFile(src.Flows, ClassifierFile); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", flowsPath(ClassifierFile), err)
	default:
		if s.Classifier, err = classify.Unmarshal(b); err != nil {
			return nil, fmt.Errorf("%s: %w", flowsPath(ClassifierFile), err)
		}
	}
	opts := []understand.Option{understand.Places(places.Places, places.Suffixes)}
	switch b, err := fs.ReadFile(src.Flows, WordsFile); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", flowsPath(WordsFile), err)
	default:
		opts = append(opts, understand.Plain(wordLines(b)))
	}
	if s.Matcher, err = understand.Compile(s.Lexicons, opts...); err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	return s, nil
}

// phraseAt is where a lexicon phrase is written, and how.
type phraseAt struct {
	Line    int
	Written string
}

// loadLexicon reads lexicon file name and where each phrase of each intent is written.
// Errors call the file display.
func loadLexicon(fsys fs.FS, name, display string) (understand.Lexicon, map[string]map[string]phraseAt, error) {
	var lx understand.Lexicon
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return lx, nil, fmt.Errorf("read %s: %w", display, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return lx, nil, fmt.Errorf("%s: %w", display, err)
	}
	if err := doc.Decode(&lx); err != nil {
		return lx, nil, fmt.Errorf("%s: %w", display, err)
	}
	phrases := map[string]map[string]phraseAt{}
	intents := mappingValue(&doc, "intents")
	for i := 0; intents != nil && i+1 < len(intents.Content); i += 2 {
		intent := intents.Content[i].Value
		at := map[string]phraseAt{}
		phrases[intent] = at
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode {
				if k := understand.Normalize(n.Value); at[k].Line == 0 {
					at[k] = phraseAt{Line: n.Line, Written: n.Value}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		// The phrases are the values of "whole" and "any", not those keys themselves.
		if m := intents.Content[i+1]; m.Kind == yaml.MappingNode {
			for j := 1; j < len(m.Content); j += 2 {
				walk(m.Content[j])
			}
		}
	}
	return lx, phrases, nil
}

// mappingValue returns the value of key in the top-level mapping of doc, or nil.
func mappingValue(doc *yaml.Node, key string) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Node returns the node with id, or nil.
func (s *Set) Node(id string) *Node { return s.Def.Nodes[id] }

// sequenceLines returns the line of each item of the top-level sequence key in a YAML file.
func sequenceLines(b []byte, key string) []int {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) != 1 {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			var lines []int
			for _, item := range m.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}

// wordLines returns the words of a words file: one per line; blank lines and lines that
// start with # are skipped.
func wordLines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}
