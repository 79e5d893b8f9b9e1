package slack

import (
	"testing"

	"github.com/vasteras/trygg/flows/events"
)

// TestEveryEventKindHasWords: staff see a preview's events in plain words, so every kind
// in flows/events has a text (referred is shown by its route, language by its language).
func TestEveryEventKindHasWords(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range events.All() {
		if s.Kind == events.Referred {
			continue
		}
		id := "staff_event_" + string(s.Kind)
		if got := tx.get(id, map[string]any{"Lang": "svenska"}); got == id {
			t.Errorf("no text %s for event kind %s", id, s.Kind)
		}
	}
}
