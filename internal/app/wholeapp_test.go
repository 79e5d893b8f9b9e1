package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
	"github.com/vasteras/trygg/internal/testkit"
)

// The whole-app suite (issue 15): trygg started exactly as `trygg serve` starts it, from an
// environment, on its own listeners, driven only through its public routes, with Twilio and
// Slack replaced by the test kit's fakes. A feature that is built but not wired into the
// running server fails here, however green its package's tests are.

const (
	waAccount    = "AC0123456789abcdef0123456789abcdef"
	waToken      = "whole0app0auth0token0123456789ab"
	waPublic     = "https://trygg.example.se"
	waFrom       = "+46700000000"
	waSlackToken = "xoxb-whole-app"
	waSecret     = "whole-app-signing-secret"
	waStaff      = "C0STAFF"
	waAlerter    = "U0ALERT"
	waWhatsApp   = "whatsapp:+46700000001"
	waTemplateSV = "HX0123456789abcdef0123456789abcdef"
)

// TestWholeApp runs the suite on miniredis, and on the real Redis named by
// TRYGG_TEST_REDIS_URL when it is set (CI sets it).
func TestWholeApp(t *testing.T) {
	t.Run("miniredis", func(t *testing.T) { wholeApp(t, redistest.StartMini(t).URL()) })
	t.Run("redis", func(t *testing.T) { wholeApp(t, redistest.URL(t)) })
}

// wholeApp is the suite on the Redis at redisURL. Its subtests run in order and build on
// each other, as a day of trygg does: a report on Sunday evening, the Monday post, then a
// staffed Monday of residents, staff and ombud.
func wholeApp(t *testing.T, redisURL string) {
	w := newWhole(t, redisURL)
	w.start()
	loc := w.loc

	w.run("sms lägesbild report on Sunday", func(t *testing.T) {
		w.sms("+46701110001", "jag känner mig otrygg vid busshållplatsen i Bäckby på kvällarna")
		if got := w.sms("+46701110001", "1"); !strings.Contains(got, "114 14") || !strings.Contains(got, "112") {
			t.Errorf("the report's last answer: %q", got)
		}
	})

	w.run("monday lägesbild post", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		monday8 := time.Date(w.monday.Year(), w.monday.Month(), w.monday.Day(), 8, 0, 0, 0, loc)
		w.waitSleeper(ctx, monday8)
		w.clock.Set(monday8)
		w.slack.WaitFor(w.t, "the Monday post", func() bool { return len(w.postsIn(waStaff)) > 0 && len(w.slack.Uploads()) > 0 })
		post := slackText(w.postsIn(waStaff)[0])
		if !strings.Contains(post, w.lastWeek) || !strings.Contains(post, "Bäckby") {
			t.Errorf("the Monday post is not the lägesbild of %s with the report in Bäckby:\n%s", w.lastWeek, post)
		}
		if up := w.slack.Uploads()[0]; up.Channel != waStaff || !strings.HasSuffix(up.Filename, ".png") {
			t.Errorf("the chart: %+v", up)
		}
	})
	w.clock.Set(w.monday.Add(2 * time.Hour)) // Monday 10:00: staffed

	w.run("sms turn", func(t *testing.T) {
		got := w.sms("+46701110002", "Jag är 16 och blev rånad")
		if !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
			t.Errorf("a 16-year-old's SMS: %q", got)
		}
	})

	w.run("web chat turn", func(t *testing.T) {
		c := w.webChat()
		got := strings.Join(c.say("I'm 40 and I was robbed"), "\n")
		if !strings.Contains(got, adultNumber) {
			t.Errorf("a 40-year-old in the web chat: %q", got)
		}
	})

	w.run("fråga", func(t *testing.T) {
		got := w.slash(waAlerter, "fråga Jag är 16 och blev rånad")
		if !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
			t.Errorf("/trygg fråga: %s", got)
		}
	})

	w.run("lägesbild", func(t *testing.T) {
		got := w.slash(waAlerter, "lägesbild förra")
		if !strings.Contains(got, "Bäckby") || !strings.Contains(got, "1") {
			t.Errorf("/trygg lägesbild förra: %s", got)
		}
	})

	w.run("export", func(t *testing.T) {
		before := len(w.slack.Uploads())
		w.slash(waAlerter, "export")
		w.slack.WaitFor(w.t, "the CSV", func() bool { return len(w.slack.Uploads()) > before })
		up := w.slack.Uploads()[before]
		if up.Filename != "lagesbild-"+w.lastWeek+".csv" || !strings.Contains(string(up.Data), "backby") || strings.Count(string(up.Data), "\n") != 2 {
			t.Errorf("/trygg export: %s\n%s", up.Filename, up.Data)
		}
	})

	var ombud []string // the ombud's ids
	numbers := []string{"+46702220001", "+46702220002", "+46702220003"}
	w.run("ombud inbjudan and joining by SMS", func(t *testing.T) {
		for _, n := range numbers {
			got := w.slash(waAlerter, "ombud inbjudan Bäckby")
			code := regexp.MustCompile(`[A-Z]{2}-\d{4}`).FindString(got)
			if code == "" {
				t.Fatalf("/trygg ombud inbjudan: no code in %s", got)
			}
			if got := w.sms(n, "OMBUD "+code); !strings.Contains(got, "JA") {
				t.Fatalf("OMBUD %s: %q", code, got)
			}
			w.sms(n, "JA")
		}
	})

	w.run("ombud lista", func(t *testing.T) {
		got := w.slash(waAlerter, "ombud lista Bäckby")
		if !strings.Contains(got, "3 aktiva") {
			t.Errorf("/trygg ombud lista after three joined: %s", got)
		}
		ombud = regexp.MustCompile("O-[0-9A-Z]{4}").FindAllString(got, -1)
		if len(ombud) != 3 {
			t.Errorf("ids %q in %s", ombud, got)
		}
		if m := phoneRE.FindString(got); m != "" {
			t.Errorf("a number reached Slack: %s", m)
		}
	})

	w.run("larm", func(t *testing.T) {
		// The third ombud texted STOP to the number: Twilio refuses with 21610.
		w.twilio.OptOut(numbers[2])
		const text = "Inbrott i Bäckby i natt. Lås dörrar och fönster."
		raw := w.slashRaw(waAlerter, "larm Bäckby "+text)
		preview := buttonValue(raw, "gs_alert_send")
		if preview == "" || !strings.Contains(jsonTexts(raw), text) {
			t.Fatalf("/trygg larm gave no preview with Skicka: %s", jsonTexts(raw))
		}
		before, requests := len(w.twilio.Messages()), w.twilio.Requests()
		w.press(testkit.BlockAction{Channel: waStaff, User: waAlerter, ActionID: "gs_alert_send", BlockID: "gs_alert", Value: preview})
		// One SMS per ombud, the one who left refused by Twilio.
		w.twilio.WaitFor(t, "one SMS per ombud", func() bool { return w.twilio.Requests() >= requests+len(numbers) })
		sent := map[string]testkit.TwilioMessage{}
		for _, m := range w.twilio.Messages()[before:] {
			if _, twice := sent[m.To]; twice {
				t.Errorf("%s got the alert twice", m.To)
			}
			sent[m.To] = m
			if m.Body != text {
				t.Errorf("the alert SMS is %q, want the staff's text as previewed", m.Body)
			}
		}
		if len(sent) != 2 || sent[numbers[0]].SID == "" || sent[numbers[1]].SID == "" {
			t.Fatalf("alert SMS to %v, want %s and %s", keysOf(sent), numbers[0], numbers[1])
		}
		var card testkit.SlackCall
		w.slack.WaitFor(t, "the alert card", func() bool {
			for _, c := range w.postsIn(waStaff) {
				if strings.Contains(slackText(c), text) {
					card = c
					return true
				}
			}
			return false
		})
		// Sending is done when the card says so; Twilio's callbacks come after that.
		w.slack.WaitFor(t, "the card after sending", func() bool {
			return w.updated(card.TS, "*3* ombud · 2 skickade · *0* levererade · 1 misslyckade")
		})
		// Twilio's status callbacks: one delivered, one failed, and a repeat.
		for _, cb := range []*http.Request{
			w.twilio.StatusCallback(sent[numbers[0]], "sent", ""),
			w.twilio.StatusCallback(sent[numbers[0]], "delivered", ""),
			w.twilio.StatusCallback(sent[numbers[1]], "undelivered", "30003"),
			w.twilio.StatusCallback(sent[numbers[0]], "delivered", ""),
		} {
			if code, body := w.do(cb); code/100 != 2 {
				t.Fatalf("status callback: %d %s", code, body)
			}
		}
		want := "*3* ombud · 1 skickade · *1* levererade · 2 misslyckade"
		w.slack.WaitFor(t, "the card's counts", func() bool { return w.updated(card.TS, want) })
		if got := w.slash(waAlerter, "ombud lista Bäckby"); !strings.Contains(got, "2 aktiva, 1 avslutade") {
			t.Errorf("/trygg ombud lista after the 21610: %s", got)
		}
		// Avbryt on a second preview: the preview is replaced, nothing is sent.
		raw = w.slashRaw(waAlerter, "larm Bäckby "+text)
		requests = w.twilio.Requests()
		answer := w.press(testkit.BlockAction{Channel: waStaff, User: waAlerter, ActionID: "gs_alert_cancel", BlockID: "gs_alert", Value: buttonValue(raw, "gs_alert_cancel")})
		if got := jsonTexts(answer); !strings.Contains(got, "skickades inte") || !strings.Contains(string(answer), `"replace_original":true`) {
			t.Errorf("Avbryt: %s", got)
		}
		if w.twilio.Requests() != requests {
			t.Error("Avbryt sent SMS")
		}
		w.noNumbersInSlack()
	})

	w.run("ombud ta bort", func(t *testing.T) {
		for _, id := range ombud {
			if got := w.slash(waAlerter, "ombud ta bort "+id); !strings.Contains(got, id) {
				t.Errorf("/trygg ombud ta bort %s: %s", id, got)
			}
		}
		if got := w.slash(waAlerter, "ombud lista Bäckby"); strings.Contains(got, "aktiva") {
			t.Errorf("ombud left after removing them all: %s", got)
		}
	})

	w.run("handoff by sms", func(t *testing.T) {
		const number = "+46701110003"
		w.sms(number, "Jag är 16 och blev rånad")
		if got := w.sms(number, "PERSON"); !strings.Contains(got, "JA") {
			t.Fatalf("PERSON in staffed hours: %q", got)
		}
		w.sms(number, "JA")
		card, code := w.card("SMS")
		// Resident → staff: the message lands in the card's thread, the number hidden.
		if got := w.sms(number, "Han hotar mig. Ring mig på 0701234567"); got != "" {
			t.Errorf("the bot answered a message for staff: %q", got)
		}
		w.slack.WaitFor(w.t, "the relay", func() bool { return len(w.thread(card.TS)) > 0 })
		if th := strings.Join(w.thread(card.TS), "\n"); !strings.Contains(th, "Han hotar mig") || !strings.Contains(th, "[telefonnummer dolt]") {
			t.Errorf("relay: %q", th)
		}
		// Ta ärendet shows who took it on the card.
		w.press(testkit.BlockAction{Channel: waStaff, User: "U0ANNA", ActionID: "handoff_take", BlockID: "handoff_actions", Value: code, MessageTS: card.TS})
		w.slack.WaitFor(w.t, "the card taken", func() bool { return w.updated(card.TS, "U0ANNA") })
		// Staff → resident: a reply in the thread goes out by SMS.
		before := len(w.twilio.Messages())
		w.event(testkit.MessageEvent{EventID: "Ev" + w.nonce(), Channel: waStaff, User: "U0ANNA", Text: "Hej, jag heter Anna.", TS: "1763283800.000100", ThreadTS: card.TS})
		w.twilio.WaitFor(w.t, "the staff reply", func() bool { return len(w.twilio.Messages()) > before })
		if m := w.twilio.Messages()[before]; m.To != number || !strings.HasPrefix(m.Body, "Hej, jag heter Anna.") || !strings.Contains(m.Body, youthNumber) {
			t.Errorf("staff reply by SMS: %+v", m)
		}
		// Avsluta tells the resident by SMS, with the numbers.
		w.press(testkit.BlockAction{Channel: waStaff, User: "U0ANNA", ActionID: "handoff_end", BlockID: "handoff_actions", Value: code, MessageTS: card.TS})
		w.twilio.WaitFor(w.t, "the closing SMS", func() bool { return len(w.twilio.Messages()) > before+1 })
		if m := w.twilio.Messages()[before+1]; m.To != number || !strings.Contains(m.Body, "112") {
			t.Errorf("closing SMS: %+v", m)
		}
		w.noNumbersInSlack()
	})

	w.run("handoff by web chat", func(t *testing.T) {
		c := w.webChat()
		c.say("I'm 40 and I was robbed")
		if got := strings.Join(c.say("talk to someone"), "\n"); !strings.Contains(got, "yes") && !strings.Contains(got, "YES") {
			t.Fatalf("talk to someone: %q", got)
		}
		c.say("yes")
		card, code := w.card("webb")
		c.say("My neighbour threatens me")
		w.slack.WaitFor(w.t, "the relay", func() bool { return len(w.thread(card.TS)) > 0 })
		if th := strings.Join(w.thread(card.TS), "\n"); !strings.Contains(th, "My neighbour threatens me") {
			t.Errorf("relay: %q", th)
		}
		w.event(testkit.MessageEvent{EventID: "Ev" + w.nonce(), Channel: waStaff, User: "U0ANNA", Text: "Hi, I'm Sam.", TS: "1763283900.000100", ThreadTS: card.TS})
		got := c.poll()
		if len(got) != 1 || !strings.HasPrefix(got[0], "Hi, I'm Sam.") || !strings.Contains(got[0], adultNumber) {
			t.Errorf("staff reply in the web chat: %q", got)
		}
		// Avsluta: the resident's page gets the closing message with the numbers.
		w.press(testkit.BlockAction{Channel: waStaff, User: "U0ANNA", ActionID: "handoff_end", BlockID: "handoff_actions", Value: code, MessageTS: card.TS})
		if got := strings.Join(c.poll(), "\n"); !strings.Contains(got, adultNumber) || !strings.Contains(got, "112") {
			t.Errorf("closing message in the web chat: %q", got)
		}
	})

	// The counters reach the store every 10 s and when trygg stops: a restart, as a rolling
	// deploy does, flushes them, and the next process reads them.
	w.restart()

	w.run("statistik", func(t *testing.T) {
		got := w.slash(waAlerter, "statistik idag")
		if !regexp.MustCompile(`\*\d+ samtal\*`).MatchString(got) || strings.Contains(got, "*0 samtal*") {
			t.Errorf("/trygg statistik idag after the residents' turns: %s", got)
		}
	})

	// Last, as it moves the clock almost a day on: WhatsApp's 24-hour window.
	w.run("whatsapp conversation and handoff", func(t *testing.T) { w.whatsappDay(t) })
}

// whatsappDay is a resident's day on WhatsApp: a conversation, a photo, a handoff with a
// reply each way, the window closing before staff's second reply (the template, staff
// told in the thread), the resident's reply bringing the held message, and Avsluta. The
// transcript as the resident sees it is logged.
func (w *whole) whatsappDay(t *testing.T) {
	const number = "+46701110005"
	var transcript []string
	say := func(text string, extra map[string]string) []string {
		t.Helper()
		got := w.whatsapp(number, text, extra)
		line := "resident: " + text
		switch {
		case extra["NumMedia"] != "":
			line = "resident: [photo]" + map[bool]string{true: " " + text}[text != ""]
		case extra["ButtonText"] != "":
			line = "resident: [taps the button " + extra["ButtonText"] + "]"
		}
		transcript = append(transcript, line)
		for _, g := range got {
			transcript = append(transcript, "trygg:    "+g)
		}
		return got
	}
	got := strings.Join(say("Jag är 16 och blev rånad", nil), "\n")
	if !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
		t.Errorf("a 16-year-old on WhatsApp: %q", got)
	}
	got = strings.Join(say("", map[string]string{"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/" + waAccount + "/Messages/MM1/Media/ME1", "MediaContentType0": "image/jpeg"}), "\n")
	if !strings.Contains(got, "bilder") || !strings.Contains(got, "112") || !strings.Contains(got, youthNumber) {
		t.Errorf("a photo on WhatsApp: %q", got)
	}
	if got := strings.Join(say("PERSON", nil), "\n"); !strings.Contains(got, "JA") {
		t.Fatalf("PERSON on WhatsApp: %q", got)
	}
	say("JA", nil)
	card, code := w.card("WhatsApp")
	if got := say("Jag vet inte vad jag ska göra", nil); len(got) != 0 {
		t.Errorf("the bot answered a message for staff: %q", got)
	}
	w.slack.WaitFor(w.t, "the relay", func() bool { return len(w.thread(card.TS)) > 0 })
	// Staff → resident inside the window: free text from the WhatsApp sender.
	before := len(w.twilio.Messages())
	w.event(testkit.MessageEvent{EventID: "Ev" + w.nonce(), Channel: waStaff, User: "U0ANNA", Text: "Hej, jag heter Anna. Är du säker nu?", TS: "1763284000.000100", ThreadTS: card.TS})
	w.twilio.WaitFor(w.t, "the staff reply", func() bool { return len(w.twilio.Messages()) > before })
	m := w.twilio.Messages()[before]
	if m.To != "whatsapp:"+number || m.From != waWhatsApp || !strings.HasPrefix(m.Body, "Hej, jag heter Anna.") || !strings.Contains(m.Body, youthNumber) {
		t.Errorf("staff reply on WhatsApp: %+v", m)
	}
	transcript = append(transcript, "trygg:    "+m.Body+"   [staff's reply]")
	for _, status := range []string{"sent", "delivered", "read"} {
		if code, body := w.do(w.twilio.StatusCallback(m, status, "")); code/100 != 2 {
			t.Fatalf("status callback %s: %d %s", status, code, body)
		}
	}

	// The resident does not answer. The window closes (24 hours less the margin after
	// their last message), before the case's lifetime ends: staff's next reply goes as
	// the template, and is held.
	w.clock.Add(24*time.Hour - 4*time.Minute)
	before = len(w.twilio.Messages())
	w.event(testkit.MessageEvent{EventID: "Ev" + w.nonce(), Channel: waStaff, User: "U0ANNA", Text: "Hur gick det med polisanmälan?", TS: "1763284100.000100", ThreadTS: card.TS})
	w.twilio.WaitFor(w.t, "the template", func() bool { return len(w.twilio.Messages()) > before })
	tm := w.twilio.Messages()[before]
	if tm.ContentSID != waTemplateSV || tm.Body != "" || tm.To != "whatsapp:"+number {
		t.Errorf("outside the window: %+v, want the Swedish template", tm)
	}
	transcript = append(transcript, "trygg:    [template "+tm.ContentSID+", {{1}}="+tm.ContentVariables+": you have a new message; reply to read it]")
	w.slack.WaitFor(w.t, "staff told of the window", func() bool {
		return strings.Contains(strings.Join(w.thread(card.TS), "\n"), "mer än 24 timmar sedan")
	})
	// The resident taps the template's button: the held reply comes first.
	got = strings.Join(say("", map[string]string{"ButtonText": "Läs meddelandet", "ButtonPayload": "read"}), "\n")
	if !strings.HasPrefix(got, "Hur gick det med polisanmälan?") || !strings.Contains(got, youthNumber) {
		t.Errorf("the resident's reply to the template: %q", got)
	}
	// Avsluta: the closing message goes as free text again, with the numbers.
	before = len(w.twilio.Messages())
	w.press(testkit.BlockAction{Channel: waStaff, User: "U0ANNA", ActionID: "handoff_end", BlockID: "handoff_actions", Value: code, MessageTS: card.TS})
	w.twilio.WaitFor(w.t, "the closing message", func() bool { return len(w.twilio.Messages()) > before })
	if m := w.twilio.Messages()[before]; m.To != "whatsapp:"+number || !strings.Contains(m.Body, "112") || m.ContentSID != "" {
		t.Errorf("closing message on WhatsApp: %+v", m)
	} else {
		transcript = append(transcript, "trygg:    "+m.Body+"   [Avsluta]")
	}
	// STOPP works on WhatsApp as on SMS.
	if got := strings.Join(say("STOPP", nil), "\n"); !strings.Contains(got, "raderat") {
		t.Errorf("STOPP on WhatsApp: %q", got)
	}
	w.noNumbersInSlack()
	t.Logf("WhatsApp transcript, as the resident sees it:\n%s", strings.Join(transcript, "\n"))
}

// whatsapp writes to trygg from number as Twilio delivers a WhatsApp message (extra fields
// added: media, a tapped button), and returns the replies' texts.
func (w *whole) whatsapp(number, text string, extra map[string]string) []string {
	w.t.Helper()
	w.sid++
	sid := fmt.Sprintf("SM%s%08d", w.nonce()+w.nonce(), w.sid)
	form := url.Values{"MessageSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {waAccount},
		"From": {"whatsapp:" + number}, "To": {waWhatsApp}, "Body": {text}, "NumMedia": {"0"}, "NumSegments": {"1"},
		"WaId": {strings.TrimPrefix(number, "+")}, "ProfileName": {"Maria"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	for k, v := range extra {
		form.Set(k, v)
	}
	code, body := w.do(testkit.TwilioRequest(waToken, waPublic+"/twilio/whatsapp", form))
	if code != http.StatusOK {
		w.t.Fatalf("WhatsApp %q: %d %s", text, code, body)
	}
	var resp struct {
		Messages []string `xml:"Message"`
	}
	if err := xml.Unmarshal(body, &resp); err != nil {
		w.t.Fatalf("TwiML: %v\n%s", err, body)
	}
	return resp.Messages
}

// whole is trygg as `trygg serve` runs it, and the fakes around it.
type whole struct {
	t      *testing.T
	env    map[string]string
	loc    *time.Location
	clock  *clock.Fake
	slack  *testkit.SlackAPI
	twilio *testkit.TwilioAPI
	client *http.Client
	// monday is Monday 08:00 of the suite's week, lastWeek the ISO week before it.
	monday   time.Time
	lastWeek string

	base string // the public listener, http://127.0.0.1:port
	stop func()
	sid  int
	// cards are the handoff cards card has returned.
	cards map[string]bool
}

// newWhole prepares the environment. The suite's week is a random one after 2100, so runs
// against a shared Redis do not meet each other's weeks, days or statistics.
func newWhole(t *testing.T, redisURL string) *whole {
	loc, err := time.LoadLocation(config.Zone)
	if err != nil {
		t.Fatal(err)
	}
	// A Monday in week 2 to 50 of a year from 2101 to 9998: runs meet each other's week
	// once in hundreds of thousands.
	n, _ := rand.Int(rand.Reader, big.NewInt(7898*49))
	year, week := 2101+int(n.Int64()/49), 2+int(n.Int64()%49)
	day := time.Date(year, 1, 1, 8, 0, 0, 0, loc)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	day = day.AddDate(0, 0, 7*week)
	y, wk := day.AddDate(0, 0, -7).ISOWeek()
	w := &whole{
		t: t, loc: loc, monday: day, lastWeek: fmt.Sprintf("%d-W%02d", y, wk),
		clock:  clock.NewFake(day.Add(-12 * time.Hour)), // Sunday 20:00
		slack:  testkit.NewSlackAPI(t, waSlackToken),
		twilio: testkit.NewTwilioAPI(t, waAccount, waToken),
		client: &http.Client{Timeout: 20 * time.Second},
		cards:  map[string]bool{},
	}
	w.twilio.SetNow(w.clock.Now)
	secret := make([]byte, 16)
	rand.Read(secret)
	w.env = map[string]string{
		"TRYGG_ADDR": "127.0.0.1:0", "TRYGG_METRICS_ADDR": "127.0.0.1:0",
		"TRYGG_PUBLIC_URL": waPublic, "TRYGG_SECRET": hex.EncodeToString(secret),
		"REDIS_URL":          redisURL,
		"TWILIO_ACCOUNT_SID": waAccount, "TWILIO_AUTH_TOKEN": waToken, "TWILIO_FROM": waFrom,
		"TWILIO_WHATSAPP_FROM": waWhatsApp, "TWILIO_WA_TEMPLATE_SV": waTemplateSV,
		// The REST sender paces on the real clock; at the default 1/s each SMS would wait.
		"TRYGG_SMS_PER_SECOND": "100",
		"SLACK_SIGNING_SECRET": waSecret, "SLACK_BOT_TOKEN": waSlackToken, "SLACK_TEAM_ID": testkit.DefaultTeam,
		"SLACK_STAFF_CHANNEL": waStaff, "SLACK_ALERT_USERS": waAlerter,
		"TRYGG_STAFFED_HOURS": "mon-fri 09:00-16:00", "TRYGG_HANDOFF_WAIT": "10m",
		// Reports of the suite's far-off week need not outlive the run in a shared Redis.
		"TRYGG_LAGESBILD_RETENTION": "2d",
	}
	return w
}

// start builds trygg from the environment as `trygg serve` does and serves it on loopback
// listeners until the test ends.
func (w *whole) start() {
	t := w.t
	t.Helper()
	cfg, err := config.Load(func(k string) string { return w.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, nil, app.Options{
		Now: w.clock.Now, Clock: w.clock, SlackAPIURL: w.slack.APIURL(), TwilioTransport: w.twilio.Transport(),
	})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	public, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	private, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.base = "http://" + public.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, public, private) }()
	stopped := false
	w.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(func() { w.stop() })
	if res, err := w.client.Get(w.base + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %v %v", res, err)
	}
}

// run runs f as the subtest name, the helpers failing that subtest.
func (w *whole) run(name string, f func(t *testing.T)) {
	parent := w.t
	parent.Run(name, func(t *testing.T) {
		w.t = t
		defer func() { w.t = parent }()
		f(t)
	})
}

// restart stops trygg (flushing its counters) and starts it again on the same store.
func (w *whole) restart() {
	w.stop()
	w.start()
}

// waitSleeper waits until something sleeps until at, on the fake clock.
func (w *whole) waitSleeper(ctx context.Context, at time.Time) {
	w.t.Helper()
	for n := 1; ; n++ {
		if err := w.clock.WaitSleepers(ctx, n); err != nil {
			w.t.Fatalf("nothing sleeps until %v: %v (sleepers %v)", at, err, w.clock.Sleepers())
		}
		for _, s := range w.clock.Sleepers() {
			if s.Equal(at) {
				return
			}
		}
	}
}

func (w *whole) nonce() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// do sends r to the public listener and returns the status and body.
func (w *whole) do(r *http.Request) (int, []byte) {
	w.t.Helper()
	res, err := testkit.Do(w.client, w.base, r)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

// sms texts trygg from number as Twilio delivers an SMS, and returns the replies' texts.
func (w *whole) sms(from, text string) string {
	w.t.Helper()
	w.sid++
	form := url.Values{"MessageSid": {fmt.Sprintf("SM%s%08d", w.nonce()+w.nonce(), w.sid)}, "AccountSid": {waAccount},
		"From": {from}, "To": {waFrom}, "Body": {text}, "NumSegments": {"1"}, "NumMedia": {"0"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	code, body := w.do(testkit.TwilioRequest(waToken, waPublic+"/twilio/sms", form))
	if code != http.StatusOK {
		w.t.Fatalf("SMS %q: %d %s", text, code, body)
	}
	var resp struct {
		Messages []string `xml:"Message"`
	}
	if err := xml.Unmarshal(body, &resp); err != nil {
		w.t.Fatalf("TwiML: %v\n%s", err, body)
	}
	return strings.Join(resp.Messages, "\n")
}

// slash runs /trygg text as user and returns the answer's texts, inline or through the
// response_url.
func (w *whole) slash(user, text string) string { return jsonTexts(w.slashRaw(user, text)) }

// slashRaw runs /trygg text as user and returns the answer's JSON.
func (w *whole) slashRaw(user, text string) []byte {
	w.t.Helper()
	before := len(w.slack.Responses())
	body := testkit.SlashCommand{Channel: waStaff, User: user, Text: text, ResponseURL: w.slack.ResponseURL()}.Body()
	code, answer := w.do(testkit.SlackRequest(waSecret, "/slack/commands", "application/x-www-form-urlencoded", body, time.Now()))
	if code != http.StatusOK {
		w.t.Fatalf("/trygg %s: %d %s", text, code, answer)
	}
	if jsonTexts(answer) != "" {
		return answer
	}
	w.slack.WaitFor(w.t, "the answer to /trygg "+text, func() bool { return len(w.slack.Responses()) > before })
	return w.slack.Responses()[before]
}

// buttonValue returns the value of the button action in a Slack message's JSON.
func buttonValue(raw []byte, action string) string {
	var m struct {
		Blocks []struct {
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, b := range m.Blocks {
		for _, e := range b.Elements {
			if e.ActionID == action {
				return e.Value
			}
		}
	}
	return ""
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// press presses a button as Slack delivers it and returns the answer (often empty).
func (w *whole) press(a testkit.BlockAction) []byte {
	w.t.Helper()
	if a.ResponseURL == "" {
		a.ResponseURL = strings.Replace(w.slack.ResponseURL(), "/commands/", "/actions/", 1)
	}
	code, body := w.do(testkit.SlackRequest(waSecret, "/slack/interactions", "application/x-www-form-urlencoded", a.Body(), time.Now()))
	if code != http.StatusOK {
		w.t.Fatalf("button %s: %d %s", a.ActionID, code, body)
	}
	return body
}

// event delivers an Events API event.
func (w *whole) event(e testkit.MessageEvent) {
	w.t.Helper()
	code, body := w.do(testkit.SlackRequest(waSecret, "/slack/events", "application/json", e.Body(), time.Now()))
	if code != http.StatusOK {
		w.t.Fatalf("event: %d %s", code, body)
	}
}

// postsIn returns the messages posted to channel at its top level.
func (w *whole) postsIn(channel string) []testkit.SlackCall {
	var out []testkit.SlackCall
	for _, c := range w.slack.Posts() {
		if c.Channel() == channel && c.ThreadTS() == "" {
			out = append(out, c)
		}
	}
	return out
}

// card waits for the next handoff card in the staff channel naming channel, and returns
// it with its case code.
func (w *whole) card(channel string) (testkit.SlackCall, string) {
	w.t.Helper()
	var card testkit.SlackCall
	w.slack.WaitFor(w.t, "a handoff card", func() bool {
		for _, c := range w.postsIn(waStaff) {
			if !w.cards[c.TS] && strings.Contains(c.Text(), "Ärende K-") {
				card = c
				return true
			}
		}
		return false
	})
	w.cards[card.TS] = true
	if txt := slackText(card); !strings.Contains(txt, channel) {
		w.t.Errorf("the card does not say %s: %s", channel, txt)
	}
	return card, regexp.MustCompile(`K-[0-9A-Z]{4}`).FindString(card.Text())
}

// thread returns the texts posted in the thread of ts.
func (w *whole) thread(ts string) []string {
	var out []string
	for _, c := range w.slack.Posts() {
		if c.ThreadTS() == ts {
			out = append(out, slackText(c))
		}
	}
	return out
}

// updated reports whether the message at ts was updated to say want.
func (w *whole) updated(ts, want string) bool {
	for _, c := range w.slack.Of("chat.update") {
		if c.TS == ts && strings.Contains(slackText(c), want) {
			return true
		}
	}
	return false
}

// noNumbersInSlack checks every call to the fake Slack for a phone number.
func (w *whole) noNumbersInSlack() {
	w.t.Helper()
	for _, c := range w.slack.Calls() {
		if m := phoneRE.FindString(slackText(c)); m != "" {
			w.t.Errorf("a phone number reached Slack in %s: %q", c.Method, m)
		}
	}
}

// slackText is a call's text and the texts of its blocks.
func slackText(c testkit.SlackCall) string {
	return c.Text() + "\n" + jsonTexts([]byte(c.Form.Get("blocks")))
}

// jsonTexts returns every string under a "text" key of a Slack JSON message or blocks, and
// the file names and titles, one per line.
func jsonTexts(raw []byte) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

// waChat is a browser in the web chat: it keeps the session cookie and the request token
// as the page's script does.
type waChat struct {
	w       *whole
	session *http.Cookie
	token   string
}

// webChat opens the web chat's page.
func (w *whole) webChat() *waChat {
	w.t.Helper()
	session, token := webSession(w.t, w.base)
	return &waChat{w: w, session: session, token: token}
}

// say sends one message and returns the replies' texts.
func (c *waChat) say(text string) []string { return c.post("/chat", url.Values{"message": {text}}) }

// poll asks for what staff wrote, as the page's script does, until something came: staff
// replies reach the web chat in the background, with nothing else to show they arrived.
func (c *waChat) poll() []string {
	c.w.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		if got := c.post("/chat/poll", url.Values{}); len(got) > 0 {
			return got
		}
		select {
		case <-tick.C:
		case <-deadline:
			c.w.t.Fatal("the web chat's poll got nothing for 10 s")
			return nil
		}
	}
}

func (c *waChat) post(path string, form url.Values) []string {
	t := c.w.t
	t.Helper()
	form.Set("csrf", c.token)
	req, _ := http.NewRequest(http.MethodPost, c.w.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	req.AddCookie(c.session)
	res, err := c.w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a struct {
		Replies []struct {
			Text string `json:"text"`
		} `json:"replies"`
		CSRF string `json:"csrf"`
	}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d, %v", path, res.StatusCode, err)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == c.session.Name {
			c.session = ck
		}
	}
	if a.CSRF != "" {
		c.token = a.CSRF
	}
	var out []string
	for _, r := range a.Replies {
		out = append(out, r.Text)
	}
	return out
}
