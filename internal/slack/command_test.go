package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// count adds counters on a day.
func count(t *testing.T, h *harness, day string, counts map[string]int64) {
	t.Helper()
	for name, n := range counts {
		if err := h.store.Count(context.Background(), day, name, n); err != nil {
			t.Fatal(err)
		}
	}
}

// seedStats writes counters as internal/conversation would: today (16 November), three
// days ago, and twenty days ago.
func seedStats(t *testing.T, h *harness) {
	count(t, h, "2026-11-16", map[string]int64{
		"conversations": 3, "messages": 7, "lang:sv": 2, "lang:fi": 1,
		"route:boj_youth": 1, "route:police": 2, "danger": 1, "erase": 1,
		"unsafe_place": 1, "not_understood": 2, "route:nattvandring": 1,
	})
	count(t, h, "2026-11-13", map[string]int64{
		"conversations": 1, "messages": 1, "lang:en": 1, "route:boj_adult": 1,
		"sms_segments": 1234, "sms_status:failed": 1, "handoff_requested": 1,
	})
	count(t, h, "2026-10-27", map[string]int64{
		"conversations": 5, "messages": 12, "lang:sv": 5, "route:grannsamverkan": 2,
		"route:volunteers": 1, "turn_failed": 1, "lang:ar": 1,
	})
	count(t, h, "2026-11-17", map[string]int64{"conversations": 100}) // tomorrow: never shown
}

func TestStatistics(t *testing.T) {
	h := newHarness(t, nil)
	seedStats(t, h)
	rows := []struct {
		text      string
		want, not []string
	}{
		{"statistik idag", []string{"*3 samtal*, 7 meddelanden", "2026-11-16, svensk tid", "112 visat: 1", "Brottsofferjouren för unga under 20: 1", "Polisen (anmälan): 2", "Raderingar: 1", "Otrygga platser: 1", "hänvisning: nattvandring: 1", "svenska: 2", "finska: 1", "SMS-delar skickade: –", "Ej levererade: –"}, []string{"103"}},
		{"statistik i dag", []string{"*3 samtal*, 7 meddelanden"}, nil},
		{"statistik", []string{"de senaste 7 dagarna", "2026-11-10 till 2026-11-16", "*4 samtal*, 8 meddelanden", "engelska: 1", "SMS-delar skickade: 1 234", "Ej levererade: 1", "Bad om en person: 1"}, nil},
		{"statistik vecka", []string{"*4 samtal*"}, nil},
		{"stats week", []string{"*4 samtal*"}, nil},
		{"statistik månad", []string{"de senaste 30 dagarna", "2026-10-18 till 2026-11-16", "*9 samtal*, 20 meddelanden", "Grannsamverkan: 2", "Polisens volontärer: 1", "Säkerhetssvar vid fel: 1", "ar: 1"}, nil},
		{"statistik manad", []string{"*9 samtal*"}, nil},
	}
	for _, row := range rows {
		t.Run(row.text, func(t *testing.T) {
			w := h.command(t, row.text)
			assertClean(t, w.Body.Bytes())
			r := decodeResponse(t, w.Body.Bytes())
			if r.ResponseType != slackapi.ResponseTypeEphemeral {
				t.Errorf("response_type = %q", r.ResponseType)
			}
			text := renderText(r.Blocks.BlockSet)
			for _, want := range row.want {
				if !strings.Contains(text, want) {
					t.Errorf("lacks %q:\n%s", want, text)
				}
			}
			for _, not := range row.not {
				if strings.Contains(text, not) {
					t.Errorf("has %q:\n%s", not, text)
				}
			}
			for _, b := range r.Blocks.BlockSet {
				if s, ok := b.(*slackapi.SectionBlock); ok && len(s.Fields) > maxFields {
					t.Errorf("a section has %d fields; Slack takes %d", len(s.Fields), maxFields)
				}
			}
		})
	}
	golden(t, "stats_week.golden", renderText(decodeResponse(t, h.command(t, "statistik vecka").Body.Bytes()).Blocks.BlockSet))
}

func TestStatisticsPlurals(t *testing.T) {
	h := newHarness(t, nil)
	count(t, h, "2026-11-16", map[string]int64{"conversations": 1, "messages": 1})
	text := renderText(decodeResponse(t, h.command(t, "statistik idag").Body.Bytes()).Blocks.BlockSet)
	if !strings.Contains(text, "*1 samtal*, 1 meddelande") {
		t.Errorf("singular:\n%s", text)
	}
	count(t, h, "2026-11-16", map[string]int64{"messages": 1})
	text = renderText(decodeResponse(t, h.command(t, "statistik idag").Body.Bytes()).Blocks.BlockSet)
	if !strings.Contains(text, "*1 samtal*, 2 meddelanden") {
		t.Errorf("plural:\n%s", text)
	}
}

func TestStatisticsEmptyPublicAndBroken(t *testing.T) {
	t.Run("nothing counted yet", func(t *testing.T) {
		h := newHarness(t, nil)
		text := renderText(decodeResponse(t, h.command(t, "statistik").Body.Bytes()).Blocks.BlockSet)
		for _, want := range []string{"*0 samtal*, 0 meddelanden", "112 visat: 0", "SMS-delar skickade: –"} {
			if !strings.Contains(text, want) {
				t.Errorf("lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("--visa shows the channel", func(t *testing.T) {
		h := newHarness(t, nil)
		if r := decodeResponse(t, h.command(t, "statistik --visa idag").Body.Bytes()); r.ResponseType != slackapi.ResponseTypeInChannel {
			t.Errorf("response_type = %q, want in_channel", r.ResponseType)
		}
	})
	for _, row := range []struct {
		name string
		edit func(*Config)
		text string
		want string
	}{
		{"unknown period", nil, "statistik år", "Perioden _år_ finns inte"},
		{"unknown period with a phone number", nil, "statistik +46701234567", "Perioden _[telefonnummer dolt]_ finns inte"},
		{"store down", func(c *Config) { c.Stats = failingStats{} }, "statistik", "går inte att läsa just nu"},
		{"no statistics kept", func(c *Config) { c.Stats = nil }, "statistik", "för ingen statistik"},
	} {
		t.Run(row.name, func(t *testing.T) {
			h := newHarness(t, row.edit)
			w := h.command(t, row.text)
			assertClean(t, w.Body.Bytes())
			if text := renderText(decodeResponse(t, w.Body.Bytes()).Blocks.BlockSet); !strings.Contains(text, row.want) {
				t.Errorf("lacks %q:\n%s", row.want, text)
			}
		})
	}
}

func TestHelpAndUnknownCommands(t *testing.T) {
	h := newHarness(t, nil)
	for _, row := range []struct{ text, unknown string }{
		{"", ""}, {"hjälp", ""}, {"HJÄLP", ""}, {"help", ""}, {"hjalp", ""},
		{"nonsens", "_nonsens_"}, {"<b>", "_&lt;b&gt;_"}, {"0701234567", "[telefonnummer dolt]"},
	} {
		w := h.command(t, row.text)
		assertClean(t, w.Body.Bytes())
		r := decodeResponse(t, w.Body.Bytes())
		text := renderText(r.Blocks.BlockSet)
		for _, want := range []string{"trygg för personal\n==", "/trygg fråga <text>", "/trygg statistik [idag|vecka|månad]", "/trygg hjälp", "@trygg <text>"} {
			if !strings.Contains(text, want) {
				t.Errorf("/trygg %s: help lacks %q:\n%s", row.text, want, text)
			}
		}
		if got := strings.Contains(text, "finns inte"); got != (row.unknown != "") {
			t.Errorf("/trygg %s: says unknown = %v:\n%s", row.text, got, text)
		}
		if row.unknown != "" && !strings.Contains(text, row.unknown) {
			t.Errorf("/trygg %s: does not name %s:\n%s", row.text, row.unknown, text)
		}
		if r.ResponseType != slackapi.ResponseTypeEphemeral {
			t.Errorf("/trygg %s: response_type %q", row.text, r.ResponseType)
		}
	}
}

// TestSlowCommandsAnswerThroughResponseURL: when the answer is not ready within the inline
// wait, Slack gets an empty 200 at once and the answer follows at the response_url.
func TestSlowCommandsAnswerThroughResponseURL(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *Config) {
		c.InlineWait = time.Millisecond
		c.Stats = slowStats{Stats: c.Stats, release: release}
	})
	seedStats(t, h)
	w := h.command(t, "statistik idag")
	if w.Body.Len() != 0 {
		t.Fatalf("a slow command answered inline: %q", w.Body)
	}
	close(release)
	body := h.hooks.next(t)
	assertClean(t, body)
	var msg slackapi.WebhookMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ResponseType != slackapi.ResponseTypeEphemeral || msg.Blocks == nil || len(msg.Blocks.BlockSet) == 0 {
		t.Fatalf("response_url got %s", body)
	}
	if text := renderText(msg.Blocks.BlockSet); !strings.Contains(text, "*3 samtal*") {
		t.Errorf("response_url got:\n%s", text)
	}
}

// TestStatisticsDaysAreSwedish: just after midnight in Västerås it is still yesterday in
// UTC; "idag" is the Swedish day, as internal/conversation buckets the counters.
func TestStatisticsDaysAreSwedish(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Now = func() time.Time { return time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC) } // 00:30 on 29 March, CET
	})
	count(t, h, "2026-03-29", map[string]int64{"conversations": 2})
	count(t, h, "2026-03-28", map[string]int64{"conversations": 40})
	text := renderText(decodeResponse(t, h.command(t, "statistik idag").Body.Bytes()).Blocks.BlockSet)
	if !strings.Contains(text, "2026-03-29, svensk tid") || !strings.Contains(text, "*2 samtal*") {
		t.Errorf("idag at 00:30 Swedish time:\n%s", text)
	}
	// The week across the change to summer time (29 March 2026) still has 7 days.
	text = renderText(decodeResponse(t, h.command(t, "statistik vecka").Body.Bytes()).Blocks.BlockSet)
	if !strings.Contains(text, "2026-03-23 till 2026-03-29") || !strings.Contains(text, "*42 samtal*") {
		t.Errorf("vecka:\n%s", text)
	}
}
