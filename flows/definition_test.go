package flows_test

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/flows"
)

func TestParseCondition(t *testing.T) {
	tests := []struct {
		in      string
		want    flows.Condition
		str     string // String(), when it differs from in
		wantErr string // part of the error; "" for none
	}{
		{in: "", want: flows.Condition{}},
		{in: "   ", want: flows.Condition{}, str: ""},
		{in: "age < 20", want: flows.Condition{Subject: "age", Op: "<", N: 20}},
		{in: "age >= 20", want: flows.Condition{Subject: "age", Op: ">=", N: 20}},
		{in: "  age   <  18 ", want: flows.Condition{Subject: "age", Op: "<", N: 18}, str: "age < 18"},
		{in: "age < 1", want: flows.Condition{Subject: "age", Op: "<", N: 1}},
		{in: "age >= 120", want: flows.Condition{Subject: "age", Op: ">=", N: 120}},
		{in: "age unknown", want: flows.Condition{Subject: "age", Op: "unknown"}},
		{in: "asked ask_age", want: flows.Condition{Subject: "asked", Name: "ask_age"}},
		{in: "topic support", want: flows.Condition{Subject: "topic", Name: "support"}},
		{in: "staffed", want: flows.Condition{Subject: "staffed"}},
		{in: "invite valid", want: flows.Condition{Subject: "invite"}},
		{in: "invite held", want: flows.Condition{Subject: "invite", Name: "held"}},
		{in: "invite kept", wantErr: "write one of"},
		{in: "sex f", want: flows.Condition{Subject: "sex", Name: "f"}},
		{in: "sex m", want: flows.Condition{Subject: "sex", Name: "m"}},
		{in: "sex x", wantErr: "write one of"},
		{in: "victim child", want: flows.Condition{Subject: "victim", Name: "child"}},
		{in: "victim self", want: flows.Condition{Subject: "victim", Name: "self"}},
		{in: "victim neighbour", wantErr: "write one of"},

		{in: "age < 0", wantErr: `"0" is not an age`},
		{in: "age < 121", wantErr: `"121" is not an age`},
		{in: "age < twenty", wantErr: `"twenty" is not an age`},
		{in: "age < -5", wantErr: `"-5" is not an age`},
		{in: "age > 20", wantErr: "write one of"},
		{in: "age <= 20", wantErr: "write one of"},
		{in: "age <20", wantErr: "write one of"},
		{in: "age", wantErr: "write one of"},
		{in: "age known", wantErr: "write one of"},
		{in: "asked", wantErr: "write one of"},
		{in: "asked a b", wantErr: "write one of"},
		{in: "topic", wantErr: "write one of"},
		{in: "staffed now", wantErr: "write one of"},
		{in: "Age < 20", wantErr: "write one of"},
		{in: "weather is fine", wantErr: `condition "weather is fine"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := flows.ParseCondition(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseCondition(%q) = %+v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCondition(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseCondition(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			str := tt.in
			if tt.str != "" || strings.TrimSpace(tt.in) == "" {
				str = tt.str
			}
			if got.String() != str {
				t.Errorf("String() = %q, want %q", got.String(), str)
			}
			// What String writes parses back to the same condition.
			again, err := flows.ParseCondition(got.String())
			if err != nil || again != got {
				t.Errorf("ParseCondition(%q) = %+v, %v; want %+v", got.String(), again, err, got)
			}
		})
	}
}

func TestSplitVariant(t *testing.T) {
	tests := []struct{ id, base, variant string }{
		{"support", "support", ""},
		{"support_youth", "support", flows.VariantYouth},
		{"support_child", "support", flows.VariantChild},
		{"support_adult", "support", flows.VariantAdult},
		{"close_relationship_adult", "close_relationship", flows.VariantAdult},
		{"youth", "youth", ""},
	}
	for _, tt := range tests {
		if base, v := flows.SplitVariant(tt.id); base != tt.base || v != tt.variant {
			t.Errorf("SplitVariant(%q) = %q, %q; want %q, %q", tt.id, base, v, tt.base, tt.variant)
		}
	}
}

func TestHasHelpNumber(t *testing.T) {
	nums := []string{"112", "021-41 32 60", "010-567 63 25", "116 006"}
	for text, want := range map[string]bool{
		"Ring 112.":                true,
		"Ring 021-41 32 60":        true,
		"Ring 116 006 dygnet runt": true,
		"Ring Brottsofferjouren.":  false,
		"Ring 021-413260":          false,
		"":                         false,
	} {
		if got := flows.HasHelpNumber(text, nums); got != want {
			t.Errorf("HasHelpNumber(%q) = %v, want %v", text, got, want)
		}
	}
}
