package understand_test

import (
	"testing"

	"github.com/vasteras/trygg/bot/understand"
)

func TestScriptLang(t *testing.T) {
	tests := []struct{ text, want string }{
		{"مرحبا، تعرضت للسرقة وأحتاج مساعدة", "ar"},
		{"عمري ١٦ سنة", "ar"},
		{"سلام، من ۱۶ سالمه و دزدی شده", "fa"}, // Persian ی and digits
		{"چاقو دارد", "fa"},                    // چ is Persian only
		{"سلام من کمک میخواهم", "fa"},          // only the Persian forms of ی and ک
		{"سلام من كمك ميخواهم", "ar"},          // the same on an Arabic keyboard: the script cannot tell
		{"ሰላም፣ ሓገዝ የድልየኒ", "ti"},               // Ge'ez
		{"ዕድመይ 16 እዩ", "ti"},
		{"jag blev rånad", ""},
		{"waa la i dhacay", ""},
		{"Привет", ""},
		{"سڵاو، یارمەتیم بدە", "ckb"}, // Sorani Kurdish
		{"میں بہت پریشان ہوں، مدد چاہیے", "ur"},
		{"16", ""},
		{"", ""},
		{"hej مرحبا hej hej hej", ""}, // mostly Latin
	}
	for _, tt := range tests {
		if got := understand.ScriptLang(tt.text); got != tt.want {
			t.Errorf("ScriptLang(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestArabicFolds: the forms of one letter read alike, and digits of every script are
// ASCII digits.
func TestArabicFolds(t *testing.T) {
	for _, pair := range [][2]string{
		{"كمك", "کمک"},
		{"مساعدة", "مساعده"},
		{"أنا", "انا"},
		{"عمري ١٦", "عمری 16"},
		{"سنم ۱۶", "سنم 16"},
		{"مـسـاعـدة", "مساعده"},
	} {
		if a, b := understand.Normalize(pair[0]), understand.Normalize(pair[1]); a != b {
			t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q: want them alike", pair[0], a, pair[1], b)
		}
	}
}
