package flows_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vasteras/trygg/flows"
)

// TestLinesRefusePlantedTexts plants one text per row in a copy of the real files and
// expects `flows check` to refuse it (or, for the rows that name the group or say the text
// only to that group, to accept it), at the planted text's file and line.
func TestLinesRefusePlantedTexts(t *testing.T) {
	tests := []struct {
		name, file, id, text string
		want                 string // a fragment of the problem about id; "" = none
	}{
		{"unknown number", svText, "planted", "Ring Kvinnojouren på 020-12 34 56. Ring 112.", `gives "020-12 34 56", which is not in flows/lines.yaml`},
		{"unknown short number", enText, "planted", "Call 11 88 to get help. Call 112.", `gives "11 88", which is not in flows/lines.yaml`},
		{"unknown address", fiText, "planted", "Lue lisää: example.com. Soita 112.", `gives "example.com", which is not in flows/lines.yaml`},
		{"known number written otherwise", svText, "planted", "Ring 0205050 50 eller 112. Kvinnor kan ringa.", `writes 020-50 50 50 as "0205050 50"`},
		{"Kvinnofridslinjen for men", svText, "planted_m", "Det är inte ditt fel. Kvinnofridslinjen 020-50 50 50 svarar dygnet runt. Ring 112.", "is said only to men and boys (its id ends in _m) but gives 020-50 50 50 (Kvinnofridslinjen), which is for women"},
		{"Kvinnofridslinjen for men, by name only", enText, "planted_m", "It is not your fault. Kvinnofridslinjen answers day and night. Call 112.", "is said only to men and boys"},
		{"Kvinnofridslinjen to anyone", enText, "planted", "It is not your fault. Kvinnofridslinjen 020-50 50 50 answers day and night. Call 112.", "which is for women, but can reach anyone"},
		{"Kvinnofridslinjen to anyone, Finnish", fiText, "planted_adult", "Se ei ole sinun syysi. Kvinnofridslinjen 020-50 50 50 vastaa ympäri vuorokauden. Soita 112.", "which is for women, but can reach anyone"},
		{"Kvinnofridslinjen named for women", svText, "planted", "För kvinnor: Kvinnofridslinjen 020-50 50 50, dygnet runt. Ring 112.", ""},
		{"Kvinnofridslinjen for women", enText, "planted_f", "It is not your fault. Kvinnofridslinjen 020-50 50 50 answers day and night. Call 112.", ""},
		{"Stödlinjen för män for women", svText, "planted_f", "Stödlinjen för män 020-80 80 80 för dig som fyllt 18. Ring 112.", "which is for men"},
		{"Stödlinjen för män to children", svText, "planted_m_child", "Stödlinjen för män 020-80 80 80. Ring 112.", "which is for adults, but can reach under 18"},
		{"Stödlinjen för män to men 18 or older", svText, "planted_m", "Är du 18 år eller äldre? Stödlinjen för män 020-80 80 80 svarar varje dag. Ring 112.", ""},
		{"Stödlinjen för män to youth who may be 17", enText, "planted_m_youth", "Stödlinjen för män 020-80 80 80, every day. Call 112.", "which is for adults, but can reach under 20, perhaps under 18"},
		{"Stödlinjen för män to youth, 18+", enText, "planted_m_youth", "Men 18+: Stödlinjen för män 020-80 80 80. Call 112.", ""},
		{"BRIS to 18 and 19", svText, "planted_youth", "Prata med BRIS på 116 111. Ring 112.", "which is for under18, but can reach under 20"},
		{"BRIS to children", fiText, "planted_child", "Voit puhua BRISin kanssa numerossa 116 111. Soita 112.", ""},
		{"BRIS with its age", enText, "planted", "If you are under 18 you can talk to BRIS on 116 111. Call 112.", ""},
		{"BRIS site to anyone", svText, "planted", "Läs mer på bris.se. Ring 112.", "which is for under18, but can reach any age"},
		{"Äldrelinjen to anyone", svText, "planted", "Ring Äldrelinjen 020-22 22 33. Ring 112.", "which is for over65"},
		{"Äldrelinjen for people over 65", svText, "planted", "Är du över 65 kan du ringa Äldrelinjen på 020-22 22 33. Ring 112.", ""},
		{"hours are not numbers", svText, "planted", "Rätt att välja 020-57 70 70 svarar varje dag 07-21. Ring 112.", ""},
		{"a web page text", enText, "web_planted", "Call 0771-123 456.", `gives "0771-123 456"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realFiles(t)
			planted := tt.id + `: "` + tt.text + `"`
			f.appendTo(tt.file, planted+"\n")
			var about []string
			for _, p := range flows.Check(f.load(t)) {
				if strings.Contains(p.Msg, "message "+tt.id+" ") && !strings.Contains(p.Msg, "is not used by any node") &&
					!strings.Contains(p.Msg, "is missing") && !strings.Contains(p.Msg, "is an age variant of") {
					about = append(about, p.String())
				}
			}
			if tt.want == "" {
				if len(about) > 0 {
					t.Errorf("problems about the planted text, want none:\n%s", strings.Join(about, "\n"))
				}
				return
			}
			at := tt.file + ":" + itoa(f.line(t, tt.file, planted)) + ": "
			for _, p := range about {
				if strings.HasPrefix(p, at) && strings.Contains(p, tt.want) {
					return
				}
			}
			t.Errorf("no problem %q at %s; got:\n%s", tt.want, at, strings.Join(about, "\n"))
		})
	}
}

// TestLinesFileProblems breaks lines.yaml itself.
func TestLinesFileProblems(t *testing.T) {
	const linesYAML = "flows/lines.yaml"
	f := realFiles(t)
	f.replace(t, linesYAML, "    for: [women]\n", "    for: [wimmin]\n")
	f.replace(t, linesYAML, "  - number: \"1177\"\n    what: advice on where to get health care\n    source: brottsoffermyndigheten.se\n",
		"  - number: \"1177\"\n    what: advice on where to get health care\n")
	got := strings.Join(problemStrings(flows.Check(f.load(t))), "\n")
	for _, want := range []string{
		linesYAML + ":" + itoa(f.line(t, linesYAML, `- number: "020-50 50 50"`)) + `: line 020-50 50 50: unknown group "wimmin"`,
		linesYAML + ":" + itoa(f.line(t, linesYAML, `- number: "1177"`)) + ": line 1177: give its source",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no problem %q in:\n%s", want, got)
		}
	}
}

// TestEveryHelpNumberIsALine holds the numbers the safety rules rely on to the registry.
func TestEveryHelpNumberIsALine(t *testing.T) {
	set := realFiles(t).load(t)
	have := map[string]bool{}
	for _, l := range set.Lines.Lines {
		have[l.Number] = true
	}
	sf := set.Def.Safety
	for _, n := range append(append([]string{}, sf.HelpNumbers...), sf.YouthNumber, sf.AdultNumber) {
		if !have[n] {
			t.Errorf("help number %s is not a line of lines.yaml", n)
		}
	}
}

// TestNoticesListPilotTexts shows that a text giving a pilot line is listed in the notices.
func TestNoticesListPilotTexts(t *testing.T) {
	f := realFiles(t)
	f.appendTo(svText, `planted_m: "Stödlinjen för män 020-80 80 80 för dig som är 18 år eller äldre. Ring 112."`+"\n")
	var got string
	for _, n := range flows.Notices(f.load(t)) {
		if n.Line.Number == "020-80 80 80" {
			got = n.String()
		}
	}
	if !strings.Contains(got, "is pilot") || !strings.Contains(got, "sv/planted_m") {
		t.Errorf("notice for 020-80 80 80 = %q, want it pilot and listing sv/planted_m", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestNoticesAskForChildVariants: a text a child gets with Brottsofferjouren's number for
// the young, and no _child variant, is told (it could give BRIS); one with it is not.
func TestNoticesAskForChildVariants(t *testing.T) {
	f := realFiles(t)
	f.appendTo(svText, `planted: "Under 20 år: 010-567 63 25. 20 år eller äldre: 021-41 32 60. Ring 112."`+"\n")
	var got []string
	for _, n := range flows.Notices(f.load(t)) {
		got = append(got, n.String())
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "notice: message planted gives children 010-567 63 25 but has no planted_child variant") {
		t.Errorf("no notice for the planted text:\n%s", all)
	}
	if strings.Contains(all, "message support ") || strings.Contains(all, "message support_youth ") {
		t.Errorf("a notice for support, which has a _child variant:\n%s", all)
	}
}

// TestNoticesAskForMustSay: a Finnish text that gives 114 14 without saying it answers in
// Swedish (and English) is told; one that says it is not.
func TestNoticesAskForMustSay(t *testing.T) {
	f := realFiles(t)
	f.appendTo(fiText, `planted: "Soita poliisille 114 14. Soita 112."`+"\n"+`planted_adult: "Soita poliisille 114 14 (ruotsiksi ja englanniksi). Soita 112."`+"\n")
	var all []string
	for _, n := range flows.Notices(f.load(t)) {
		all = append(all, n.String())
	}
	got := strings.Join(all, "\n")
	want := "notice: " + fiText + ":" + itoa(f.line(t, fiText, "planted: ")) + `: message planted gives 114 14 but does not say near it "ruotsiksi"`
	if !strings.Contains(got, want) {
		t.Errorf("no notice %q in:\n%s", want, got)
	}
	if strings.Contains(got, "message planted_adult ") {
		t.Errorf("a notice for a text that says it:\n%s", got)
	}
}
