package testkit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// SlackSignature is X-Slack-Signature as Slack computes it for body sent at ts:
// "v0=" + hex(HMAC-SHA256(secret, "v0:<ts>:<body>")). It is proven on Slack's published
// example (TestSlackSignature).
func SlackSignature(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SlackRequest returns a POST of body to path, signed with secret at ts as Slack signs it.
// slack-go's verifier reads the real clock: sign valid requests at time.Now().
func SlackRequest(secret, path, contentType string, body []byte, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set("X-Slack-Signature", SlackSignature(secret, ts.Unix(), body))
	return r
}

// SlackCall is one call of the fake Web API.
type SlackCall struct {
	// Method is the Web API method, e.g. "chat.postMessage".
	Method string
	// Form is the request's form, as slack-go sends it.
	Form url.Values
	// TS is the message's ts: the one the fake gave a new message, or the one updated.
	TS string
}

// Channel, ThreadTS and Text are the call's fields of those names.
func (c SlackCall) Channel() string  { return c.Form.Get("channel") }
func (c SlackCall) ThreadTS() string { return c.Form.Get("thread_ts") }
func (c SlackCall) Text() string     { return c.Form.Get("text") }

// Blocks returns the call's blocks, decoded as Slack reads them (nil when none).
func (c SlackCall) Blocks() []slackapi.Block {
	raw := c.Form.Get("blocks")
	if raw == "" {
		return nil
	}
	var b slackapi.Blocks
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return nil
	}
	return b.BlockSet
}

// SlackUpload is one file shared through the fake: files.getUploadURLExternal, a POST of
// the bytes to the URL it gave, files.completeUploadExternal.
type SlackUpload struct {
	ID, Filename, AltText, Title, Channel, ThreadTS, InitialComment string
	Data                                                            []byte
}

// SlackAPI is Slack's Web API on an httptest server, for the methods trygg calls:
// chat.postMessage, chat.update, chat.postEphemeral, the three steps of files.uploadV2,
// auth.test, conversations.info and users.info. It checks the bot token, records every
// call and answers with Slack's JSON. It also takes the posts to slash commands'
// response_url (ResponseURL). Point slack-go at it with APIURL or Client.
type SlackAPI struct {
	// Server is the httptest server.
	Server *httptest.Server

	t     tb
	token string

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every call
	fail      string
	failNext  map[string][]string
	counts    map[string]int
	calls     []SlackCall
	posts     int
	tsBase    int64 // the seconds of the first message's ts
	pending   map[string]*SlackUpload
	uploads   []SlackUpload
	responses []json.RawMessage
}

// NewSlackAPI starts a fake of Slack's Web API that expects token ("" accepts any); it
// closes with t.
func NewSlackAPI(t tb, token string) *SlackAPI {
	f := &SlackAPI{t: t, token: token, changed: make(chan struct{}), failNext: map[string][]string{},
		counts: map[string]int{}, pending: map[string]*SlackUpload{}}
	// Each fake's messages get their own ts, as Slack's are unique: a test against a shared
	// Redis must not meet the cards of an earlier run.
	n, _ := rand.Int(rand.Reader, big.NewInt(1e8))
	f.tsBase = 1_700_000_000 + n.Int64()
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// APIURL is the address for slack.OptionAPIURL, with its trailing slash.
func (f *SlackAPI) APIURL() string { return f.Server.URL + "/" }

// Client returns a slack-go client of the fake, with the fake's token.
func (f *SlackAPI) Client(opts ...slackapi.Option) *slackapi.Client {
	return slackapi.New(f.token, append([]slackapi.Option{slackapi.OptionAPIURL(f.APIURL())}, opts...)...)
}

// ResponseURL is a slash command's response_url in Slack's shape, on the fake.
func (f *SlackAPI) ResponseURL() string {
	return f.Server.URL + "/commands/T0TEAM/1234567890/abcdefghijklmnopqrstuvwx"
}

// Fail makes every call fail with err (e.g. "not_in_channel"); "" ends it.
func (f *SlackAPI) Fail(err string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// FailNext makes the next calls of method fail with errs, one each.
func (f *SlackAPI) FailNext(method string, errs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext[method] = append(f.failNext[method], errs...)
}

// Calls returns the calls so far, failed ones excluded, in order.
func (f *SlackAPI) Calls() []SlackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SlackCall(nil), f.calls...)
}

// Posts returns the chat.postMessage calls so far.
func (f *SlackAPI) Posts() []SlackCall { return f.Of("chat.postMessage") }

// Of returns the successful calls of method so far.
func (f *SlackAPI) Of(method string) []SlackCall {
	var out []SlackCall
	for _, c := range f.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Count is how often method was called, failed calls too.
func (f *SlackAPI) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[method]
}

// Uploads returns the files shared so far.
func (f *SlackAPI) Uploads() []SlackUpload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SlackUpload(nil), f.uploads...)
}

// Responses returns what was posted to response URLs so far.
func (f *SlackAPI) Responses() []json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]json.RawMessage(nil), f.responses...)
}

// WaitFor waits until cond holds, checking after every call the fake receives; it fails
// the test t after a generous deadline. It is for work trygg does in the background.
func (f *SlackAPI) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitFor(t, &f.mu, &f.changed, cond, func() string {
		return fmt.Sprintf("fake Slack API: still waiting for %s; calls: %d", what, len(f.Calls()))
	})
}

// notify wakes WaitFor; f.mu is held.
func (f *SlackAPI) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *SlackAPI) serve(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/upload/"); ok {
		f.receiveFile(w, r, id)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/commands/") || strings.HasPrefix(r.URL.Path, "/actions/") {
		f.receiveResponse(w, r)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/")
	w.Header().Set("Content-Type", "application/json")
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("fake Slack API: %s: %v", method, err)
	}
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token && r.PostForm.Get("token") != f.token {
		f.t.Errorf("fake Slack API: %s called without the bot token", method)
		fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	f.counts[method]++
	fail := f.fail
	if errs := f.failNext[method]; len(errs) > 0 {
		f.failNext[method], fail = errs[1:], errs[0]
	}
	if fail != "" {
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, fail)
		return
	}
	c := SlackCall{Method: method, Form: r.PostForm}
	var answer any
	switch method {
	case "chat.postMessage":
		f.posts++
		c.TS = fmt.Sprintf("%d.000200", f.tsBase+int64(f.posts))
		answer = map[string]any{"ok": true, "channel": c.Channel(), "ts": c.TS, "message": f.message(c)}
	case "chat.update":
		c.TS = r.PostForm.Get("ts")
		answer = map[string]any{"ok": true, "channel": c.Channel(), "ts": c.TS, "text": c.Text(), "message": f.message(c)}
	case "chat.postEphemeral":
		answer = map[string]any{"ok": true, "message_ts": "1763283000.000300"}
	case "auth.test":
		answer = map[string]any{"ok": true, "url": "https://vasteras.slack.com/", "team": "Västerås", "user": "trygg",
			"team_id": "T0TEAM", "user_id": "U0TRYGG", "bot_id": "B0TRYGG", "is_enterprise_install": false}
	case "conversations.info":
		id := r.PostForm.Get("channel")
		answer = map[string]any{"ok": true, "channel": map[string]any{"id": id, "name": "trygg", "is_channel": true, "is_member": true}}
	case "users.info":
		id := r.PostForm.Get("user")
		answer = map[string]any{"ok": true, "user": map[string]any{"id": id, "team_id": "T0TEAM", "name": "anna", "real_name": "Anna", "tz": "Europe/Stockholm"}}
	case "files.getUploadURLExternal":
		size, err := strconv.Atoi(r.PostForm.Get("length"))
		if err != nil || size <= 0 || r.PostForm.Get("filename") == "" {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		id := fmt.Sprintf("F0%07d", len(f.pending)+len(f.uploads)+1)
		f.pending[id] = &SlackUpload{ID: id, Filename: r.PostForm.Get("filename"), AltText: r.PostForm.Get("alt_txt"), Data: make([]byte, 0, size)}
		answer = map[string]any{"ok": true, "upload_url": f.Server.URL + "/upload/" + id, "file_id": id}
	case "files.completeUploadExternal":
		var files []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(r.PostForm.Get("files")), &files); err != nil || len(files) != 1 {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		u := f.pending[files[0].ID]
		if u == nil || len(u.Data) == 0 {
			fmt.Fprint(w, `{"ok":false,"error":"file_not_found"}`)
			return
		}
		delete(f.pending, u.ID)
		u.Title, u.Channel, u.ThreadTS = files[0].Title, r.PostForm.Get("channel_id"), r.PostForm.Get("thread_ts")
		u.InitialComment = r.PostForm.Get("initial_comment")
		f.uploads = append(f.uploads, *u)
		answer = map[string]any{"ok": true, "files": []map[string]any{{"id": u.ID, "title": u.Title}}}
	default:
		f.t.Errorf("fake Slack API: unexpected call %s", method)
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		return
	}
	f.calls = append(f.calls, c)
	b, _ := json.Marshal(answer)
	w.Write(b)
}

// message is the "message" object Slack returns for a post or update.
func (f *SlackAPI) message(c SlackCall) map[string]any {
	m := map[string]any{"type": "message", "subtype": "bot_message", "text": c.Text(), "ts": c.TS,
		"bot_id": "B0TRYGG", "user": "U0TRYGG", "team": "T0TEAM"}
	if th := c.ThreadTS(); th != "" {
		m["thread_ts"] = th
	}
	if raw := c.Form.Get("blocks"); raw != "" {
		m["blocks"] = json.RawMessage(raw)
	}
	return m
}

// receiveFile takes the bytes of a file at its upload URL: a multipart form with the file
// in the field "file", as slack-go sends it.
func (f *SlackAPI) receiveFile(w http.ResponseWriter, r *http.Request, id string) {
	file, _, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("fake Slack upload: %v", err)
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		f.t.Errorf("fake Slack upload: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	u := f.pending[id]
	if u == nil {
		http.NotFound(w, r)
		return
	}
	if len(data) != cap(u.Data) {
		f.t.Errorf("fake Slack upload: %d bytes, announced %d", len(data), cap(u.Data))
	}
	u.Data = data
	fmt.Fprintf(w, "OK - %d", len(data))
}

// receiveResponse takes a post to a response_url: JSON, answered "ok" as Slack does.
func (f *SlackAPI) receiveResponse(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("response_url: Content-Type = %q", ct)
	}
	body, _ := io.ReadAll(r.Body)
	if !json.Valid(body) {
		f.t.Errorf("response_url: not JSON: %s", body)
	}
	f.mu.Lock()
	f.responses = append(f.responses, body)
	f.notify()
	f.mu.Unlock()
	io.WriteString(w, "ok")
}

// The workspace of the bodies below when a field is left empty.
const (
	DefaultTeam    = "T0TEAM"
	DefaultChannel = "C0TRYGG"
	DefaultUser    = "U0STAFF"
	DefaultBotUser = "U0TRYGG"
)

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// SlashCommand is a slash command as Slack posts it; empty fields get the defaults.
type SlashCommand struct {
	Team, Channel, User, Command, Text, ResponseURL string
}

// Body is the form Slack posts, field for field.
func (c SlashCommand) Body() []byte {
	return []byte(url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {or(c.Team, DefaultTeam)}, "team_domain": {"vasteras"},
		"channel_id": {or(c.Channel, DefaultChannel)}, "channel_name": {"trygg"},
		"user_id": {or(c.User, DefaultUser)}, "user_name": {"anna"}, "command": {or(c.Command, "/trygg")},
		"text": {c.Text}, "api_app_id": {"A0TRYGG"}, "is_enterprise_install": {"false"},
		"response_url": {or(c.ResponseURL, "https://hooks.slack.com/commands/T0TEAM/1/x")},
		"trigger_id":   {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode())
}

// BlockAction is a button pressed in a message, as Slack posts it to the interactivity URL;
// empty fields get the defaults.
type BlockAction struct {
	Team, Channel, User, ActionID, BlockID, Value, ResponseURL, MessageTS string
}

// Body is the form Slack posts: the payload field holding the interaction's JSON.
func (a BlockAction) Body() []byte {
	team := or(a.Team, DefaultTeam)
	p := map[string]any{
		"type": "block_actions", "api_app_id": "A0TRYGG", "token": "XXYYZZ", "trigger_id": "1.2.3",
		"team":      map[string]any{"id": team, "domain": "vasteras"},
		"user":      map[string]any{"id": or(a.User, DefaultUser), "username": "anna", "team_id": team},
		"channel":   map[string]any{"id": or(a.Channel, DefaultChannel), "name": "trygg"},
		"container": map[string]any{"type": "message", "message_ts": or(a.MessageTS, "1763283001.000200"), "channel_id": or(a.Channel, DefaultChannel)},
		"actions": []map[string]any{{"type": "button", "action_id": a.ActionID, "block_id": or(a.BlockID, "actions"),
			"value": a.Value, "action_ts": "1763283600.000300"}},
	}
	if a.ResponseURL != "" {
		p["response_url"] = a.ResponseURL
	}
	b, _ := json.Marshal(p)
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// MessageEvent is a message posted in a channel or a thread, as the Events API delivers it
// (event_callback, type message); empty fields get the defaults.
type MessageEvent struct {
	EventID, Team, Channel, User, Text, TS, ThreadTS string
}

// Body is the JSON Slack posts.
func (m MessageEvent) Body() []byte {
	team := or(m.Team, DefaultTeam)
	ev := map[string]any{"type": "message", "channel": or(m.Channel, DefaultChannel), "channel_type": "channel",
		"user": or(m.User, DefaultUser), "text": m.Text, "ts": or(m.TS, "1763283700.000900"), "team": team}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
	}
	b, _ := json.Marshal(map[string]any{
		"token": "XXYYZZ", "team_id": team, "api_app_id": "A0TRYGG", "type": "event_callback",
		"event_id": m.EventID, "event_time": 1763283700, "event": ev,
		"authorizations": []map[string]any{{"team_id": team, "user_id": DefaultBotUser, "is_bot": true}},
	})
	return b
}

// Do sends r, a request built for a handler (TwilioRequest, SlackRequest), to the server at
// base ("http://127.0.0.1:port") with client, keeping its path, query, headers and body.
func Do(client *http.Client, base string, r *http.Request) (*http.Response, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = u.Scheme, u.Host
	out.Host = u.Host
	return client.Do(out)
}
