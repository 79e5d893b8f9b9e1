package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
)

//go:embed page.html
var pageFile embed.FS

// parsePage parses the page template.
func parsePage() (*template.Template, error) {
	t, err := template.ParseFS(pageFile, "page.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse page: %w", err)
	}
	return t, nil
}

// answer is what a response shows: the resident's message it answers (no-JS pages only),
// trygg's replies and a notice, in one language.
type answer struct {
	status  int
	lang    string
	said    string
	replies []bot.Reply
	notice  string // a page text id, or ""
	// csrf is the request token, sent along in JSON when a new session started.
	csrf     string
	newToken bool
}

// language option of the page's switcher.
type langOption struct {
	Tag, Name string
	// Dir is the direction the language is written in: "rtl" (Arabic, Persian) or "ltr".
	Dir     string
	Current bool
}

// reply is a reply as the page shows it.
type reply struct {
	Text string `json:"text"`
	// Lang is set when the reply is in one of trygg's languages, for screen readers.
	Lang string `json:"lang,omitempty"`
	// Dir is the reply's direction: "rtl" or "ltr" in one of trygg's languages, "auto"
	// for a reply in several (the other-language reply) or of a staff member.
	Dir string `json:"dir"`
	// Parts is Text cut into plain text and phone numbers, which the page makes links to
	// call that never break across lines.
	Parts []part `json:"parts"`
}

// part is a piece of a reply: plain text, or a phone number with its tel: link.
type part struct {
	Text string       `json:"text"`
	Tel  template.URL `json:"tel,omitempty"`
}

// phoneNumber finds the Swedish phone numbers trygg's texts give: 112, 90101, the short
// numbers 114 14, 116 006, 116 111 and area-code numbers such as 021-41 32 60 and
// 010-567 63 25.
var phoneNumber = regexp.MustCompile(`0\d{1,3}-\d{2,3}(?: \d{2}){1,3}|11[46] \d{2,3}|112|90101`)

// parts cuts text into plain text and phone numbers. A match inside a longer run of
// digits is not a number of its own and stays text.
func parts(text string) []part {
	var out []part
	last := 0
	for _, m := range phoneNumber.FindAllStringIndex(text, -1) {
		if (m[0] > 0 && isDigit(text[m[0]-1])) || (m[1] < len(text) && isDigit(text[m[1]])) {
			continue
		}
		if m[0] > last {
			out = append(out, part{Text: text[last:m[0]]})
		}
		out = append(out, part{Text: text[m[0]:m[1]], Tel: telURL(text[m[0]:m[1]])})
		last = m[1]
	}
	if last < len(text) || len(out) == 0 {
		out = append(out, part{Text: text[last:]})
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// telURL is the tel: link of a number as written in Sweden: its digits, with a leading 0
// (an area code) replaced by +46. Only digits and + go in, so the URL is safe.
func telURL(number string) template.URL {
	var b strings.Builder
	for i := 0; i < len(number); i++ {
		if isDigit(number[i]) {
			b.WriteByte(number[i])
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") {
		d = "+46" + d[1:]
	}
	return template.URL("tel:" + d)
}

// pageData is the page template's data.
type pageData struct {
	Lang    string
	Dir     string
	T       map[string]string
	Langs   []langOption
	CSRF    string
	ExitURL string
	Said    string
	Replies []reply
	Notice  string
	Status  int
}

// jsonAnswer is POST /chat's answer to a script.
type jsonAnswer struct {
	Lang    string            `json:"lang"`
	Dir     string            `json:"dir"`
	Replies []reply           `json:"replies"`
	Notice  string            `json:"notice,omitempty"`
	UI      map[string]string `json:"ui"`
	CSRF    string            `json:"csrf,omitempty"`
}

// pageLang returns lang if trygg speaks it, else the default language.
func (c *Chat) pageLang(lang string) string {
	if _, ok := c.texts[lang]; ok {
		return lang
	}
	return flows.DefaultLang
}

// replies turns the engine's replies into the page's.
func (c *Chat) replies(rs []bot.Reply) []reply {
	out := make([]reply, 0, len(rs))
	for _, r := range rs {
		rep := reply{Text: r.Text, Parts: parts(r.Text), Dir: "auto"}
		if _, ok := c.texts[r.Lang]; ok && r.MessageID != "staff" {
			rep.Lang, rep.Dir = r.Lang, c.dir(r.Lang)
		} else if ok {
			rep.Lang = r.Lang
		}
		out = append(out, rep)
	}
	return out
}

// dir returns the direction lang is written in, "rtl" or "ltr", for the page's dir
// attributes.
func (c *Chat) dir(lang string) string { return c.cfg.Flows.Catalog.Dir(lang) }

// wantsJSON reports whether the request comes from the page's script.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// respond writes a as JSON for the script or as a whole page for a form post.
func (c *Chat) respond(w http.ResponseWriter, r *http.Request, a answer) {
	lang := c.pageLang(a.lang)
	if a.status == 0 {
		a.status = http.StatusOK
	}
	notice := ""
	if a.notice != "" {
		notice = c.texts[lang][a.notice]
	}
	if wantsJSON(r) {
		out := jsonAnswer{Lang: lang, Dir: c.dir(lang), Replies: c.replies(a.replies), Notice: notice, UI: c.texts[lang]}
		if a.newToken {
			out.CSRF = a.csrf
		}
		b, err := json.Marshal(out)
		if err != nil {
			c.fallback(w, fmt.Errorf("encode answer: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(a.status)
		_, _ = w.Write(b)
		return
	}
	c.render(w, a.status, pageData{
		Lang:    lang,
		CSRF:    a.csrf,
		Said:    a.said,
		Replies: c.replies(a.replies),
		Notice:  notice,
	})
}

// render writes the whole page.
func (c *Chat) render(w http.ResponseWriter, status int, d pageData) {
	d.T = c.texts[d.Lang]
	d.Dir = c.dir(d.Lang)
	d.ExitURL = c.cfg.ExitURL
	d.Status = status
	for _, l := range c.langs {
		d.Langs = append(d.Langs, langOption{Tag: l, Name: c.texts[l]["web_language_name"], Dir: c.dir(l), Current: l == d.Lang})
	}
	var buf bytes.Buffer
	if err := c.page.Execute(&buf, d); err != nil {
		c.fallback(w, fmt.Errorf("render page: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fallback answers with the safety reply as plain text when the page cannot be made.
func (c *Chat) fallback(w http.ResponseWriter, err error) {
	c.cfg.Log.Error("web chat page failed; the safety reply was sent", "error", err.Error())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(c.cfg.Service.Engine().Safe(flows.DefaultLang).Text + "\n"))
}
