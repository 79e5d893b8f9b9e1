package testkit_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/vasteras/trygg/internal/testkit"
)

// Twilio's published example (twilio.com/docs/usage/security) and twilio-go's own vectors.
var (
	publishedURL    = "https://mycompany.com/myapp.php?foo=1&bar=2"
	publishedParams = map[string]string{
		"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
		"From": "+12349013030", "To": "+18005551212",
	}
	twilioGoParams = map[string]string{
		"Digits": "1234", "CallSid": "CA1234567890ABCDE", "To": "+18005551212",
		"Caller": "+14158675309", "From": "+14158675309",
		"ReasonConferenceEnded": "test", "Reason": "Participant",
	}
)

func TestTwilioSignature(t *testing.T) {
	for _, v := range []struct {
		name, url string
		params    map[string]string
		want      string
	}{
		{"published", publishedURL, publishedParams, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
		{"twilio-go https", publishedURL, twilioGoParams, "vOEb5UThFn24KEfnOFLQY2AE5FY="},
		{"twilio-go http", "http://mycompany.com/myapp.php?foo=1&bar=2", twilioGoParams, "n2xBNyzSW7rfYStDtOFiFMv7qNo="},
	} {
		if got := testkit.TwilioSignature("12345", v.url, v.params); got != v.want {
			t.Errorf("%s: %q, want %q", v.name, got, v.want)
		}
	}
	form := url.Values{"From": {"+46701740605"}, "Body": {"Hej & välkommen"}}
	r := testkit.TwilioRequest("tok", "https://trygg.example.se/twilio/sms?x=1", form)
	val := client.NewRequestValidator("tok")
	if !val.Validate("https://trygg.example.se/twilio/sms?x=1", testkit.FormParams(form), r.Header.Get("X-Twilio-Signature")) {
		t.Error("twilio-go refuses TwilioRequest's signature")
	}
	if r.URL.Path != "/twilio/sms" || r.Host != "trygg.example.se" {
		t.Errorf("request to %s on %s", r.URL.Path, r.Host)
	}
	if testkit.TwilioRequest("", "https://x/y", form).Header.Get("X-Twilio-Signature") != "" {
		t.Error("an empty token signed the request")
	}
}

// Slack's published example ("Verifying requests from Slack").
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = 1531420618
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSlackSignature(t *testing.T) {
	if got := testkit.SlackSignature(exampleSecret, exampleTimestamp, []byte(exampleBody)); got != exampleSignature {
		t.Fatalf("%s, want Slack's %s", got, exampleSignature)
	}
	now := time.Now()
	r := testkit.SlackRequest("s3cret", "/slack/commands", "application/x-www-form-urlencoded", []byte("a=1"), now)
	sv, err := slackapi.NewSecretsVerifier(r.Header, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	sv.Write([]byte("a=1"))
	if err := sv.Ensure(); err != nil {
		t.Errorf("slack-go refuses SlackRequest: %v", err)
	}
	if r.Header.Get("X-Slack-Request-Timestamp") != strconv.FormatInt(now.Unix(), 10) {
		t.Error("timestamp")
	}
}

func TestTwilioAPI(t *testing.T) {
	const sid, token = "AC0123456789abcdef0123456789abcdef", "trygg0test0auth0token0123456789a"
	f := testkit.NewTwilioAPI(t, sid, token)
	c := &client.Client{Credentials: client.NewCredentials(sid, token), HTTPClient: &http.Client{Transport: f.Transport()}}
	c.SetAccountSid(sid)
	api := openapi.NewApiServiceWithClient(c)
	send := func(to string) (*openapi.ApiV2010Message, error) {
		return api.CreateMessage((&openapi.CreateMessageParams{}).SetTo(to).SetFrom("+46700000000").
			SetBody("Hej").SetStatusCallback("https://trygg.example.se/twilio/status"))
	}
	m, err := send("+46701234567")
	if err != nil {
		t.Fatal(err)
	}
	if m.Sid == nil || len(*m.Sid) != 34 || (*m.Sid)[:2] != "SM" || m.Status == nil || *m.Status != "queued" || *m.To != "+46701234567" {
		t.Errorf("created %+v", m)
	}
	f.OptOut("+46709999999")
	var rest *client.TwilioRestError
	if _, err := send("+46709999999"); !errors.As(err, &rest) || rest.Code != 21610 {
		t.Errorf("opted out: %v", err)
	}
	f.FailNext(testkit.ErrInternal)
	if _, err := send("+46701234567"); !errors.As(err, &rest) || rest.Code != 20500 {
		t.Errorf("FailNext: %v", err)
	}
	if got := f.Messages(); len(got) != 1 || got[0].Body != "Hej" || f.Requests() != 3 {
		t.Errorf("messages %+v, requests %d", got, f.Requests())
	}
	cb := f.StatusCallback(f.Messages()[0], "delivered", "")
	val := client.NewRequestValidator(token)
	if err := cb.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if !val.Validate("https://trygg.example.se/twilio/status", testkit.FormParams(cb.PostForm), cb.Header.Get("X-Twilio-Signature")) ||
		cb.PostForm.Get("MessageStatus") != "delivered" || cb.URL.Path != "/twilio/status" {
		t.Errorf("status callback %v", cb.PostForm)
	}
}

func TestSlackAPI(t *testing.T) {
	f := testkit.NewSlackAPI(t, "xoxb-test")
	api := f.Client()
	ctx := context.Background()
	ch, ts, err := api.PostMessageContext(ctx, "C0STAFF", slackapi.MsgOptionText("Ärende", false),
		slackapi.MsgOptionBlocks(slackapi.NewSectionBlock(slackapi.NewTextBlockObject("mrkdwn", "*hej*", false, false), nil, nil)))
	if err != nil || ch != "C0STAFF" || ts == "" {
		t.Fatalf("post: %q %q %v", ch, ts, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C0STAFF", ts, slackapi.MsgOptionText("Ärende tagen", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.UploadFileContext(ctx, slackapi.UploadFileParameters{Channel: "C0STAFF", Filename: "a.png", FileSize: 3, Reader: bytes.NewReader([]byte("png")), Title: "Karta"}); err != nil {
		t.Fatal(err)
	}
	f.FailNext("chat.postMessage", "not_in_channel")
	if _, _, err := api.PostMessageContext(ctx, "C0OTHER", slackapi.MsgOptionText("x", false)); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("FailNext: %v", err)
	}
	if err := slackapi.PostWebhookContext(ctx, f.ResponseURL(), &slackapi.WebhookMessage{Text: "svar"}); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 4 || calls[0].Method != "chat.postMessage" || calls[0].Text() != "Ärende" || len(calls[0].Blocks()) != 1 ||
		calls[1].Method != "chat.update" || calls[1].TS != ts {
		t.Errorf("calls %+v", calls)
	}
	if up := f.Uploads(); len(up) != 1 || string(up[0].Data) != "png" || up[0].Channel != "C0STAFF" || up[0].Title != "Karta" {
		t.Errorf("uploads %+v", up)
	}
	if f.Count("chat.postMessage") != 2 || len(f.Responses()) != 1 {
		t.Errorf("count %d, responses %d", f.Count("chat.postMessage"), len(f.Responses()))
	}
	f.WaitFor(t, "the response", func() bool { return len(f.Responses()) == 1 })
}
