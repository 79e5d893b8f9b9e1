package slack

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/lagesbild"
)

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// testNames are the names of flows/places.yaml for the areas and places the tests use.
var testNames = lagesbild.Names{
	Areas: map[string]string{"backby": "Bäckby", "centrum": "Centrum", "vallby": "Vallby", "raby": "Råby",
		"skallberget": "Skallberget", "erikslund": "Erikslund"},
	Places: map[string]string{"backby": "Bäckby", "resecentrum": "Resecentrum", "stora_torget": "Stora torget",
		"vallby": "Vallby", "raby": "Råby", "skallberget": "Skallberget", "erikslund": "Erikslund"},
}

// report is a stored report on date.
func report(date, area, place, kind, tod, days string) lagesbild.Event {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return lagesbild.Event{Week: lagesbild.Week(d), Date: date, Area: area, Place: place, Kind: kind, Time: tod, Days: days, Lang: "sv", Channel: "sms"}
}

// realisticWeeks are the reports of week 46 (9-15 November 2026, the week before the
// harness's Monday) and week 45: a busy Bäckby and Resecentrum, a few areas with one or
// two reports, two reports without a place.
func realisticWeeks() []lagesbild.Event {
	var ev []lagesbild.Event
	add := func(n int, e lagesbild.Event) {
		for range n {
			ev = append(ev, e)
		}
	}
	// Week 46: 21 reports.
	add(3, report("2026-11-10", "backby", "backby", "drugs", "evening", "weekday"))
	add(2, report("2026-11-14", "backby", "backby", "gathering", "evening", "weekend"))
	add(1, report("2026-11-12", "backby", "backby", "dark", "night", ""))
	add(2, report("2026-11-11", "centrum", "resecentrum", "drugs", "night", "weekday"))
	add(1, report("2026-11-13", "centrum", "resecentrum", "harassment", "evening", "weekday"))
	add(1, report("2026-11-15", "centrum", "resecentrum", "violence", "night", "weekend"))
	add(1, report("2026-11-15", "centrum", "stora_torget", "vandalism", "night", "weekend"))
	add(1, report("2026-11-09", "vallby", "vallby", "dark", "evening", "weekday"))
	add(1, report("2026-11-10", "raby", "raby", "harassment", "day", "weekday"))
	add(1, report("2026-11-12", "raby", "raby", "vandalism", "evening", ""))
	add(2, report("2026-11-14", "skallberget", "skallberget", "gathering", "evening", "weekend"))
	add(1, report("2026-11-11", "skallberget", "skallberget", "drugs", "night", "weekday"))
	add(2, report("2026-11-13", "erikslund", "erikslund", "vandalism", "night", "weekday"))
	add(1, report("2026-11-09", "", "", "other", "morning", "weekday"))
	add(1, report("2026-11-15", "", "", "", "", "weekend"))
	// Week 45: 16 reports.
	add(4, report("2026-11-03", "backby", "backby", "drugs", "evening", "weekday"))
	add(6, report("2026-11-05", "centrum", "resecentrum", "violence", "night", "weekday"))
	add(1, report("2026-11-07", "skallberget", "skallberget", "gathering", "evening", "weekend"))
	add(2, report("2026-11-04", "vallby", "vallby", "dark", "evening", "weekday"))
	add(3, report("2026-11-06", "raby", "raby", "harassment", "day", "weekday"))
	return ev
}

// newLagesbildHarness is the harness with the reports of realisticWeeks in its lägesbild.
func newLagesbildHarness(t *testing.T, edit func(*Config)) (*harness, *lagesbild.Memory) {
	t.Helper()
	mem := lagesbild.NewMemory(0, func() time.Time { return testNow })
	for _, e := range realisticWeeks() {
		if err := mem.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, func(c *Config) {
		c.Lagesbild = mem
		c.Names = testNames
		if edit != nil {
			edit(c)
		}
	})
	return h, mem
}

// fieldValues returns the values of the mrkdwn fields "*name*\nvalue" of blocks, by name,
// unescaped as Slack shows them.
func fieldValues(blocks []slackapi.Block) map[string][]string {
	out := map[string][]string{}
	for _, b := range blocks {
		s, ok := b.(*slackapi.SectionBlock)
		if !ok {
			continue
		}
		for _, f := range s.Fields {
			name, value, _ := strings.Cut(unescape(f.Text), "\n")
			name = strings.Trim(name, "*")
			out[name] = append(out[name], value)
		}
	}
	return out
}

func TestLagesbildCommandHidesSmallNumbersAndUploadsTheChart(t *testing.T) {
	h, _ := newLagesbildHarness(t, nil)
	w := h.command(t, "lägesbild förra")
	body := w.Body.Bytes()
	assertClean(t, body)
	r := decodeResponse(t, body)
	if r.ResponseType != slackapi.ResponseTypeEphemeral {
		t.Errorf("response_type = %q, want ephemeral", r.ResponseType)
	}
	values := fieldValues(r.Blocks.BlockSet)
	// Areas and places with 1 or 2 reports: "<3", never the number, never a change.
	for _, name := range []string{"Vallby", "Råby", "Erikslund", "Område inte angivet", "Stora torget"} {
		if len(values[name]) == 0 && name != "Stora torget" { // not among the 5 busiest places
			t.Errorf("%s is not shown", name)
		}
		for _, v := range values[name] {
			if v != "<3" {
				t.Errorf("%s shows %q, want <3", name, v)
			}
		}
	}
	for name, want := range map[string]string{
		"Bäckby":      "6 (+2)", // area and place, 4 the week before
		"Centrum":     "5 (-1)",
		"Resecentrum": "4 (-2)",
		"Skallberget": "3", // the week before had 1: no change shown
	} {
		for _, v := range values[name] {
			if v != want {
				t.Errorf("%s shows %q, want %q", name, v, want)
			}
		}
	}
	for name, want := range map[string]string{
		"Droger eller langning":      "6 (+2)",
		"Grupper som känns hotfulla": "4 (+3)",
		"Kväll (17–22)":              "10 (+3)",
		"Natt (22–06)":               "8 (+2)",
		"Morgon (06–10)":             "1 (+1)",
		"Helger":                     "7 (+6)",
		"Dag (10–17)":                "1 (-2)",
	} {
		if got := values[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s shows %v, want %q", name, got, want)
		}
	}
	text := renderShown(r.Blocks.BlockSet)
	for _, want := range []string{"Lägesbild vecka 46, 2026", "2026-W46: 2026-11-09 till 2026-11-15", "*21 rapporter* om otrygga platser. Vecka 45: 16 (+5).", "Diagrammet är uppladdat i kanalen", "/trygg export 2026-W46"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	// No small number hides anywhere else either: no "Vallby" next to a 1 or a 2.
	if m := regexp.MustCompile(`(Vallby|Råby|Erikslund|Stora torget)\*?\s*:?\s*\n?[12]\b`).FindString(text); m != "" {
		t.Errorf("a small number is shown: %q", m)
	}
	golden(t, "lagesbild_week.golden", text)

	ups := h.api.Uploads()
	if len(ups) != 1 {
		t.Fatalf("%d uploads, want the chart", len(ups))
	}
	up := ups[0]
	if up.Filename != "lagesbild-2026-W46.png" || up.Channel != testChannel || up.Title != "Lägesbild vecka 46, 2026" {
		t.Errorf("upload %s to %s titled %q", up.Filename, up.Channel, up.Title)
	}
	if !bytes.HasPrefix(up.Data, pngMagic) {
		t.Fatalf("the chart is not a PNG: % x", up.Data[:min(8, len(up.Data))])
	}
	img, err := png.Decode(bytes.NewReader(up.Data))
	if err != nil {
		t.Fatalf("the chart does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Errorf("the chart is %dx%d", b.Dx(), b.Dy())
	}
	if !strings.Contains(up.AltText, "vecka 46") || !strings.Contains(up.InitialComment, "<@"+testStaff+">") {
		t.Errorf("alt text %q, comment %q", up.AltText, up.InitialComment)
	}
	assertClean(t, []byte(up.InitialComment+up.AltText+up.Title))
	if path := os.Getenv("TRYGG_CHART_OUT"); path != "" {
		if err := os.WriteFile(path, up.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.api.Posts()); n != 0 {
		t.Errorf("%d messages posted; the summary is for the asker", n)
	}
}

// TestLagesbildChartDrawsNoSmallCount checks the bars: areas under 3 are merged into one
// bar, and that bar is left out when it would itself be under 3.
func TestLagesbildChartDrawsNoSmallCount(t *testing.T) {
	h, mem := newLagesbildHarness(t, nil)
	events, _ := mem.Week(context.Background(), "2026-W46")
	prev, _ := mem.Week(context.Background(), "2026-W45")
	areas, times := h.bot.chartBars(lagesbild.Summarize("2026-W46", events, prev))
	want := []lagesbild.Bar{bar("Bäckby", 6), bar("Centrum", 5), bar("Skallberget", 3), bar("Övriga områden (<3 vardera)", 7)}
	if !equalBars(areas, want) {
		t.Errorf("area bars %v, want %v", areas, want)
	}
	wantTimes := []lagesbild.Bar{bar("Morgon (06–10)", 1), bar("Dag (10–17)", 1), bar("Kväll (17–22)", 10), bar("Natt (22–06)", 8), bar("Inte angivet", 1)}
	if !equalBars(times, wantTimes) {
		t.Errorf("time bars %v, want %v", times, wantTimes)
	}

	// One area with 1 report and one with 2 beside Bäckby: the merged bar would be 3.
	// With a single small area of 2, it would be 2: it is not drawn.
	few := []lagesbild.Event{
		report("2026-11-10", "backby", "backby", "drugs", "evening", ""),
		report("2026-11-10", "backby", "backby", "drugs", "evening", ""),
		report("2026-11-10", "backby", "backby", "drugs", "evening", ""),
		report("2026-11-11", "vallby", "vallby", "dark", "night", ""),
		report("2026-11-11", "vallby", "vallby", "dark", "night", ""),
	}
	areas, _ = h.bot.chartBars(lagesbild.Summarize("2026-W46", few, nil))
	if want := []lagesbild.Bar{bar("Bäckby", 3)}; !equalBars(areas, want) {
		t.Errorf("area bars %v, want %v (no bar of 2)", areas, want)
	}
}

// renderShown renders blocks with renderText as Slack shows them: mrkdwn's &lt; &gt; &amp;
// as the characters.
func renderShown(blocks []slackapi.Block) string {
	shown := func(t *slackapi.TextBlockObject) *slackapi.TextBlockObject {
		if t == nil || t.Type != slackapi.MarkdownType {
			return t
		}
		c := *t
		c.Text = unescape(t.Text)
		return &c
	}
	var out []slackapi.Block
	for _, b := range blocks {
		switch x := b.(type) {
		case *slackapi.SectionBlock:
			c := *x
			c.Text = shown(x.Text)
			c.Fields = nil
			for _, f := range x.Fields {
				c.Fields = append(c.Fields, shown(f))
			}
			out = append(out, &c)
		case *slackapi.ContextBlock:
			c := *x
			c.ContextElements.Elements = nil
			for _, el := range x.ContextElements.Elements {
				if t, ok := el.(*slackapi.TextBlockObject); ok {
					el = shown(t)
				}
				c.ContextElements.Elements = append(c.ContextElements.Elements, el)
			}
			out = append(out, &c)
		default:
			out = append(out, b)
		}
	}
	return renderText(out)
}

func bar(label string, n int) lagesbild.Bar { return lagesbild.Bar{Label: label, N: n} }

func equalBars(a, b []lagesbild.Bar) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPickWeek reads the weeks staff write, on Monday 16 November 2026 (week 47).
func TestPickWeek(t *testing.T) {
	h := newHarness(t, nil)
	for _, row := range []struct {
		arg, week string
		partial   bool
		last      bool   // lastByDefault: /trygg export
		problem   string // part of the refusal
	}{
		{arg: "", week: "2026-W47", partial: true},
		{arg: "", last: true, week: "2026-W46"},
		{arg: "46", week: "2026-W46"},
		{arg: "v46", week: "2026-W46"},
		{arg: "v. 46", week: "2026-W46"},
		{arg: "vecka 46", week: "2026-W46"},
		{arg: "week 46", week: "2026-W46"},
		{arg: "2026-W46", week: "2026-W46"},
		{arg: "2026-w46", week: "2026-W46"},
		{arg: "2026W46", week: "2026-W46"},
		{arg: "2026-W1", week: "2026-W01"},
		{arg: "FÖRRA", week: "2026-W46"},
		{arg: "forra veckan", week: "2026-W46"},
		{arg: "last", week: "2026-W46"},
		{arg: "denna", week: "2026-W47", partial: true},
		{arg: "47", last: true, week: "2026-W47", partial: true},
		{arg: "2025-W52", week: "2025-W52"},
		{arg: "2020-W53", week: "2020-W53"},
		{arg: "48", problem: "Vecka 48, 2026 har inte börjat än."},
		{arg: "2026-W53", problem: "Vecka 53, 2026 har inte börjat än."},
		{arg: "2027-W01", problem: "Vecka 1, 2027 har inte börjat än."},
		{arg: "2025-W53", problem: "Veckan _2025-W53_ förstår jag inte"},
		{arg: "0", problem: "Veckan _0_ förstår jag inte"},
		{arg: "54", problem: "Veckan _54_ förstår jag inte"},
		{arg: "46 47", problem: "Veckan _46 47_ förstår jag inte"},
		{arg: "banan 0701234567", problem: "Veckan _banan [telefonnummer dolt]_ förstår jag inte"},
		{arg: "<@U123> &", problem: "Veckan _&lt;@U123&gt; &amp;_ förstår jag inte"},
	} {
		t.Run(row.arg, func(t *testing.T) {
			req, problem := h.bot.pickWeek(row.arg, testNow, row.last)
			if row.problem != "" {
				if problem == nil {
					t.Fatalf("%q gave %+v, want a refusal", row.arg, req)
				}
				text := renderText(problem.blocks)
				assertClean(t, []byte(text))
				if !strings.Contains(text, row.problem) {
					t.Errorf("refusal %q, want %q", text, row.problem)
				}
				return
			}
			if problem != nil {
				t.Fatalf("%q refused: %s", row.arg, renderText(problem.blocks))
			}
			if req.Week != row.week || req.Partial != row.partial {
				t.Errorf("%q = %+v, want %s partial=%v", row.arg, req, row.week, row.partial)
			}
		})
	}
}

func TestLagesbildCommandRows(t *testing.T) {
	h, _ := newLagesbildHarness(t, nil)
	rows := []struct {
		text string
		want []string
	}{
		{"lägesbild", []string{"Lägesbild vecka 47, 2026", "Veckan hittills: 2026-11-16 till 2026-11-16 10.00", "jämförelsen är mot hela vecka 46", "Inga rapporter om otrygga platser vecka 47. Vecka 46: 21 rapporter.", "Inget diagram"}},
		{"LAGESBILD 2026-w45 --visa", []string{"Lägesbild vecka 45, 2026", "*16 rapporter*", "Vecka 44: 0 (+16)", "Centrum: 6", "Skallberget: <3"}},
		{"lägesbild 48", []string{"Vecka 48, 2026 har inte börjat än."}},
	}
	for _, row := range rows {
		t.Run(row.text, func(t *testing.T) {
			w := h.command(t, row.text)
			assertClean(t, w.Body.Bytes())
			r := decodeResponse(t, w.Body.Bytes())
			text := renderShown(r.Blocks.BlockSet)
			for _, want := range row.want {
				if !strings.Contains(text, want) {
					t.Errorf("lacks %q:\n%s", want, text)
				}
			}
			if public := r.ResponseType == slackapi.ResponseTypeInChannel; public != strings.Contains(row.text, "--visa") {
				t.Errorf("response_type %q", r.ResponseType)
			}
		})
	}
	if n := len(h.api.Uploads()); n != 1 {
		t.Errorf("%d charts uploaded, want 1 (week 45; week 47 has no reports)", n)
	}
}

func TestLagesbildWithoutTheChart(t *testing.T) {
	rows := []struct {
		name   string
		method string
		err    string
		want   string
	}{
		{"trygg is not in the channel", "files.completeUploadExternal", "not_in_channel", "trygg är inte med i kanalen. Bjud in @trygg"},
		{"a private channel trygg cannot see", "files.completeUploadExternal", "channel_not_found", "trygg är inte med i kanalen"},
		{"the app was installed without files:write", "files.getUploadURLExternal", "missing_scope", "trygg saknar behörigheten `files:write`"},
		{"Slack fails", "files.getUploadURLExternal", "internal_error", "Diagrammet kunde inte laddas upp (`internal_error`)"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			h, _ := newLagesbildHarness(t, nil)
			h.api.FailNext(row.method, row.err)
			w := h.command(t, "lägesbild förra")
			r := decodeResponse(t, w.Body.Bytes())
			text := renderShown(r.Blocks.BlockSet)
			if !strings.Contains(text, row.want) || !strings.Contains(text, "*21 rapporter*") {
				t.Errorf("want the summary and %q:\n%s", row.want, text)
			}
			if n := len(h.api.Uploads()); n != 0 {
				t.Errorf("%d uploads", n)
			}
		})
	}
	t.Run("no lägesbild store", func(t *testing.T) {
		h := newHarness(t, nil)
		for _, cmd := range []string{"lägesbild", "export"} {
			r := decodeResponse(t, h.command(t, cmd).Body.Bytes())
			if text := renderText(r.Blocks.BlockSet); !strings.Contains(text, "för ingen lägesbild") {
				t.Errorf("%s: %s", cmd, text)
			}
		}
	})
	t.Run("the store fails", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.Lagesbild = failingLagesbild{} })
		for _, cmd := range []string{"lägesbild", "export 46"} {
			r := decodeResponse(t, h.command(t, cmd).Body.Bytes())
			if text := renderText(r.Blocks.BlockSet); !strings.Contains(text, "går inte att läsa just nu") {
				t.Errorf("%s: %s", cmd, text)
			}
		}
	})
}

type failingLagesbild struct{ lagesbild.Store }

func (failingLagesbild) Week(context.Context, string) ([]lagesbild.Event, error) {
	return nil, context.DeadlineExceeded
}

func TestExportUploadsTheWeekAsCSV(t *testing.T) {
	h, mem := newLagesbildHarness(t, nil)
	w := h.command(t, "export")
	assertClean(t, w.Body.Bytes())
	r := decodeResponse(t, w.Body.Bytes())
	text := renderShown(r.Blocks.BlockSet)
	for _, want := range []string{"`lagesbild-2026-W46.csv` (21 rapporter) är uppladdad i kanalen", "Förra veckan, vecka 46", "`/trygg export 2026-W47`"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	ups := h.api.Uploads()
	if len(ups) != 1 {
		t.Fatalf("%d uploads, want 1", len(ups))
	}
	up := ups[0]
	if up.Filename != "lagesbild-2026-W46.csv" || up.Channel != testChannel || up.Title != "Lägesbild 2026-W46 för EMBRACE" {
		t.Errorf("upload %s to %s titled %q", up.Filename, up.Channel, up.Title)
	}
	rows, err := csv.NewReader(bytes.NewReader(up.Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "week,date,time_of_day,weekday_or_weekend,kind,area,area_name,place,place_name,channel,language" {
		t.Errorf("header row %q", got)
	}
	if len(rows) != 22 {
		t.Errorf("%d rows, want the header and 21 reports", len(rows))
	}
	events, _ := mem.Week(context.Background(), "2026-W46")
	var want bytes.Buffer
	if err := lagesbild.WriteCSV(&want, events, testNames); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(up.Data, want.Bytes()) {
		t.Error("the uploaded file is not the export of the week")
	}
	assertClean(t, up.Data)
	if !strings.Contains(up.InitialComment, "21 rapporter") {
		t.Errorf("comment %q", up.InitialComment)
	}

	t.Run("a named week, and an empty one", func(t *testing.T) {
		h.command(t, "export 2026-W44")
		ups := h.api.Uploads()
		if last := ups[len(ups)-1]; last.Filename != "lagesbild-2026-W44.csv" || strings.Count(string(last.Data), "\n") != 1 {
			t.Errorf("export of an empty week: %s %q", last.Filename, last.Data)
		}
	})
	t.Run("trygg is not in the channel", func(t *testing.T) {
		h.api.FailNext("files.completeUploadExternal", "not_in_channel")
		r := decodeResponse(t, h.command(t, "export förra").Body.Bytes())
		if text := renderText(r.Blocks.BlockSet); !strings.Contains(text, "Filen kunde inte laddas upp: trygg är inte med i kanalen") {
			t.Errorf("%s", text)
		}
	})
}

func TestHelpNamesTheLagesbild(t *testing.T) {
	h := newHarness(t, nil)
	r := decodeResponse(t, h.command(t, "hjälp").Body.Bytes())
	text := renderShown(r.Blocks.BlockSet)
	for _, want := range []string{"/trygg lägesbild [vecka]", "diagrammet laddas upp i kanalen, så alla i kanalen ser det", "/trygg export [vecka]", "Varje måndag kl. 08.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestWeeklyPostFlagsWebBurst: the Monday post shows web and SMS reports apart, and says
// so when the week's web reports jump past lagesbild.BurstFactor times the average of the
// weeks before (at least lagesbild.BurstMin of them), as a faked hotspot would.
func TestWeeklyPostFlagsWebBurst(t *testing.T) {
	rows := []struct {
		name               string
		before, now        int // web reports in each of the 4 weeks before, and in week 46
		sms                int // SMS reports in week 46
		burst              bool
		webShown, smsShown string
	}{
		{"200 web reports after a quiet month", 2, 200, 4, true, "200 (+198)", "4 (+4)"},
		{"a jump from nothing", 0, 10, 0, true, "10 (+10)", ""},
		{"too few to tell", 0, 9, 3, false, "9 (+9)", "3 (+3)"},
		{"a busy month goes on", 10, 30, 3, false, "30 (+20)", "3 (+3)"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			mem := lagesbild.NewMemory(0, func() time.Time { return testNow })
			add := func(n int, date, channel string) {
				e := report(date, "centrum", "resecentrum", "drugs", "night", "weekday")
				e.Channel = channel
				for range n {
					if err := mem.Add(context.Background(), e); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, date := range []string{"2026-10-13", "2026-10-20", "2026-10-27", "2026-11-03"} { // weeks 42-45
				add(row.before, date, "web")
			}
			add(row.now, "2026-11-11", "web")
			add(row.sms, "2026-11-11", "sms")
			h := newHarness(t, func(c *Config) { c.Lagesbild = mem; c.Names = testNames })
			if err := h.bot.PostLagesbild(context.Background(), testStaffChannel, "2026-W46"); err != nil {
				t.Fatal(err)
			}
			posts := h.api.Posts()
			if len(posts) == 0 {
				t.Fatal("nothing posted")
			}
			blocks := string(posts[0].Blocks)
			burst := strings.Contains(blocks, "gav "+strconv.Itoa(row.now)+" rapporter den här veckan")
			if burst != row.burst {
				t.Errorf("burst line shown = %v, want %v:\n%s", burst, row.burst, blocks)
			}
			if !strings.Contains(blocks, `*Webbchatten*\n`+row.webShown) {
				t.Errorf("web reports not shown as %q:\n%s", row.webShown, blocks)
			}
			if row.smsShown != "" && !strings.Contains(blocks, `*SMS*\n`+row.smsShown) {
				t.Errorf("SMS reports not shown as %q:\n%s", row.smsShown, blocks)
			}
		})
	}
}
