package app_test

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
)

// Phone numbers residents may be given: exactly those in /work/shared/facts.md (the ONLY
// facts resident text may state), written as facts.md writes them. A number that is not
// here is invented, or written in a way a resident cannot match with facts.md.
var factsNumbers = []string{
	"112",           // emergency (SOS Alarm)
	"114 14",        // Polisen, not urgent
	"021-41 32 60",  // Brottsofferjouren Västerås, adults
	"010-567 63 25", // Brottsofferjouren Västerås, under 20
	"116 006",       // Brottsofferjouren Sverige, national support line
	"116 111",       // BRIS, under 18
	"020-50 50 50",  // Kvinnofridslinjen
	"90101",         // Mind Självmordslinjen
	"1177",          // health care advice
	"021-39 00 00",  // Västerås stad kontaktcenter (facts.md: verify before use)
	"020-22 22 33",  // Äldrelinjen (Mind), over 65 (facts.md: hours not verified, never stated)
	"020-57 70 70",  // Rätt att välja, honour-related violence (facts.md: pilot)
	"07-21", "7-21", // Rätt att välja's hours, every day (facts.md: pilot)
	"020-80 80 80", // Stödlinjen för män, 18 and older (facts.md: pilot, verify)
}

// Other figures texts may give: the menus' choices (1-7) and the ages and years of facts.md
// (under 18 for BRIS and volunteers, 15 criminal responsibility, a 19-year-old is youth,
// 20 and older is adult, compensation within 3 years or until the 21st birthday, ombud
// trained 3 times a year, a bank's 24-hour line, Äldrelinjen over 65).
var otherFigures = map[string]bool{
	"1": true, "2": true, "3": true, "4": true, "5": true, "6": true, "7": true,
	"15": true, "18": true, "19": true, "20": true, "21": true,
	"24": true, "65": true, // a bank's 24-hour blocking line; Äldrelinjen is for people over 65
}

// numberAt matches an allowed phone number at the start of a text, not followed by
// another digit.
var numberAt = func() *regexp.Regexp {
	alts := make([]string, len(factsNumbers))
	copy(alts, factsNumbers)
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) }) // longest first
	for i, n := range alts {
		alts[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`^(` + strings.Join(alts, "|") + `)(?:[^0-9]|$)`)
}()

// digits matches a run of digits, and phoneLike one written like a phone number.
var (
	digits    = regexp.MustCompile(`^[0-9]+`)
	phoneLike = regexp.MustCompile(`^[0-9]+(?:[ -][0-9]+)*`)
)

// inventedNumbers returns the numbers in text that are neither a number of facts.md nor
// one of the other figures. Allowed phone numbers are taken whole first, so "under 20
// 010-567 63 25" is the figure 20 and a Brottsofferjouren number.
func inventedNumbers(text string) []string {
	var bad []string
	for i := 0; i < len(text); {
		if text[i] < '0' || text[i] > '9' || (i > 0 && text[i-1] >= '0' && text[i-1] <= '9') {
			i++
			continue
		}
		rest := text[i:]
		if m := numberAt.FindStringSubmatch(rest); m != nil {
			i += len(m[1])
			continue
		}
		d := digits.FindString(rest)
		if otherFigures[d] {
			i += len(d)
			continue
		}
		bad = append(bad, phoneLike.FindString(rest))
		i += len(phoneLike.FindString(rest))
	}
	return bad
}

func TestInventedNumbers(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Ring 112.", nil},
		{"Ring 112, 114 14 eller 1177.", nil},
		{"under 20 010-567 63 25, 20 or older 021-41 32 60", nil},
		{"Ring 021-41 32 61.", []string{"021-41 32 61"}},
		{"Ring 114 15.", []string{"114 15"}},
		{"Ring 11414.", []string{"11414"}},
		{"Ring 1122.", []string{"1122"}},
		{"Ring 08-123 45 67.", []string{"08-123 45 67"}},
		{"Ring 116 0066.", []string{"116 0066"}},
		{"Open 09-19.", []string{"09-19"}},
		{"Call 112 or 116 007", []string{"116 007"}},
		{"Support for 25 years", []string{"25"}},
		{"1 Stöd\n2 Anmäla\n6 Prata", nil},
	}
	for _, tt := range tests {
		got := inventedNumbers(tt.text)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("inventedNumbers(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func newApp(t *testing.T, pairs ...string) *app.App {
	t.Helper()
	vars := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, nil, app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestNoInventedNumbers: every text a resident can read, in every language, and the
// replies the engine puts together itself, give only numbers of facts.md.
func TestNoInventedNumbers(t *testing.T) {
	a := newApp(t)
	cat := a.Flows.Catalog
	texts := map[string]string{}
	for _, lang := range cat.Langs() {
		// As this trygg says them: without staff hours (no Slack), which are not phone
		// numbers anyway (flows/lines.yaml and `flows check` hold every text to the registry).
		data, err := cat.TextData(lang, app.TextConfig(a.Config))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range cat.IDs() {
			s, _ := cat.Render(lang, id, data)
			texts[lang+"/"+id] = s
		}
		texts[lang+"/Safe()"] = a.Engine.Safe(lang).Text
	}
	other := a.Engine.Turn(bot.State{}, bot.Message{Text: "سڵاو، یارمەتیم پێویستە"}, time.Now())
	texts["other language"] = other.Text()
	if len(texts) < 3*30 {
		t.Fatalf("only %d texts: the catalog did not load", len(texts))
	}
	for where, s := range texts {
		if bad := inventedNumbers(s); len(bad) > 0 {
			t.Errorf("%s gives %q, not in facts.md: %q", where, bad, s)
		}
	}
}

// TestSafetyReplies: the replies trygg gives when it cannot run a conversation carry 112
// first, both Brottsofferjouren numbers and 116 006.
func TestSafetyReplies(t *testing.T) {
	a := newApp(t)
	replies := map[string]string{}
	for _, lang := range a.Engine.Langs() {
		replies["safe "+lang] = a.Engine.Safe(lang).Text
	}
	for _, text := range []string{"سڵاو، یارمەتیم پێویستە", "Привет, меня ограбили", "你好，我被抢了"} {
		res := a.Engine.Turn(bot.State{}, bot.Message{Text: text}, time.Now())
		if !res.HasEvent(bot.EventOtherLanguage) {
			t.Errorf("%q was not taken for a language trygg does not speak: %+v", text, res.Events)
		}
		replies["other language "+text] = res.Text()
	}
	for name, s := range replies {
		i112 := strings.Index(s, "112")
		for _, n := range []string{"021-41 32 60", "010-567 63 25", "116 006"} {
			if i := strings.Index(s, n); i < 0 || i112 < 0 || i < i112 {
				t.Errorf("%s: %s missing, or before 112: %q", name, n, s)
			}
		}
	}
	if len(replies) != len(a.Engine.Langs())+3 {
		t.Errorf("%d safety replies, want one per language and 3 other-language messages", len(replies))
	}
}

func TestNewBuildsAWorkingApp(t *testing.T) {
	a := newApp(t)
	if a.Stats == nil {
		t.Error("the memory store's statistics are not used")
	}
	o := a.Service.Handle(context.Background(), conversation.Inbound{Scope: a.Hasher.Of("sms", "+46701234567"), Text: "Jag är 16 och blev rånad"})
	if o.Degraded || !strings.Contains(bot.Result{Replies: o.Replies}.Text(), "010-567 63 25") {
		t.Errorf("Degraded %v (%v), replies %+v", o.Degraded, o.Err, o.Replies)
	}
	if err := a.Store.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestNewUsesTheGivenStore(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	mem := store.NewMemory(nil)
	a, err := app.New(context.Background(), cfg, nil, app.Options{Store: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Service.Handle(context.Background(), conversation.Inbound{Scope: "scope", Text: "hej"})
	if c, _ := mem.Load(context.Background(), "scope"); c.Version != 1 {
		t.Errorf("the turn was not saved in the given store: %+v", c)
	}
}

// TestNewRefusesFlowsWithProblems: trygg does not run conversations it cannot vouch for.
func TestNewRefusesFlowsWithProblems(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"main.yaml", "places.yaml", "lines.yaml", "lexicon/sv.yaml", "lexicon/en.yaml", "lexicon/fi.yaml"} {
		b, err := fs.ReadFile(flows.Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "main.yaml" {
			b = []byte(strings.Replace(string(b), "fallback: not_understood", "fallback: nowhere", 1))
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(func(k string) string {
		if k == "TRYGG_FLOWS_DIR" {
			return dir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.New(context.Background(), cfg, nil, app.Options{})
	if err == nil || !strings.Contains(err.Error(), `fallback: unknown node "nowhere"`) || !strings.Contains(err.Error(), dir) {
		t.Errorf("app.New = %v; want the problem with its file", err)
	}
}

// TestRunFlushesStatisticsBeforeItReturns: what was counted before shutdown is in the
// store's statistics when Run returns, so the binary can close the store and exit.
func TestRunFlushesStatisticsBeforeItReturns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	a := newApp(t, "TRYGG_ADDR="+addr, "TRYGG_METRICS_ADDR=127.0.0.1:0")
	a.Service.Handle(context.Background(), conversation.Inbound{Scope: "scope", Text: "hej"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // polling the server, with the deadline above
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The day the turn was counted on, or the next if midnight passed meanwhile.
	from := conversation.Day(time.Now().Add(-time.Minute))
	to := conversation.Day(time.Now())
	got, err := a.Stats.Counts(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if got["messages"] != 1 {
		t.Errorf("statistics after Run returned: %v, want messages 1", got)
	}
}
