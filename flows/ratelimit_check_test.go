package flows_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// copyFS copies fsys into a MapFS, so a test can change one file.
func copyFS(t *testing.T, fsys fs.FS) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCheckRateLimited proves the checker knows the rate-limit notice: the built-in files
// pass, a main.yaml that does not name it gets the notice flagged as unknown and unused,
// and one that drops it from age_unknown_only gets it flagged for the age rule.
func TestCheckRateLimited(t *testing.T) {
	tests := []struct {
		name    string
		old     string
		new     string
		wantAll []string
	}{
		{name: "built-in files"},
		{
			name:    "not named in safety",
			old:     "  rate_limited: rate_limited",
			new:     "  # rate_limited: none",
			wantAll: []string{"safety.rate_limited: unknown message", "message rate_limited is not used by any node"},
		},
		{
			name:    "age rule",
			old:     "age_unknown_only: [ask_age, ask_child_age, ask_victim_age, safe, rate_limited]",
			new:     "age_unknown_only: [ask_age, ask_child_age, ask_victim_age, safe]",
			wantAll: []string{"message rate_limited gives 021-41 32 60 (20 and older) but has no rate_limited_youth variant"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := flows.EmbeddedSource(locales.Embedded())
			if tt.old != "" {
				m := copyFS(t, src.Flows)
				text := string(m[flows.MainFile].Data)
				if !strings.Contains(text, tt.old) {
					t.Fatalf("main.yaml has no %q", tt.old)
				}
				m[flows.MainFile].Data = []byte(strings.Replace(text, tt.old, tt.new, 1))
				src.Flows = m
			}
			set, err := flows.Load(src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range flows.Check(set) {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			if len(tt.wantAll) == 0 && len(got) > 0 {
				t.Fatalf("problems:\n%s", all)
			}
			for _, want := range tt.wantAll {
				if !strings.Contains(all, want) {
					t.Errorf("no problem %q in:\n%s", want, all)
				}
			}
		})
	}
}
