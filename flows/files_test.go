package flows_test

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// files is an editable copy of the real flow and locale files, by path:
// "flows/main.yaml", "flows/lexicon/sv.yaml", "locales/sv.yaml" …
type files map[string]string

// coreLangs are the languages whose files the edit tests copy: Swedish, English and
// Finnish, the languages the city must speak. The other languages' files are checked
// whole by TestEmbeddedSetHasNoProblems; leaving them out keeps each edit's expected
// problems about one thing.
var coreLangs = map[string]bool{"sv": true, "en": true, "fi": true}

// realFiles copies the flow and locale files built into the binary, for the core languages.
func realFiles(t *testing.T) files {
	t.Helper()
	f := files{}
	for prefix, fsys := range map[string]fs.FS{"flows": flows.Embedded(), "locales": locales.Embedded()} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			if lang := strings.TrimSuffix(path.Base(p), ".yaml"); (prefix == "locales" || path.Dir(p) == "lexicon") && !coreLangs[lang] {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			f[prefix+"/"+p] = string(b)
			return err
		})
		if err != nil {
			t.Fatalf("copy %s: %v", prefix, err)
		}
	}
	return f
}

// replace replaces the one occurrence of old in file with new.
func (f files) replace(t *testing.T, file, old, new string) {
	t.Helper()
	text, ok := f[file]
	if !ok {
		t.Fatalf("no file %s", file)
	}
	if n := strings.Count(text, old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", file, old, n)
	}
	f[file] = strings.Replace(text, old, new, 1)
}

// deleteLine removes the one line of file that starts with prefix.
func (f files) deleteLine(t *testing.T, file, prefix string) {
	t.Helper()
	lines := strings.SplitAfter(f[file], "\n")
	var kept []string
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
			continue
		}
		kept = append(kept, l)
	}
	if n != 1 {
		t.Fatalf("%s: %d lines start with %q, want one", file, n, prefix)
	}
	f[file] = strings.Join(kept, "")
}

// appendTo adds text at the end of file.
func (f files) appendTo(file, text string) {
	f[file] = strings.TrimRight(f[file], "\n") + "\n" + text
}

// line returns the line (from 1) of the one occurrence of substr in file.
func (f files) line(t *testing.T, file, substr string) int {
	t.Helper()
	text := f[file]
	if n := strings.Count(text, substr); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", file, substr, n)
	}
	// A leading newline only anchors substr at the start of a line.
	i := strings.Index(text, substr) + len(substr) - len(strings.TrimLeft(substr, "\n"))
	return strings.Count(text[:i], "\n") + 1
}

// source makes a flows.Source of the files, named "flows" and "locales" like the embedded one.
func (f files) source() flows.Source {
	fl, lo := fstest.MapFS{}, fstest.MapFS{}
	for p, text := range f {
		if rest, ok := strings.CutPrefix(p, "flows/"); ok {
			fl[rest] = &fstest.MapFile{Data: []byte(text)}
		}
		if rest, ok := strings.CutPrefix(p, "locales/"); ok {
			lo[rest] = &fstest.MapFile{Data: []byte(text)}
		}
	}
	return flows.Source{Flows: fl, Locales: lo, FlowsName: "flows", LocalesName: "locales"}
}

// load loads the files, failing the test on an error.
func (f files) load(t *testing.T) *flows.Set {
	t.Helper()
	set, err := flows.Load(f.source())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return set
}

// problemStrings formats problems as `trygg flows check` prints them.
func problemStrings(ps []flows.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
