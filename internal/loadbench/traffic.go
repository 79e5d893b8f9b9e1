package loadbench

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Script is what each simulated resident texts, one message after the other, round and
// round: a greeting, what happened with an age, a menu choice, an age.
var Script = []string{"hej", "Jag är 16 och blev rånad", "1", "16"}

// Trygg's number and the account the simulated Twilio signs for.
const (
	TryggNumber = "+46766860000"
	AccountSID  = "AC0123456789abcdef0123456789abcdef"
)

// Traffic makes the webhook requests of many simulated residents: resident i has its own
// made-up number and walks through Script; every request has its own MessageSid (unique to
// this Traffic, so a second run on the same Redis is not taken for a repeated delivery).
// It is safe for concurrent use.
type Traffic struct {
	residents int64
	nonce     string
	seq       atomic.Int64
}

// NewTraffic returns traffic from residents simulated residents (at least 1).
func NewTraffic(residents int) *Traffic {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Traffic{residents: int64(max(residents, 1)), nonce: hex.EncodeToString(b[:])}
}

// Next returns the parameters of the next incoming SMS, as Twilio posts them.
func (t *Traffic) Next() map[string]string {
	n := t.seq.Add(1) - 1
	who, step := n%t.residents, n/t.residents
	sid := fmt.Sprintf("SM%s%016x", t.nonce, n)
	return map[string]string{
		"ToCountry": "SE", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
		"FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "",
		"Body": Script[step%int64(len(Script))], "FromCountry": "SE", "To": TryggNumber, "ToZip": "",
		"NumSegments": "1", "MessageSid": sid, "AccountSid": AccountSID,
		"From": fmt.Sprintf("+4670%07d", who), "ApiVersion": "2010-04-01",
	}
}

// Sign returns the X-Twilio-Signature Twilio sends with a POST of params to fullURL: the
// base64 HMAC-SHA1, keyed with the auth token, of the URL followed by every parameter name
// and value in name order. This is the sender's side; the servers check it with twilio-go.
func Sign(token, fullURL string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(token))
	io.WriteString(mac, fullURL)
	for _, k := range keys {
		io.WriteString(mac, k)
		io.WriteString(mac, params[k])
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Target is one webhook under load: its URL and a keep-alive HTTP client of its own.
type Target struct {
	// Name is "bare" or "full".
	Name string
	// URL is the webhook's full URL, which is also the URL signatures are made over.
	URL    string
	Token  string
	Client *http.Client
}

// NewTarget returns a target with a client that keeps up to conns connections open.
func NewTarget(name, webhookURL, token string, conns int) *Target {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &Target{Name: name, URL: webhookURL, Token: token, Client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Send posts params, signed, and returns the status and body.
func (t *Target) Send(params map[string]string) (int, []byte, error) {
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, t.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(t.Token, t.URL, params))
	res, err := t.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, body, err
}

// ok reports whether a webhook answer is a TwiML answer.
func ok(status int, body []byte) bool {
	return status == http.StatusOK && strings.Contains(string(body), "<Response")
}

// Close drops the target's idle connections.
func (t *Target) Close() { t.Client.CloseIdleConnections() }
