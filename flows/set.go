package flows

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/vasteras/trygg/bot/understand"
	"go.yaml.in/yaml/v3"
)

// MainFile is the conversation graph's file name.
const MainFile = "main.yaml"

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
	// Places are the places residents may name, and Areas the areas they belong to (id → name).
	Places []understand.Place
	Areas  map[string]string

	// phraseLines locates lexicon phrases for problems: lang → normalised phrase → line.
	phraseLines map[string]map[string]int
	lexFiles    map[string]string
	src         Source
	// placeSuffixes are the inflection endings of place names.
	placeSuffixes []string
	// placeLines are the lines of the places, in order.
	placeLines []int
}

// Load reads and compiles a flow set. It fails on files that cannot be read or parsed;
// Check finds the rest of the problems.
func Load(src Source) (*Set, error) {
	s := &Set{phraseLines: map[string]map[string]int{}, lexFiles: map[string]string{}, src: src}
	b, err := fs.ReadFile(src.Flows, MainFile)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", MainFile, err)
	}
	var def Definition
	if err := yaml.Unmarshal(b, &def); err != nil {
		return nil, fmt.Errorf("%s: %w", MainFile, err)
	}
	if def.Nodes == nil {
		def.Nodes = map[string]*Node{}
	}
	def.lines, err = topLevelLines(src.Flows, MainFile)
	if err != nil {
		return nil, err
	}
	s.Def = &def

	if s.Catalog, err = loadCatalog(src.Locales); err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}

	names, err := fs.Glob(src.Flows, "lexicon/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list lexicons: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no lexicon files (lexicon/*.yaml)")
	}
	for _, name := range names {
		lx, lines, err := loadLexicon(src.Flows, name)
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); lx.Lang != want {
			return nil, fmt.Errorf("%s: language is %q, the file name says %q", name, lx.Lang, want)
		}
		s.Lexicons = append(s.Lexicons, lx)
		s.phraseLines[lx.Lang] = lines
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
	if s.Matcher, err = understand.Compile(s.Lexicons, understand.Places(places.Places, places.Suffixes)); err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	return s, nil
}

// loadLexicon reads one lexicon file and the line of every phrase in it.
func loadLexicon(fsys fs.FS, name string) (understand.Lexicon, map[string]int, error) {
	var lx understand.Lexicon
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return lx, nil, fmt.Errorf("read %s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return lx, nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := doc.Decode(&lx); err != nil {
		return lx, nil, fmt.Errorf("%s: %w", name, err)
	}
	lines := map[string]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			if k := understand.Normalize(n.Value); lines[k] == 0 {
				lines[k] = n.Line
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return lx, lines, nil
}

// Place returns the place with id.
func (s *Set) Place(id string) (understand.Place, bool) {
	for _, p := range s.Places {
		if p.ID == id {
			return p, true
		}
	}
	return understand.Place{}, false
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
