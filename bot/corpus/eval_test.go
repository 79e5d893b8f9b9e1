package corpus

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
)

// TestWrongLines shows that the eval sees each kind of wrong line, so that a corpus run
// without any means something.
func TestWrongLines(t *testing.T) {
	age := func(n int) *int { return &n }
	reply := func(id, text string) bot.Result {
		return bot.Result{Replies: []bot.Reply{{MessageID: id, Text: text}}}
	}
	tests := []struct {
		name string
		msg  Message
		res  bot.Result
		want string // a fragment of the problem, "" for none
	}{
		{"adult line to 16", Message{VictimAge: age(16), Danger: DangerNone}, reply("a", "Ring 021-41 32 60."), "under 20"},
		{"youth line to 45", Message{VictimAge: age(45), Danger: DangerNone}, reply("a", "Ring 010-567 63 25."), "20 or older"},
		{"BRIS to 19", Message{VictimAge: age(19), Danger: DangerNone}, reply("a", "BRIS 116 111."), "18 or older"},
		{"BRIS said to be for under 18", Message{VictimAge: age(40), Danger: DangerNone}, reply("a", "BRIS 116 111 is for those under 18. 021-41 32 60"), ""},
		{"men's line to 16", Message{VictimAge: age(16), Danger: DangerNone}, reply("a", "Stödlinjen för män 020-80 80 80"), "under 18"},
		{"bereaved: the writer's age, not the one killed", Message{Topic: "bereaved", VictimAge: age(9), WriterAge: age(40), Danger: DangerNone}, reply("a", "Ring 010-567 63 25."), "20 or older"},
		{"bereaved, writer's age unknown: both numbers", Message{Topic: "bereaved", VictimAge: age(9), Danger: DangerNone}, reply("a", "Under 20: 010-567 63 25. 20 or older: 021-41 32 60."), ""},
		{"both numbers with their ages, to 11 (age not read)", Message{VictimAge: age(11), Danger: DangerNone}, reply("ask_age", "010-567 63 25 for people under 20 and 021-41 32 60 for people 20 or older."), ""},
		{"both numbers with their ages, to 82 (age not read)", Message{VictimAge: age(82), Danger: DangerNone}, reply("ask_child_age", "BRIS 116 111 is for children under 18. 010-567 63 25 for young people under 20 and 021-41 32 60 for people 20 or older."), ""},
		{"both numbers but the men's line to 16", Message{VictimAge: age(16), Danger: DangerNone}, reply("a", "010-567 63 25 under 20, 021-41 32 60 20 or older. Stödlinjen för män 020-80 80 80"), "under 18"},
		{"Kvinnofridslinjen to a man", Message{VictimSex: "m", Danger: DangerNone}, reply("a", "Kvinnofridslinjen 020-50 50 50"), "to a man"},
		{"men's line to a woman", Message{VictimSex: "f", Danger: DangerNone}, reply("a", "020-80 80 80"), "to a woman"},
		{"both lines, each for whom", Message{VictimSex: "f", Danger: DangerNone}, reply("a", "Kvinnor 020-50 50 50, män 020-80 80 80"), ""},
		{"danger without 112 first", Message{Danger: DangerThreat}, bot.Result{Replies: []bot.Reply{{Text: "Ring 114 14."}, {Text: "Ring 112."}}}, "no 112"},
		{"suicide without 90101", Message{Danger: DangerSuicide}, reply("danger", "Ring 112."), "90101"},
		{"suicide reply", Message{Danger: DangerSuicide}, reply("suicide", "Ring 112 or 90101."), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(wrongLines(tt.msg, tt.res), "; ")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("wrongLines = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTopicOf pins how a turn's answer is named.
func TestTopicOf(t *testing.T) {
	ids := func(ids ...string) []bot.Reply {
		var out []bot.Reply
		for _, id := range ids {
			out = append(out, bot.Reply{MessageID: id})
		}
		return out
	}
	tests := []struct {
		name   string
		before bot.State
		res    bot.Result
		want   string
	}{
		{"erase", bot.State{}, bot.Result{Erase: true, Replies: ids("erased")}, "stop"},
		{"person", bot.State{}, bot.Result{Events: []bot.Event{{Kind: bot.EventHandoffRequested}}, Replies: ids("person_unavailable")}, "person"},
		{"menu", bot.State{}, bot.Result{Replies: ids("menu")}, "menu"},
		{"greeting", bot.State{}, bot.Result{Replies: ids("welcome")}, "greeting"},
		{"fallback", bot.State{}, bot.Result{Events: []bot.Event{{Kind: bot.EventNotUnderstood}}, Replies: ids("not_understood")}, "not_understood"},
		{"new topic", bot.State{}, bot.Result{State: bot.State{Topic: "support"}, Replies: ids("ask_age")}, "support"},
		{"age only", bot.State{}, bot.Result{State: bot.State{AgeMin: 16, AgeMax: 16}, Replies: ids("support_child")}, "age_only"},
		{"only danger", bot.State{}, bot.Result{Replies: ids("danger")}, "none"},
		{"danger and topic", bot.State{}, bot.Result{State: bot.State{Topic: "close_relationship"}, Replies: ids("danger", "close_relationship")}, "close_relationship"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := topicOf(tt.before, tt.res); got != tt.want {
				t.Errorf("topicOf = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSameTopic pins which answers are right for a label: the label itself, and for "none"
// (nothing to route) the fallback too, which routes nothing either.
func TestSameTopic(t *testing.T) {
	tests := []struct {
		label, answered string
		want            bool
	}{
		{"support", "support", true},
		{"support", "not_understood", false},
		{"none", "none", true},
		{"none", "not_understood", true},
		{"none", "support", false},
		{"not_understood", "none", false},
	}
	for _, tt := range tests {
		if got := SameTopic(tt.label, tt.answered); got != tt.want {
			t.Errorf("SameTopic(%s, %s) = %v, want %v", tt.label, tt.answered, got, tt.want)
		}
	}
}
