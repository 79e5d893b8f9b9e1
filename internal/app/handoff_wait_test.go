package app

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// The waiting notice as residents read it (locales/*.yaml handoff_waiting*): written out
// here so that an edit of the texts cannot quietly drop a number.
const (
	waitingSV      = "Ingen i personalen har kunnat svara dig än. Ring gärna Brottsofferjouren, under 20 år 010-567 63 25, 20 år eller äldre 021-41 32 60, eller 116 006. Det du skriver går fortfarande till personalen. Skriv STOPP för att avsluta. Är du i fara nu? Ring 112."
	waitingYouthSV = "Ingen i personalen har kunnat svara dig än. Ring gärna BRIS på 116 111, dygnet runt, eller Brottsofferjouren för unga på 010-567 63 25. Det du skriver går fortfarande till personalen. Skriv STOPP för att avsluta. Är du i fara nu? Ring 112."
	waitingAdultEN = "Staff have not been able to answer you yet. You can call Brottsofferjouren Västerås on 021-41 32 60, or 116 006. What you write still goes to staff. Send STOP to end. Are you in danger now? Call 112."
)

// sweep runs the handoff sweeper as replicas replicas would, at the same time.
func (e *handoffEnv) sweep(replicas int) {
	e.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() { errs[i] = e.a.Handoff.Sweep(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// bodies returns the texts of the SMS sent since the first n.
func (e *handoffEnv) bodies(n int) []string {
	var out []string
	for _, s := range e.twilio.Sent()[n:] {
		out = append(out, s.Body)
	}
	return out
}

// count returns how many of the thread's messages contain part.
func count(th []string, part string) int {
	n := 0
	for _, m := range th {
		if strings.Contains(m, part) {
			n++
		}
	}
	return n
}

// TestHandoffWaitingAfterAnswer: once staff have answered, a resident who writes again and
// gets no staff message in the thread within TRYGG_HANDOFF_WAIT gets the waiting notice
// with the numbers for their age, once per unanswered stretch however many messages they
// send and however many replicas sweep; the case stays open, a later staff reply still
// reaches them with the footer and starts a new stretch; staff read in the thread that the
// resident got the numbers, and never a phone number.
func TestHandoffWaitingAfterAnswer(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234901"
	scope := e.a.Hasher.Of("sms", number)
	e.sms(number, "Jag är 16 och blev rånad")
	e.sms(number, "PERSON")
	e.sms(number, "JA")
	card, _ := e.card()
	e.staffReply("Ev900", "U0STAFF", card.TS, "Hej, jag heter Anna.")
	if n := len(e.twilio.Sent()); n != 1 {
		t.Fatalf("%d SMS after the first staff reply", n)
	}

	// Staff answered; the resident writes again, twice more in the same stretch.
	e.clock.Add(5 * time.Minute)
	first := e.clock.Now()
	for _, text := range []string{"hallå?", "är du kvar?", "svara gärna"} {
		if got := e.sms(number, text); strings.Contains(got, "<Message>") {
			t.Fatalf("the bot answered a message meant for staff: %s", got)
		}
		e.sweep(2)
		e.clock.Add(3 * time.Minute)
	}
	if got := e.bodies(1); len(got) != 0 {
		t.Fatalf("SMS before the wait is over: %q", got)
	}
	e.clock.Set(first.Add(10*time.Minute - time.Second))
	e.sweep(2)
	if got := e.bodies(1); len(got) != 0 {
		t.Fatalf("SMS a second before the wait is over: %q", got)
	}
	e.clock.Set(first.Add(10 * time.Minute))
	e.sweep(2) // two replicas at once: the resident is told once
	e.clock.Add(time.Minute)
	e.sweep(2) // and later sweeps do not tell again
	if got := e.bodies(1); len(got) != 1 || got[0] != waitingYouthSV {
		t.Fatalf("waiting notice: %q, want once [%q]", got, waitingYouthSV)
	}
	th := e.thread(card.TS)
	if n := count(th, "Ingen i personalen har svarat invånaren på 10 minuter. Invånaren har fått numren till Brottsofferjouren och 112."); n != 1 {
		t.Errorf("%d notes of the waiting notice in the thread, want 1: %q", n, th)
	}
	if !strings.Contains(th[len(th)-1], "Ärendet är öppet") {
		t.Errorf("the note does not say the case is open: %q", th[len(th)-1])
	}
	// A fourth message in the same stretch: still no second notice.
	e.sms(number, "hallå igen")
	e.clock.Add(20 * time.Minute)
	e.sweep(1)
	if got := e.bodies(1); len(got) != 1 {
		t.Fatalf("a second waiting notice in one stretch: %q", got)
	}
	if recs := e.records(scope); recs["handoff"] == nil || recs["handoff_to"] == nil {
		t.Fatalf("the case did not stay open: %v", keys(recs))
	}

	// Staff answer later: the reply reaches the resident with the footer; a new stretch.
	e.staffReply("Ev901", "U0STAFF", card.TS, "Förlåt att det dröjde.")
	if got := e.bodies(2); len(got) != 1 || got[0] != "Förlåt att det dröjde.\n\n"+footerYouthSV {
		t.Fatalf("staff reply after the notice: %q", got)
	}
	e.clock.Add(time.Minute)
	e.sms(number, "tack. en sak till")
	e.clock.Add(9 * time.Minute)
	e.sweep(2)
	if n := len(e.twilio.Sent()); n != 3 {
		t.Fatalf("%d SMS before the new stretch's wait is over, want 3", n)
	}
	e.clock.Add(time.Minute)
	e.sweep(2)
	if got := e.bodies(3); len(got) != 1 || got[0] != waitingYouthSV {
		t.Fatalf("the new stretch's waiting notice: %q", got)
	}
	if n := count(e.thread(card.TS), "Invånaren har fått numren"); n != 2 {
		t.Errorf("%d waiting notes in the thread, want 2", n)
	}
	e.noNumbersInSlack()
}

// TestHandoffWaitingOffHours: outside staffed hours a resident's message in an answered
// case gets the waiting notice at once, once per stretch, and staff read why; a danger
// message gets its reply with 112 first and the notice only after the wait.
func TestHandoffWaitingOffHours(t *testing.T) {
	monday1550 := time.Date(2026, 11, 16, 14, 50, 0, 0, time.UTC) // 15:50 in Västerås
	t.Run("at once", func(t *testing.T) {
		e := newHandoffEnv(t, monday1550, nil)
		const number = "+46701234902"
		e.sms(number, "PERSON")
		e.sms(number, "JA")
		card, _ := e.card()
		e.staffReply("Ev910", "U0STAFF", card.TS, "Hej!")
		e.clock.Add(40 * time.Minute) // 16:30: staff have gone home
		if got := e.sms(number, "är ni kvar?"); strings.Contains(got, "<Message>") {
			t.Fatalf("the bot answered a message meant for staff: %s", got)
		}
		if got := e.bodies(1); len(got) != 1 || got[0] != waitingSV {
			t.Fatalf("off hours: %q, want at once [%q]", got, waitingSV)
		}
		e.sms(number, "hallå?")
		e.clock.Add(time.Hour)
		e.sweep(2)
		if got := e.bodies(1); len(got) != 1 {
			t.Fatalf("a second waiting notice in one stretch: %q", got)
		}
		th := e.thread(card.TS)
		if count(th, "Invånaren skrev utanför bemannad tid och har direkt fått numren till Brottsofferjouren och 112.") != 1 {
			t.Errorf("thread: %q", th)
		}
		e.noNumbersInSlack()
	})
	t.Run("danger first", func(t *testing.T) {
		e := newHandoffEnv(t, monday1550, nil)
		const number = "+46701234903"
		e.sms(number, "PERSON")
		e.sms(number, "JA")
		card, _ := e.card()
		e.staffReply("Ev920", "U0STAFF", card.TS, "Hej!")
		e.clock.Add(40 * time.Minute)
		if got := e.sms(number, "han slår mig nu"); !strings.Contains(got, "Ring 112") {
			t.Fatalf("danger during a stretch: %s", got)
		}
		if got := e.bodies(1); len(got) != 0 {
			t.Fatalf("an SMS could overtake the danger reply: %q", got)
		}
		e.clock.Add(10 * time.Minute)
		e.sweep(2)
		if got := e.bodies(1); len(got) != 1 || got[0] != waitingSV {
			t.Fatalf("waiting notice after a danger message: %q", got)
		}
		if th := e.thread(card.TS); count(th, ":rotating_light:") != 1 || count(th, "har svarat invånaren på 10 minuter") != 1 {
			t.Errorf("thread: %q", th)
		}
	})
}

// TestHandoffWaitingDangerInStretch: during an unanswered stretch in staffed hours, danger
// still gets 112 at once in the reply, the stretch goes on, and the notice comes once, the
// wait after the stretch's first message.
func TestHandoffWaitingDangerInStretch(t *testing.T) {
	e := newHandoffEnv(t, monday10, nil)
	const number = "+46701234904"
	e.sms(number, "I'm 40 and I was robbed")
	e.sms(number, "talk to someone")
	e.sms(number, "yes")
	card, _ := e.card()
	e.staffReply("Ev930", "U0STAFF", card.TS, "Hi, I'm Sam.")
	e.clock.Add(time.Minute)
	first := e.clock.Now()
	e.sms(number, "thanks")
	e.clock.Add(4 * time.Minute)
	if got := e.sms(number, "he is here now with a knife"); !strings.Contains(got, "112") {
		t.Fatalf("danger during a stretch: %s", got)
	}
	e.sweep(1)
	if got := e.bodies(1); len(got) != 0 {
		t.Fatalf("SMS before the wait is over: %q", got)
	}
	e.clock.Set(first.Add(10 * time.Minute))
	e.sweep(2)
	if got := e.bodies(1); len(got) != 1 || got[0] != waitingAdultEN {
		t.Fatalf("waiting notice: %q, want [%q]", got, waitingAdultEN)
	}
}
