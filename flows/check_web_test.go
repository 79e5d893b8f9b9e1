package flows_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// withLocaleLines returns the built-in locale files with extra lines appended per language.
func withLocaleLines(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	names, err := fs.Glob(locales.Embedded(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(locales.Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		lang := strings.TrimSuffix(name, ".yaml")
		more, ok := extra[lang]
		if !ok && !coreLangs[lang] {
			more = extra["en"] // the languages beyond sv, en and fi get the English lines
		}
		m[name] = &fstest.MapFile{Data: append(append(b, '\n'), more...)}
	}
	return m
}

func problems(t *testing.T, extra map[string]string) string {
	t.Helper()
	src := flows.EmbeddedSource(withLocaleLines(t, extra))
	set, err := flows.Load(src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var lines []string
	for _, p := range flows.Check(set) {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// TestCheckWebTexts: web chat page texts (ids starting with web_) are used by no node,
// are not SMS and may be long or use any character, but must exist in every language and
// must not tell anyone to text 112.
func TestCheckWebTexts(t *testing.T) {
	long := strings.Repeat("Lång text utan hjälpnummer – med tankstreck. ", 20)
	tests := []struct {
		name  string
		extra map[string]string
		want  []string // substrings of the problems; none means no problem
	}{
		{
			name: "unused, long, outside GSM-7, no help number: fine",
			extra: map[string]string{
				"sv": "web_test: \"" + long + "\"\n",
				"en": "web_test: \"" + long + "\"\n",
				"fi": "web_test: \"" + long + "\"\n",
			},
		},
		{
			name: "missing in a language",
			extra: map[string]string{
				"sv": "web_test: \"Lämna sidan snabbt\"\n",
				"en": "web_test: \"Leave this page quickly\"\n",
			},
			want: []string{"fi.yaml: message web_test is missing"},
		},
		{
			name: "tells residents to text 112",
			extra: map[string]string{
				"sv": "web_test: \"Skicka sms till 112.\"\n",
				"en": "web_test: \"Call 112.\"\n",
				"fi": "web_test: \"Soita 112.\"\n",
			},
			want: []string{"sv.yaml:", "message web_test tells residents to text 112"},
		},
		{
			name: "the same text without the prefix is still checked as SMS",
			extra: map[string]string{
				"sv": "webtest: \"" + long + "\"\n",
				"en": "webtest: \"" + long + "\"\n",
				"fi": "webtest: \"" + long + "\"\n",
			},
			want: []string{"message webtest is not used by any node", "outside GSM-7", "SMS segments"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.extra)
			if len(tt.want) == 0 && got != "" {
				t.Fatalf("want no problems, got:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems lack %q; got:\n%s", w, got)
				}
			}
		})
	}
}
