package conversation

import (
	"testing"
	"time"
	_ "time/tzdata" // the days are Västerås days even where the system has no zoneinfo
)

func TestDayIsAVästeråsDay(t *testing.T) {
	if stockholm == time.UTC {
		t.Fatal("Europe/Stockholm did not load: days would be UTC days")
	}
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 12, 31, 22, 59, 0, 0, time.UTC), "2025-12-31"},
		{time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), "2026-01-01"}, // CET, UTC+1
		{time.Date(2025, 6, 30, 21, 59, 0, 0, time.UTC), "2025-06-30"},
		{time.Date(2025, 6, 30, 22, 0, 0, 0, time.UTC), "2025-07-01"}, // CEST, UTC+2
		{time.Date(2025, 3, 10, 12, 0, 0, 0, time.FixedZone("x", -8*3600)), "2025-03-10"},
	}
	for _, tt := range tests {
		if got := Day(tt.t); got != tt.want {
			t.Errorf("Day(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}
