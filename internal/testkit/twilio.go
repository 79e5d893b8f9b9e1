package testkit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TwilioSignature is X-Twilio-Signature as Twilio computes it:
// base64(HMAC-SHA1(token, url + each parameter's name and value, names sorted byte-wise)).
// url is exactly the URL Twilio calls, query included. It is written independently of
// twilio-go and proven on Twilio's published vector and twilio-go's (TestTwilioSignature).
func TwilioSignature(token, url string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(url))
	for _, k := range keys {
		mac.Write([]byte(k))
		mac.Write([]byte(params[k]))
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// FormParams returns the first value of each field of form, as Twilio signs a form.
func FormParams(form url.Values) map[string]string {
	m := make(map[string]string, len(form))
	for k, v := range form {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	return m
}

// TwilioRequest returns a POST of form to fullURL (the public URL Twilio calls, e.g.
// https://trygg.example.se/twilio/sms), signed with token as Twilio signs its webhooks.
// An empty token leaves the request unsigned. Serve it to a handler directly, or send it
// elsewhere with r.URL rewritten: the signature covers fullURL only.
func TwilioRequest(token, fullURL string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, fullURL, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		r.Header.Set("X-Twilio-Signature", TwilioSignature(token, fullURL, FormParams(form)))
	}
	return r
}

// TwilioMessage is one message trygg created through the fake Messages API.
type TwilioMessage struct {
	SID, To, From, MessagingServiceSID, Body, StatusCallback string
	// ContentSID and ContentVariables are a Content API template and its variables (JSON),
	// as WhatsApp outside its 24-hour window needs; "" for a message with a Body.
	ContentSID, ContentVariables string
	// Form is the whole request as sent.
	Form url.Values
	// At is when it was created, by the fake's clock.
	At time.Time
}

// TwilioError is an error answer of Twilio's REST API, as its JSON says it.
type TwilioError struct {
	// Status is the HTTP status, Code Twilio's error code.
	Status, Code int
	Message      string
	// RetryAfter, when set, is sent as the Retry-After header (429).
	RetryAfter string
}

// Twilio's errors that trygg meets.
var (
	// ErrUnsubscribed is 21610: the recipient answered STOP.
	ErrUnsubscribed = TwilioError{Status: http.StatusBadRequest, Code: 21610, Message: "Attempt to send to unsubscribed recipient"}
	// ErrInvalidTo is 21211: the To number is not a phone number.
	ErrInvalidTo = TwilioError{Status: http.StatusBadRequest, Code: 21211, Message: "The 'To' number is not a valid phone number."}
	// ErrTooManyRequests is 20429, with Retry-After.
	ErrTooManyRequests = TwilioError{Status: http.StatusTooManyRequests, Code: 20429, Message: "Too Many Requests", RetryAfter: "3"}
	// ErrInternal is 20500.
	ErrInternal = TwilioError{Status: http.StatusInternalServerError, Code: 20500, Message: "Internal Server Error"}
	// ErrOutsideWindow is 63016: WhatsApp free text outside the 24-hour window. Twilio
	// mostly reports it later, in a status callback (StatusCallback with "failed" and
	// "63016"); an answer to the create request is the rarer case.
	ErrOutsideWindow = TwilioError{Status: http.StatusBadRequest, Code: 63016, Message: "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template."}
	// ErrBlocked is 63014: the WhatsApp user blocked the sender or withdrew consent.
	ErrBlocked = TwilioError{Status: http.StatusBadRequest, Code: 63014, Message: "Channel message blocked by user action"}
)

// ServeHTTP answers with the error's JSON, as Twilio does: a TwilioError is an answer for
// AnswerNext.
func (e TwilioError) ServeHTTP(w http.ResponseWriter, _ *http.Request) { e.write(w) }

// write answers with the error's JSON, as Twilio does.
func (e TwilioError) write(w http.ResponseWriter) {
	if e.RetryAfter != "" {
		w.Header().Set("Retry-After", e.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]any{
		"code": e.Code, "message": e.Message, "status": e.Status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", e.Code),
	})
	w.Write(b)
}

// TwilioAPI is Twilio's REST API for Messages.json on an httptest server: it checks the
// account's basic auth, records each message it creates and answers with Twilio's JSON;
// numbers set with OptOut get 21610, and FailNext scripts the next answers. Point twilio-go
// at it with Transport.
type TwilioAPI struct {
	// Server is the httptest server.
	Server *httptest.Server

	t                tb
	accountSID, auth string

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every request
	now      func() time.Time
	optedOut map[string]bool
	next     []http.Handler
	forms    []url.Values
	messages []TwilioMessage
	onCreate func(TwilioMessage)
}

// NewTwilioAPI starts a fake of Twilio's Messages API for the account; it closes with t.
func NewTwilioAPI(t tb, accountSID, authToken string) *TwilioAPI {
	f := &TwilioAPI{t: t, accountSID: accountSID, auth: authToken, changed: make(chan struct{}), now: time.Now, optedOut: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// SetNow sets the clock the messages' At is read from.
func (f *TwilioAPI) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// OptOut makes messages to the numbers fail with 21610, as after a STOP.
func (f *TwilioAPI) OptOut(numbers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range numbers {
		f.optedOut[n] = true
	}
}

// FailNext makes the next requests fail with errs, one each, before any message is made.
func (f *TwilioAPI) FailNext(errs ...TwilioError) {
	for _, e := range errs {
		f.AnswerNext(e)
	}
}

// AnswerNext makes the next requests get these answers, one each, instead of a message
// (a TwilioError, or e.g. a proxy's HTML 502).
func (f *TwilioAPI) AnswerNext(hs ...http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = append(f.next, hs...)
}

// OnCreate calls fn after each message is created (with the fake unlocked).
func (f *TwilioAPI) OnCreate(fn func(TwilioMessage)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onCreate = fn
}

// Transport carries twilio-go's requests, fixed to api.twilio.com, to the fake.
func (f *TwilioAPI) Transport() http.RoundTripper {
	u, _ := url.Parse(f.Server.URL)
	return Rewrite{Target: u}
}

// Messages returns the messages created so far.
func (f *TwilioAPI) Messages() []TwilioMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TwilioMessage(nil), f.messages...)
}

// Requests is how many create requests arrived, failed ones too.
func (f *TwilioAPI) Requests() int { return len(f.Forms()) }

// Forms returns the form of every create request that arrived, failed ones too.
func (f *TwilioAPI) Forms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func (f *TwilioAPI) serve(w http.ResponseWriter, r *http.Request) {
	notFound := TwilioError{Status: http.StatusNotFound, Code: 20404, Message: "The requested resource " + r.URL.Path + " was not found"}
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+f.accountSID+"/Messages.json" {
		f.t.Errorf("fake Twilio API: unexpected %s %s", r.Method, r.URL.Path)
		notFound.write(w)
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != f.accountSID || pass != f.auth {
		TwilioError{Status: http.StatusUnauthorized, Code: 20003, Message: "Authenticate"}.write(w)
		return
	}
	if err := r.ParseForm(); err != nil {
		TwilioError{Status: http.StatusBadRequest, Code: 21600, Message: err.Error()}.write(w)
		return
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	close(f.changed)
	f.changed = make(chan struct{})
	if len(f.next) > 0 {
		h := f.next[0]
		f.next = f.next[1:]
		f.mu.Unlock()
		h.ServeHTTP(w, r)
		return
	}
	to := r.PostForm.Get("To")
	if f.optedOut[to] {
		f.mu.Unlock()
		ErrUnsubscribed.write(w)
		return
	}
	if cs := r.PostForm.Get("ContentSid"); cs != "" && (len(cs) != 34 || !strings.HasPrefix(cs, "HX") || r.PostForm.Get("Body") != "") {
		f.mu.Unlock()
		TwilioError{Status: http.StatusBadRequest, Code: 21656, Message: "The ContentSid is Invalid."}.write(w)
		return
	}
	if r.PostForm.Get("Body") == "" && r.PostForm.Get("ContentSid") == "" {
		f.mu.Unlock()
		TwilioError{Status: http.StatusBadRequest, Code: 21602, Message: "Message body is required."}.write(w)
		return
	}
	if r.PostForm.Get("From") == "" && r.PostForm.Get("MessagingServiceSid") == "" {
		f.mu.Unlock()
		TwilioError{Status: http.StatusBadRequest, Code: 21603, Message: "The 'From' phone number is required."}.write(w)
		return
	}
	m := TwilioMessage{
		SID: newSID(), To: to, From: r.PostForm.Get("From"),
		MessagingServiceSID: r.PostForm.Get("MessagingServiceSid"), Body: r.PostForm.Get("Body"),
		StatusCallback: r.PostForm.Get("StatusCallback"), Form: r.PostForm, At: f.now(),
		ContentSID: r.PostForm.Get("ContentSid"), ContentVariables: r.PostForm.Get("ContentVariables"),
	}
	f.messages = append(f.messages, m)
	onCreate := f.onCreate
	f.mu.Unlock()

	created := m.At.UTC().Format(time.RFC1123Z)
	var from, mss any = m.From, nil
	if m.MessagingServiceSID != "" {
		mss = m.MessagingServiceSID
	}
	uri := "/2010-04-01/Accounts/" + f.accountSID + "/Messages/" + m.SID
	b, _ := json.Marshal(map[string]any{
		"account_sid": f.accountSID, "api_version": "2010-04-01", "body": m.Body,
		"date_created": created, "date_sent": nil, "date_updated": created,
		"direction": "outbound-api", "error_code": nil, "error_message": nil,
		"from": from, "messaging_service_sid": mss, "num_media": "0", "num_segments": "1",
		"price": nil, "price_unit": "USD", "sid": m.SID, "status": "queued",
		"subresource_uris": map[string]string{"media": uri + "/Media.json"},
		"to":               m.To, "uri": uri + ".json",
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
	if onCreate != nil {
		onCreate(m)
	}
}

// WaitFor waits until cond holds, checking after every request the fake receives; it fails
// the test t after a generous deadline. It is for work trygg does in the background.
func (f *TwilioAPI) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitFor(t, &f.mu, &f.changed, cond, func() string {
		return fmt.Sprintf("fake Twilio API: still waiting for %s; %d messages", what, len(f.Messages()))
	})
}

// StatusCallback returns the status callback Twilio would post for m, signed with the
// account's token: to m.StatusCallback, with MessageStatus status and, when not "",
// ErrorCode. It fails the test when m asked for no callback.
func (f *TwilioAPI) StatusCallback(m TwilioMessage, status, errorCode string) *http.Request {
	f.t.Helper()
	if m.StatusCallback == "" {
		f.t.Fatalf("fake Twilio API: message %s asked for no status callback", m.SID)
	}
	form := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {f.accountSID},
		"MessageStatus": {status}, "SmsStatus": {status}, "To": {m.To}, "ApiVersion": {"2010-04-01"},
	}
	if m.From != "" {
		form.Set("From", m.From)
	}
	if m.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return TwilioRequest(f.auth, m.StatusCallback, form)
}

// newSID returns a fresh MessageSid, random as Twilio's are: tests against a shared Redis
// must not meet the SIDs of an earlier run in trygg's status-callback dedupe.
func newSID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "SM" + hex.EncodeToString(b)
}

// Rewrite is a transport that sends every request to Target, keeping path and query:
// twilio-go's base URL is fixed to api.twilio.com, its HTTP client is not.
type Rewrite struct{ Target *url.URL }

// RoundTrip sends r to the target.
func (rw Rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rw.Target.Scheme, rw.Target.Host, rw.Target.Host
	return http.DefaultTransport.RoundTrip(r)
}
