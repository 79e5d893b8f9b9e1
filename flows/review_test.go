package flows_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// TestReviewRoundTrip: the review file is a go-i18n message file with the Swedish text and
// the SMS cost beside each text; taken back unchanged it leaves the locale file exactly
// as it was; a reviewer's edit replaces only that text and names the reviewer; a text
// whose Swedish source changed since the export is not taken.
func TestReviewRoundTrip(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	review, err := set.ReviewFile("ar")
	if err != nil {
		t.Fatal(err)
	}
	bundle := i18n.NewBundle(language.Swedish)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	mf, err := bundle.ParseMessageFileBytes(review, "review.ar.yaml")
	if err != nil {
		t.Fatalf("the review file is no go-i18n file: %v", err)
	}
	if len(mf.Messages) < len(set.Catalog.IDs()) {
		t.Errorf("%d messages in the review file, want %d", len(mf.Messages), len(set.Catalog.IDs()))
	}
	var support *i18n.Message
	for _, m := range mf.Messages {
		if m.ID == "support" {
			support = m
		}
	}
	if support == nil || !strings.Contains(support.Description, "sv: Bra att du hör av dig") || !strings.Contains(support.Description, "of 3 parts (UCS-2") ||
		strings.Contains(support.Other, flows.LRI) || !strings.HasPrefix(support.Hash, "sha1-") {
		t.Fatalf("support in the review file: %+v", support)
	}

	orig, err := locales.Embedded().(interface{ ReadFile(string) ([]byte, error) }).ReadFile("ar.yaml")
	if err != nil {
		t.Fatal(err)
	}
	same, res, err := set.ImportReview("ar", review, "")
	if err != nil || len(res.Changed)+len(res.Stale)+len(res.Unknown) != 0 {
		t.Fatalf("import unchanged: %v %+v", err, res)
	}
	if string(same) != string(orig) {
		t.Errorf("an unchanged review changed the locale file:\n%s", firstDiff(string(orig), string(same)))
	}

	edited := strings.Replace(string(review), `other: "حسنا. اكتب: قائمة. في خطر؟ اتصل على 112."`, `other: "حسنا. في خطر؟ اتصل على 112."`, 1)
	if edited == string(review) {
		t.Fatal("declined not found in the review file")
	}
	stale := strings.Replace(edited, support.Hash, "sha1-0000", 1)
	out, res, err := set.ImportReview("ar", []byte(stale), "Rana A., 2026-12-05")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Changed, ",") != "declined" || strings.Join(res.Stale, ",") != "support" {
		t.Errorf("changed %v, stale %v; want [declined], [support]", res.Changed, res.Stale)
	}
	if !strings.Contains(string(out), "# reviewed-by: Rana A., 2026-12-05\n") || !strings.Contains(string(out), `declined: "حسنا. في خطر؟ اتصل على 112."`) {
		t.Errorf("imported file:\n%s", out)
	}
	files := fstest.MapFS{}
	for _, n := range []string{"sv.yaml", "en.yaml", "fi.yaml", "fa.yaml", "so.yaml", "ti.yaml"} {
		b, _ := locales.Embedded().(interface{ ReadFile(string) ([]byte, error) }).ReadFile(n)
		files[n] = &fstest.MapFile{Data: b}
	}
	files["ar.yaml"] = &fstest.MapFile{Data: out}
	after, err := flows.Load(flows.EmbeddedSource(files))
	if err != nil {
		t.Fatal(err)
	}
	if got := after.ReviewedBy("ar"); got != "Rana A., 2026-12-05" {
		t.Errorf("ReviewedBy(ar) = %q", got)
	}
	if got := set.ReviewedBy("ar"); got != "" {
		t.Errorf("the shipped Arabic texts say they were reviewed by %q", got)
	}
	if ps := flows.Check(after); len(ps) > 0 {
		t.Errorf("the imported file has problems: %v", ps)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\n  now " + bl[i]
		}
	}
	return "lengths differ"
}
