package lagesbild

import (
	"encoding/csv"
	"fmt"
	"io"
)

// CSVHeader is the header row of the export, in column order. The README documents each.
var CSVHeader = []string{"week", "date", "time_of_day", "weekday_or_weekend", "kind", "area", "area_name", "place", "place_name", "channel", "language"}

// Names give the human names of areas and places for the export.
type Names struct {
	Areas  map[string]string
	Places map[string]string
}

// WriteCSV writes events as CSV for import into EMBRACE: UTF-8, a header row, one row per
// report, what (kind), where (area, place) and when (date, time of day, weekday or weekend).
// Skipped fields are empty cells. Rows are sorted by date and time, so the same reports
// always give the same file.
func WriteCSV(w io.Writer, events []Event, names Names) error {
	sorted := append([]Event(nil), events...)
	sortEvents(sorted)
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, e := range sorted {
		row := []string{e.Week, e.Date, e.Time, e.Days, e.Kind, e.Area, names.Areas[e.Area], e.Place, names.Places[e.Place], e.Channel, e.Lang}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
