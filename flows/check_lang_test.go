package flows_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// localesWith returns the built-in locale files with the line of message id in lang's file
// replaced by id: "text".
func localesWith(t *testing.T, lang, id, text string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	names, err := fs.Glob(locales.Embedded(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^` + id + `: .*$`)
	for _, name := range names {
		b, err := fs.ReadFile(locales.Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		if name == lang+".yaml" {
			if !line.Match(b) {
				t.Fatalf("%s has no line %s:", name, id)
			}
			b = line.ReplaceAll(b, []byte(id+": \""+text+"\""))
		}
		m[name] = &fstest.MapFile{Data: b}
	}
	return m
}

// TestLanguageBudgets: each language is held to its own SMS budget (flows/main.yaml
// safety.sms): Arabic may be UCS-2 but at most 3 segments of 67, phone numbers isolated
// included; the core languages stay GSM-7.
func TestLanguageBudgets(t *testing.T) {
	tests := []struct {
		name, lang, id, text string
		want                 []string // substrings of the problems; none when empty
	}{
		{"Arabic in UCS-2 within 3 segments", "ar", "declined", "حسنا. في خطر؟ اتصل على 112.", nil},
		{"Arabic over 3 UCS-2 segments", "ar", "declined", "حسنا. " + strings.Repeat("نص طويل ", 25) + "في خطر؟ اتصل على 112.", []string{"message declined costs 4 SMS segments"}},
		{"the isolates count against the budget", "ar", "declined", strings.Repeat("ا", 190) + " 112 " + "021-41 32 60", []string{"message declined costs 4 SMS segments"}},
		{"Swedish stays GSM-7", "sv", "declined", "Okej 🙂 Ring 112.", []string{"outside GSM-7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := flows.Load(flows.EmbeddedSource(localesWith(t, tt.lang, tt.id, tt.text)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range flows.Check(set) {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			if len(tt.want) == 0 && all != "" {
				t.Fatalf("want no problems, got:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q; got:\n%s", w, all)
				}
			}
		})
	}
}

// TestRightToLeftNumbers: Arabic texts show every phone number whole, between LRI and PDI,
// and the number is still found where it is looked for.
func TestRightToLeftNumbers(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	if d := set.Catalog.Dir("ar"); d != "rtl" {
		t.Errorf("Dir(ar) = %q, want rtl", d)
	}
	if d := set.Catalog.Dir("sv"); d != "ltr" {
		t.Errorf("Dir(sv) = %q, want ltr", d)
	}
	text, _ := set.Catalog.Text("ar", "support")
	for _, n := range []string{"112", "010-567 63 25", "021-41 32 60", "116 006"} {
		if !strings.Contains(text, flows.LRI+n+flows.PDI) {
			t.Errorf("ar support: %s is not isolated: %q", n, text)
		}
	}
	if sv, _ := set.Catalog.Text("sv", "support"); strings.Contains(sv, flows.LRI) {
		t.Errorf("sv support has isolates: %q", sv)
	}
	if got := flows.IsolateNumbers("اتصل على 112 أو 021-41 32 60 أو 9112345"); got != "اتصل على "+flows.LRI+"112"+flows.PDI+" أو "+flows.LRI+"021-41 32 60"+flows.PDI+" أو 9112345" {
		t.Errorf("IsolateNumbers = %q", got)
	}
	if flows.NumbersIsolated("اتصل على 112") {
		t.Error("NumbersIsolated says a bare 112 is isolated")
	}
}
