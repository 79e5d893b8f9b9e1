package main

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/locales"
)

const (
	youthNumber = "010-567 63 25"
	adultNumber = "021-41 32 60"
)

// env returns a getenv for the given NAME=value pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// result is what one run of trygg did.
type result struct {
	code           int
	stdout, stderr string
}

// trygg runs the program in-process with args, stdin and environment.
func trygg(t *testing.T, getenv func(string) string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, getenv)
	return result{code, out.String(), errOut.String()}
}

// embeddedSet is the embedded flow set, loaded once.
var embeddedSet = sync.OnceValues(func() (*flows.Set, error) {
	return flows.Load(flows.EmbeddedSource(locales.Embedded()))
})

// text returns message id in lang from the embedded texts.
func text(t *testing.T, lang, id string) string {
	t.Helper()
	set, err := embeddedSet()
	if err != nil {
		t.Fatal(err)
	}
	// As `trygg chat` says it: without Slack, so no staffed hours.
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	data, err := set.Catalog.TextData(lang, app.TextConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := set.Catalog.Render(lang, id, data)
	if !ok {
		t.Fatalf("no message %s in %s", id, lang)
	}
	return s
}

// answers splits chat's output into one answer per input line.
func answers(stdout string) []string {
	return strings.Split(strings.TrimSuffix(stdout, "\n"), "\n\n")
}

// TestDoneWhen is the acceptance line:
// printf 'Jag är 16 och blev rånad\n' | go run ./cmd/trygg chat
// prints 010-567 63 25 and not 021-41 32 60.
func TestDoneWhen(t *testing.T) {
	r := trygg(t, env(), "Jag är 16 och blev rånad\n", "chat")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, youthNumber) || strings.Contains(r.stdout, adultNumber) {
		t.Errorf("stdout %q: want %s and not %s", r.stdout, youthNumber, adultNumber)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q, want nothing", r.stderr)
	}
}

func TestChat(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string // each answer, one per input line
	}{
		{"a greeting", nil, "hej\n", []string{text(t, "sv", "welcome")}},
		{"English with --lang en", []string{"--lang", "en"}, "hello\n", []string{text(t, "en", "welcome")}},
		// An emoji says nothing about the language: the answer comes in the one chosen.
		{"--lang en decides", []string{"--lang", "en"}, "🙂\n", []string{text(t, "en", "welcome")}},
		{"--lang fi decides", []string{"--lang=fi"}, "🙂\n", []string{text(t, "fi", "welcome")}},
		{"--lang en holds against one Swedish word", []string{"--lang", "en"}, "hej\n", []string{text(t, "en", "welcome")}},
		{"--lang en yields to a Swedish sentence", []string{"--lang", "en"}, "hej, jag vill prata med en människa\n", []string{text(t, "sv", "person_unavailable")}},
		{"several lines, several answers", nil, "hej\nmeny\nSTOPP\n",
			[]string{text(t, "sv", "welcome"), text(t, "sv", "menu"), text(t, "sv", "erased")}},
		{"no final newline", nil, "hej\nmeny", []string{text(t, "sv", "welcome"), text(t, "sv", "menu")}},
		{"CRLF line ends", nil, "hej\r\nmeny\r\n", []string{text(t, "sv", "welcome"), text(t, "sv", "menu")}},
		{"the conversation goes on between lines", nil, "jag behöver stöd\n19\n",
			[]string{text(t, "sv", "ask_age"), text(t, "sv", "support_youth")}},
		{"no input", nil, "", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := trygg(t, env(), tt.stdin, append([]string{"chat"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			got := answers(r.stdout)
			if len(got) != len(tt.want) {
				t.Fatalf("%d answers, want %d:\n%s", len(got), len(tt.want), r.stdout)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("answer %d:\n%s\nwant:\n%s", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestChatHugeLine(t *testing.T) {
	huge := strings.Repeat("rånad ", 200_000/6)
	r := trygg(t, env(), huge+"\nhej\n", "chat")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	got := answers(r.stdout)
	if len(got) != 2 {
		t.Fatalf("%d answers to a 200 kB line and a greeting, want 2:\n%.2000s", len(got), r.stdout)
	}
	if !strings.Contains(got[0], "112") {
		t.Errorf("the answer to the huge line gives no way to get help: %q", got[0])
	}
	if got[1] != text(t, "sv", "welcome") {
		t.Errorf("the line after the huge one was not read as its own message: %q", got[1])
	}
}

func TestChatRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"chat", "--lang", "de"}, {"chat", "--colour"}} {
		r := trygg(t, env(), "hej\n", args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want exit 2 and no answer", args, r.code, r.stdout)
		}
		if r.stderr == "" {
			t.Errorf("%v: nothing on stderr", args)
		}
	}
}

// copyFiles writes the files of fsys into a new temporary directory.
func copyFiles(t *testing.T, fsys fs.FS) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, p), 0o755)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// edit replaces old, which must occur once, with new in file.
func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s: %q occurs %d times", file, old, n)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFlowsCheck(t *testing.T) {
	r := trygg(t, env(), "", "flows", "check")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ok: ") {
		t.Fatalf("embedded files: exit %d, stdout %q, stderr %q; want 0 and ok:", r.code, r.stdout, r.stderr)
	}

	// A copy of the flows with an unknown start node.
	dir := copyFiles(t, flows.Embedded())
	edit(t, filepath.Join(dir, "main.yaml"), "start: welcome ", "start: nowhere ")
	r = trygg(t, env("TRYGG_FLOWS_DIR="+dir), "", "flows", "check")
	if r.code != 1 {
		t.Errorf("broken flows: exit %d, want 1", r.code)
	}
	if want := dir + "/main.yaml:14: start: unknown node \"nowhere\"\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if r.stderr != "1 problem\n" {
		t.Errorf("stderr %q, want the count", r.stderr)
	}

	// A copy of the texts with an emoji and a curly quote in one English message.
	ldir := copyFiles(t, locales.Embedded())
	edit(t, filepath.Join(ldir, "en.yaml"), `erased: "Done, what trygg held`, `erased: "Done 🙂, it’s what trygg held`)
	r = trygg(t, env("TRYGG_LOCALES_DIR="+ldir), "", "flows", "check")
	if r.code != 1 {
		t.Errorf("broken texts: exit %d, want 1", r.code)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(ldir) + `/en\.yaml:\d+: message erased has characters outside GSM-7 "🙂’"`).MatchString(r.stdout) {
		t.Errorf("stdout %q, want file:line: the characters outside GSM-7", r.stdout)
	}

	// Broken YAML cannot be checked at all; the error names the file.
	dir = copyFiles(t, flows.Embedded())
	edit(t, filepath.Join(dir, "lexicon", "fi.yaml"), "language: fi", "language: [fi")
	r = trygg(t, env("TRYGG_FLOWS_DIR="+dir), "", "flows", "check")
	if r.code != 1 || !strings.Contains(r.stderr, dir+"/lexicon/fi.yaml") {
		t.Errorf("broken YAML: exit %d, stderr %q; want 1 and the file", r.code, r.stderr)
	}
}

// TestBrokenFlowsStopChat: trygg does not talk to residents on flows it cannot vouch for.
func TestBrokenFlowsStopChat(t *testing.T) {
	dir := copyFiles(t, flows.Embedded())
	edit(t, filepath.Join(dir, "main.yaml"), "start: welcome ", "start: nowhere ")
	r := trygg(t, env("TRYGG_FLOWS_DIR="+dir), "hej\n", "chat")
	if r.code != 1 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and no answer", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "main.yaml:14: start: unknown node") || !strings.Contains(r.stderr, "trygg flows check") {
		t.Errorf("stderr %q, want the problem and a pointer to flows check", r.stderr)
	}
}

func TestFlowsGraph(t *testing.T) {
	r := trygg(t, env(), "", "flows", "graph")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "flowchart TD\n") {
		t.Fatalf("exit %d, stdout %.100q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "n_ask_age") {
		t.Error("the graph has no ask_age node")
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr []string
	}{
		{[]string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`, "Usage:", "trygg flows check"}},
		{[]string{"flows"}, 2, []string{"usage: trygg flows check"}},
		{[]string{"flows", "lint"}, 2, []string{"usage: trygg flows check"}},
		{[]string{"flows", "check", "extra"}, 2, []string{"usage: trygg flows check"}},
		{[]string{"serve", "--port", "80"}, 2, []string{"serve takes no arguments", "Usage:"}},
		{[]string{"chat", "hej"}, 2, []string{"standard input"}},
	}
	for _, tt := range tests {
		r := trygg(t, env(), "", tt.args...)
		if r.code != tt.code || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want %d and nothing", tt.args, r.code, r.stdout, tt.code)
		}
		for _, s := range tt.inStderr {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%v: stderr %q lacks %q", tt.args, r.stderr, s)
			}
		}
	}
	for _, help := range []string{"help", "-h", "--help"} {
		r := trygg(t, env(), "", help)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%s: exit %d, stdout %q", help, r.code, r.stdout)
		}
	}
}

// TestBadEnvironment: every command refuses to start on a bad variable and names it.
func TestBadEnvironment(t *testing.T) {
	for _, args := range [][]string{nil, {"serve"}, {"chat"}, {"flows", "check"}} {
		r := trygg(t, env("TRYGG_CONVERSATION_TTL=abc", "TRYGG_ADDR=127.0.0.1:1"), "hej\n", args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", args, r.code, r.stdout)
		}
		if !strings.Contains(r.stderr, `TRYGG_CONVERSATION_TTL: "abc" is not a duration`) {
			t.Errorf("%v: stderr %q does not name the variable", args, r.stderr)
		}
	}
}

// lockedBuffer is a buffer the server goroutine may write while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr returns a loopback address with a port nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestServe starts trygg serve, waits until it is healthy and ready, stops it as SIGTERM
// would (the context ends) and expects a clean exit.
func TestServe(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve"}, strings.NewReader(""), &stdout, &stderr, env("TRYGG_ADDR="+addr, "TRYGG_METRICS_ADDR="+metricsAddr))
	}()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for _, path := range []string{"/healthz", "/readyz"} {
		for {
			select {
			case code := <-exit:
				t.Fatalf("serve exited with %d before %s answered; stderr:\n%s", code, path, stderr.String())
			default:
			}
			resp, err := client.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not answer 200 (last error %v); stderr:\n%s", path, err, stderr.String())
			}
			time.Sleep(10 * time.Millisecond) // polling the server, with the deadline above
		}
	}

	// /metrics on its own listener only.
	for _, c := range []struct {
		url    string
		status int
	}{{"http://" + metricsAddr + "/metrics", http.StatusOK}, {"http://" + addr + "/metrics", http.StatusNotFound}} {
		resp, err := client.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d", c.url, resp.StatusCode, c.status)
		}
	}

	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d after shutdown, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	if _, err := client.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the server still answers after serve returned")
	}
	if !strings.Contains(stderr.String(), `"msg":"trygg stopped"`) {
		t.Errorf("no stop in the log:\n%s", stderr.String())
	}
}

func TestServeFailsOnABusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, vars := range [][]string{
		{"TRYGG_ADDR=" + ln.Addr().String(), "TRYGG_METRICS_ADDR=127.0.0.1:0"},
		{"TRYGG_ADDR=127.0.0.1:0", "TRYGG_METRICS_ADDR=" + ln.Addr().String()},
	} {
		var stdout, stderr lockedBuffer
		code := run(context.Background(), []string{"serve"}, strings.NewReader(""), &stdout, &stderr, env(vars...))
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", vars, code)
		}
		name, _, _ := strings.Cut(vars[0], "=")
		if !strings.Contains(vars[0], ln.Addr().String()) {
			name, _, _ = strings.Cut(vars[1], "=")
		}
		if !strings.Contains(stderr.String(), ln.Addr().String()) || !strings.Contains(stderr.String(), name) {
			t.Errorf("%v: the log does not name %s and the address:\n%s", vars, name, stderr.String())
		}
	}
}

// TestFlowsCheckLines: a number that is not in flows/lines.yaml fails the check at its
// file and line; the pilot and verify lines are told, not failed; --parts prints what each
// text costs as an SMS.
func TestFlowsCheckLines(t *testing.T) {
	ldir := copyFiles(t, locales.Embedded())
	edit(t, filepath.Join(ldir, "sv.yaml"), `erased: "Klart, det trygg`, `erased: "Ring 020-12 34 56. Klart, det trygg`)
	r := trygg(t, env("TRYGG_LOCALES_DIR="+ldir), "", "flows", "check")
	if r.code != 1 || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(ldir)+`/sv\.yaml:\d+: message erased gives "020-12 34 56", which is not in flows/lines\.yaml`).MatchString(r.stdout) {
		t.Errorf("planted number: exit %d, stdout %q; want 1 and file:line: the number", r.code, r.stdout)
	}

	r = trygg(t, env(), "", "flows", "check", "--parts")
	if r.code != 0 {
		t.Fatalf("flows check --parts: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"notice: 020-80 80 80 is pilot",
		"notice: 021-39 00 00 is verify",
		"id ", "lang", "encoding", "chars", "parts",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^welcome +sv +GSM-7 +\d+ +3$`).MatchString(r.stdout) {
		t.Errorf("no parts row for welcome in sv:\n%s", r.stdout)
	}
}
