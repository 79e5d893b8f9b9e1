package app

import (
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/config"
)

// TextConfig is what residents' texts say of cfg: the staffed hours, who reads a handoff,
// how long place reports and conversations are kept.
func TextConfig(cfg config.Config) flows.TextConfig {
	tc := flows.TextConfig{
		HandoffReaders:   cfg.HandoffReaders,
		LagesbildKept:    cfg.LagesbildRetention,
		ConversationKept: cfg.ConversationTTL,
	}
	// Handoffs are offered only where staff can be reached and answer: otherwise no text
	// names hours.
	if HandoffPossible(cfg) {
		for _, o := range cfg.StaffedHours.Openings() {
			tc.Staffed = append(tc.Staffed, flows.Opening{Days: o.Days, Start: o.Start, End: o.End})
		}
	}
	return tc
}
