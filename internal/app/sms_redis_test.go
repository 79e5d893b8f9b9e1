package app_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
	"github.com/vasteras/trygg/internal/testkit"
)

const (
	replicaToken  = "trygg0replica0auth0token0123456"
	replicaPublic = "https://trygg.example.se"
)

// twilioSign signs a webhook as Twilio does, with the test kit's signer.
func twilioSign(token, u string, form url.Values) string {
	return testkit.TwilioSignature(token, u, testkit.FormParams(form))
}

// smsReplica is one trygg serving HTTP on a shared Redis, as one pod of a Deployment.
func smsReplica(t *testing.T, redisURL string) *httptest.Server {
	t.Helper()
	env := map[string]string{
		"REDIS_URL":          redisURL,
		"TRYGG_SECRET":       "a secret shared by every replica",
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN":  replicaToken,
		"TRYGG_PUBLIC_URL":   replicaPublic,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(t.Context(), cfg, nil, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return srv
}

// text sends one signed SMS webhook to srv and returns the status and the TwiML.
func text(t *testing.T, srv *httptest.Server, from, sid, body string) (int, string) {
	t.Helper()
	form := url.Values{
		"MessageSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "From": {from},
		"To": {"+46766861004"}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"},
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/twilio/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilioSign(replicaToken, replicaPublic+"/twilio/sms", form))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, b.String()
}

// newSid returns a fresh MessageSid of Twilio's form: SM and 32 hex digits.
func newSid() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "SM" + hex.EncodeToString(b[:])
}

// TestTwoSMSReplicas: two trygg HTTP servers on one Redis, a resident's texts alternate
// between them, and the conversation stays one: the age given on A is known on B.
func TestTwoSMSReplicas(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"miniredis", func(t *testing.T) string { return redistest.StartMini(t).URL() }},
		{"redis", func(t *testing.T) string { return redistest.URL(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url(t)
			a, b := smsReplica(t, u), smsReplica(t, u)
			from := "+4670" + strconv.FormatInt(time.Now().UnixNano()%10000000, 10)
			sid := func(int) string { return newSid() }
			steps := []struct {
				srv          *httptest.Server
				body         string
				want, absent string
			}{
				{a, "Jag blev rånad", "Hur gammal", ""},
				{b, "16", youthNumber, adultNumber},
				{a, "jag blev hotad också", youthNumber, adultNumber},
				{b, "RADERA", "raderat", ""},
				{a, "jag blev rånad", "Hur gammal", ""}, // erased on B is erased on A: the age is asked again
			}
			for i, s := range steps {
				status, twiml := text(t, s.srv, from, sid(i), s.body)
				if status != http.StatusOK || !strings.Contains(twiml, s.want) || (s.absent != "" && strings.Contains(twiml, s.absent)) {
					t.Fatalf("step %d %q: %d %s; want %q and not %q", i+1, s.body, status, twiml, s.want, s.absent)
				}
			}
			// The same MessageSid delivered to both replicas is answered once, the same way.
			id := newSid()
			_, first := text(t, a, from, id, "16")
			_, again := text(t, b, from, id, "16")
			if first != again {
				t.Errorf("a retried MessageSid on the other replica got another answer:\n%s\n%s", first, again)
			}
		})
	}
}

// TestSMSRedisDown: Redis stops mid-conversation; the resident still gets the safety reply
// through the webhook within 2 s, and once Redis is back the next turn works.
func TestSMSRedisDown(t *testing.T) {
	srv := redistest.StartServer(t)
	a := smsReplica(t, srv.URL())
	from := "+46701112233"
	if status, twiml := text(t, a, from, newSid(), "Jag blev rånad"); status != 200 || !strings.Contains(twiml, "Hur gammal") {
		t.Fatalf("before: %d %s", status, twiml)
	}
	srv.Stop()
	start := time.Now()
	status, twiml := text(t, a, from, newSid(), "16")
	took := time.Since(start)
	if status != http.StatusOK || !strings.Contains(twiml, "112") || !strings.Contains(twiml, youthNumber) || !strings.Contains(twiml, adultNumber) {
		t.Errorf("Redis down: %d %s; want 200 with the safety reply", status, twiml)
	}
	if took > 2*time.Second {
		t.Errorf("Redis down: the safety reply took %v, want under 2 s", took)
	}
	srv.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, twiml = text(t, a, from, newSid(), "jag blev rånad")
		if strings.Contains(twiml, "Hur gammal") || strings.Contains(twiml, youthNumber) && !strings.Contains(twiml, adultNumber) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis back: still %d %s", status, twiml)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
