package sms_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/metrics"
)

// TestConversation is a whole conversation through the webhook: a 16-year-old who was
// robbed gets Brottsofferjouren's number for young people and never the adults' number; a
// forged copy of the message is refused and changes nothing.
func TestConversation(t *testing.T) { eachStore(t, testConversation) }

func testConversation(t *testing.T, st option) {
	e := newEnv(t, st)
	f := fixtures(t)["sms_conversation"]
	if f.Params["Body"] != "Jag är 16 och blev rånad" {
		t.Fatalf("fixture body %q", f.Params["Body"])
	}

	w := e.do(post(f.URL, f.Params, f.Signature))
	msgs := messages(t, w)
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, youthBOJ) {
		t.Errorf("replies lack %s:\n%s", youthBOJ, all)
	}
	if strings.Contains(all, adultBOJ) {
		t.Errorf("replies give the adults' number %s to a 16-year-old:\n%s", adultBOJ, all)
	}
	if !strings.Contains(all, "112") {
		t.Errorf("replies lack 112:\n%s", all)
	}
	before := e.conversation(resident)
	if before.Version != 1 {
		t.Fatalf("conversation version %d, want 1", before.Version)
	}
	if bytes.Contains(before.Data, []byte(resident)) || bytes.Contains(before.Data, []byte("rånad")) {
		t.Errorf("stored state holds the number or the text: %q", before.Data)
	}

	// Forged copies: the same signature over other words, and over a new MessageSid.
	forgeries := []map[string]string{
		withChange(f.Params, "Body", "Jag är 25 och blev rånad"),
		withChange(withChange(f.Params, "MessageSid", sidN(99)), "SmsSid", sidN(99)),
	}
	for i, p := range forgeries {
		if w := e.do(post(f.URL, p, f.Signature)); w.Code != http.StatusForbidden {
			t.Fatalf("forgery %d: status %d, want 403", i, w.Code)
		}
	}
	after := e.conversation(resident)
	if after.Version != before.Version || !bytes.Equal(after.Data, before.Data) {
		t.Errorf("a forged copy changed the conversation: version %d → %d", before.Version, after.Version)
	}
	if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultAnswered)); n != 1 {
		t.Errorf("answered %v, want 1", n)
	}

	// The conversation goes on: the next message knows the age.
	w = e.do(signed(inboundURL, message(sidN(2), "Kan jag få prata med någon?")))
	if all := strings.Join(messages(t, w), "\n"); strings.Contains(all, adultBOJ) {
		t.Errorf("second turn gives %s to a 16-year-old:\n%s", adultBOJ, all)
	}
	if v := e.conversation(resident).Version; v != 2 {
		t.Errorf("conversation version %d after the second message, want 2", v)
	}
	e.checkLogs("rånad", "prata")
}

// TestRepliesAsSeparateMessages checks that several replies become several <Message>
// elements, in order: danger now is answered with 112 first.
func TestRepliesAsSeparateMessages(t *testing.T) { eachStore(t, testRepliesAsSeparateMessages) }

func testRepliesAsSeparateMessages(t *testing.T, st option) {
	e := newEnv(t, st)
	msgs := messages(t, e.do(signed(inboundURL, message(sidN(1), "Han slår mig nu, jag är 15"))))
	if len(msgs) < 2 {
		t.Fatalf("%d messages, want the danger reply and more: %q", len(msgs), msgs)
	}
	if !strings.Contains(msgs[0], "112") {
		t.Errorf("first message %q lacks 112", msgs[0])
	}
	if got := testutil.ToFloat64(e.metrics.SMSOut.WithLabelValues(metrics.ViaTwiML, "GSM-7")); got != float64(len(msgs)) {
		t.Errorf("messages out %v, want %d", got, len(msgs))
	}
	if segs := testutil.ToFloat64(e.metrics.SMSSegments.WithLabelValues(metrics.ViaTwiML, "GSM-7")); segs < float64(len(msgs)) {
		t.Errorf("segments out %v, want at least %d", segs, len(msgs))
	}
}

// withChange returns a copy of p with k set to v.
func withChange(p map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(p))
	for key, val := range p {
		out[key] = val
	}
	out[k] = v
	return out
}
