package app

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
)

// texts returns every "text" string in a Slack answer (JSON).
func texts(t *testing.T, answer string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(answer), &v); err != nil {
		t.Fatalf("answer %q: %v", answer, err)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					b.WriteString(s + "\n")
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// smsTexts returns the messages of a TwiML answer.
func smsTexts(t *testing.T, twiml string) []string {
	t.Helper()
	var doc struct {
		Messages []string `xml:"Message"`
	}
	if err := xml.Unmarshal([]byte(twiml), &doc); err != nil {
		t.Fatalf("twiml %q: %v", twiml, err)
	}
	return doc.Messages
}

// TestPreviewIsWhatAResidentGets: /trygg fråga runs the conversation service's preview
// with the features a resident's SMS has, so staff see exactly the SMS answer: the
// Grannsamverkan offer for an ombud code (the Grannsamverkan feature) and the handoff
// offer for PERSON in staffed hours (the handoff feature). The preview holds nothing:
// the ombud who then texts the same code still gets the offer, and JA registers them.
func TestPreviewIsWhatAResidentGets(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	answer := e.command("ombud inbjudan backby")
	code := regexp.MustCompile("`([A-Z0-9-]{6,})`").FindStringSubmatch(answer)
	if code == nil {
		t.Fatalf("no invite code in %q", answer)
	}
	for _, text := range []string{"PERSON", "OMBUD " + code[1]} {
		preview := texts(t, e.command("fråga "+text))
		msgs := smsTexts(t, e.sms("+46703333333", text))
		if len(msgs) == 0 {
			t.Fatalf("%s: no SMS answer", text)
		}
		for _, m := range msgs {
			if !strings.Contains(preview, m) {
				t.Errorf("%s: the preview lacks the SMS answer %q:\n%s", text, m, preview)
			}
		}
	}
	if !strings.Contains(texts(t, e.command("fråga OMBUD "+code[1])), "Välkommen som kontaktombud") {
		t.Error("the preview of an ombud code is not the Grannsamverkan offer")
	}
	e.sms("+46703333333", "JA")
	if all, err := e.a.Grannsamverkan.List(context.Background(), "backby"); err != nil || len(all) != 1 {
		t.Errorf("after previews and the ombud's OMBUD and JA: %d ombud (%v), want the one", len(all), err)
	}
}
