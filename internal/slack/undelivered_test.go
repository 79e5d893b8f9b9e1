package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/vasteras/trygg/internal/handoff"
)

// TestUndeliveredReasons checks what staff read in a case's thread when a message did not
// reach the resident now: the outbox's reason in words of its own (WhatsApp's window with
// and without a template, an opt-out, a later failure), the general text for a reason
// without one, and 112 wherever the resident may not have heard from staff.
func TestUndeliveredReasons(t *testing.T) {
	for _, row := range []struct {
		reason string
		want   []string
	}{
		{"", []string{"kunde inte skickas", "112"}},
		{handoff.UndeliveredWaiting, []string{"kunde inte skicka numren"}},
		{"window_template", []string{"24 timmar", "godkänd mall", "när hen svarar"}},
		{"window_asked", []string{"redan ombetts svara"}},
		{"window_closed", []string{"24 timmar", "TWILIO_WA_TEMPLATE_", "bara om hen skriver igen", "112"}},
		{"opted_out", []string{"blockerat", "112"}},
		{"failed", []string{"inte kom fram", "112"}},
		{"made_up", []string{"kunde inte skickas", "112"}},
	} {
		t.Run(row.reason, func(t *testing.T) {
			h, _ := deskHarness(t, testTeam)
			if err := h.bot.PostNote(context.Background(), testChannel, testCardTS, handoff.Note{Kind: handoff.NoteUndelivered, Reason: row.reason}); err != nil {
				t.Fatal(err)
			}
			posts := h.api.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts", len(posts))
			}
			text := posts[0].Text + string(posts[0].Blocks)
			for _, w := range row.want {
				if !strings.Contains(text, w) {
					t.Errorf("the note lacks %q: %s", w, text)
				}
			}
			if strings.Contains(text, "staff_handoff_") {
				t.Errorf("a message id reached staff: %s", text)
			}
		})
	}
}
