package web

import (
	"fmt"
	"testing"
)

// TestParts: phone numbers are cut out of replies with their tel: links.
func TestParts(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"Ring 112.", `[{Ring  } {112 tel:112} {. }]`},
		{"Under 20: 010-567 63 25, annars 021-41 32 60.", `[{Under 20:  } {010-567 63 25 tel:+46105676325} {, annars  } {021-41 32 60 tel:+4621413260} {. }]`},
		{"BRIS 116 111, BOJ 116 006, polisen 114 14, Mind 90101, KFL 020-50 50 50", `[{BRIS  } {116 111 tel:116111} {, BOJ  } {116 006 tel:116006} {, polisen  } {114 14 tel:11414} {, Mind  } {90101 tel:90101} {, KFL  } {020-50 50 50 tel:+4620505050}]`},
		{"11200 och 2112 och 1121 är inga nummer", `[{11200 och 2112 och 1121 är inga nummer }]`},
		{"", `[{ }]`},
	}
	for _, tt := range tests {
		got := fmt.Sprint(parts(tt.text))
		if got != tt.want {
			t.Errorf("parts(%q) =\n%s\nwant\n%s", tt.text, got, tt.want)
		}
	}
}
