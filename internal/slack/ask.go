package slack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/store"
)

// question is what staff asked trygg: a resident's message and how to show the answer.
type question struct {
	// Text is the resident's message.
	Text string
	// Lang, when set, is the language the test conversation starts in (--lang).
	Lang string
	// Public shows the answer to the whole channel (--visa).
	Public bool
}

// parseQuestion reads the flags at the start of args (--lang xx, --lang=xx, --visa,
// --public) and returns the rest as the resident's message. A dash typed as – or — (as
// some keyboards turn --) counts as --.
func parseQuestion(args string) question {
	var q question
	rest := args
	for {
		word, after := nextWord(rest)
		flag, ok := cutFlag(word)
		if !ok {
			break
		}
		name, value, hasValue := strings.Cut(strings.ToLower(flag), "=")
		switch {
		case name == "visa" || name == "public" || name == "show":
			q.Public = true
		case name == "lang" && hasValue:
			q.Lang = value
		case name == "lang":
			var lang string
			lang, after = nextWord(after)
			q.Lang = strings.ToLower(lang)
		default:
			q.Text = strings.TrimSpace(rest) // not a flag of ours: part of the message
			return q
		}
		rest = after
	}
	q.Text = strings.TrimSpace(rest)
	return q
}

// nextWord returns the first word of s and what follows it.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// cutFlag returns word without its leading --, – or —, and whether it had one.
func cutFlag(word string) (string, bool) {
	for _, p := range []string{"--", "—", "–"} {
		if f, ok := strings.CutPrefix(word, p); ok && f != "" {
			return f, true
		}
	}
	return "", false
}

// testScope is the store scope of the test conversation in a thread.
func testScope(channel, thread string) string {
	return testScopePrefix + channel + ":" + thread
}

// checkLang returns a notice when lang is set and not one the engine speaks.
func (b *Bot) checkLang(lang string) *message {
	langs := b.cfg.Engine.Langs()
	if lang == "" || slices.Contains(langs, lang) {
		return nil
	}
	return notice(b.text.get("staff_ask_bad_lang", map[string]any{
		"Lang":  b.echo(lang, maxWordLen),
		"Langs": strings.Join(langs, ", "),
	}))
}

// startState is the state of a new test conversation, in lang when set.
func startState(lang string) bot.State {
	if lang == "" {
		return bot.State{}
	}
	return bot.State{Lang: lang, LangKnown: true}
}

// previewChannel is the channel a preview shows the answer of: SMS, where every feature
// answers (an ombud code too).
const previewChannel = "sms"

// turn runs one preview turn through the conversation service, as a resident's SMS with
// the same text would run, features included, without keeping anything: the throwaway
// conversation of /trygg fråga, or the first turn of a conversation saved later under a
// thread.
func (b *Bot) turn(ctx context.Context, q question) (bot.Result, error) {
	return b.preview(ctx, "", q)
}

// continueTurn runs one preview turn of the test conversation under scope: the service
// loads it, runs the turn and saves it (or erases it after RADERA), and counts nothing,
// since a test is no resident.
func (b *Bot) continueTurn(ctx context.Context, scope string, q question) (bot.Result, error) {
	return b.preview(ctx, scope, q)
}

// preview runs a preview turn under scope ("" for none).
func (b *Bot) preview(ctx context.Context, scope string, q question) (bot.Result, error) {
	o := b.cfg.Service.Handle(ctx, conversation.Inbound{Channel: previewChannel, Scope: scope, Text: q.Text, Lang: q.Lang, Preview: true})
	if o.Degraded {
		return bot.Result{}, fmt.Errorf("test turn: %w", o.Err)
	}
	return bot.Result{State: o.State, Replies: o.Replies, Events: o.Events, Erase: o.Erased()}, nil
}

// save stores a test conversation's state if it is still at version.
func (b *Bot) save(ctx context.Context, scope string, st bot.State, version int64) error {
	data, err := st.Encode()
	if err != nil {
		return err
	}
	if _, err := b.cfg.Store.Save(ctx, scope, store.Conversation{Data: data, Version: version}, b.cfg.TestTTL); err != nil {
		return fmt.Errorf("save test conversation: %w", err)
	}
	return nil
}

// answerNote says where an answer is shown and how to go on.
type answerNote int

const (
	notePrivate  answerNote = iota // only the asker sees it: hint at --visa
	noteThread                     // in a thread trygg can follow: mention @trygg to go on
	noteNoThread                   // public, but trygg cannot follow a thread there
)

// answer renders a test turn for staff: the question, each reply as the resident reads it
// with its language, encoding and segments, the route taken and what the test means.
func (b *Bot) answer(q question, res bot.Result, note answerNote, askedBy string) *message {
	t := b.text
	quoted := b.echo(q.Text, maxQuoteLen)
	quoted = "> " + strings.ReplaceAll(quoted, "\n", "\n> ")
	blocks := []slackapi.Block{
		header(t.get("staff_ask_title", nil)),
		section(t.get("staff_ask_question", nil) + "\n" + quoted),
	}
	var segments int64
	for i, r := range res.Replies {
		info := gsm7.Analyze(r.Text)
		segments += int64(info.Segments)
		blocks = append(blocks,
			plainSection(r.Text),
			contextBlock(t.get("staff_ask_reply_meta", map[string]any{
				"N":        i + 1,
				"Total":    len(res.Replies),
				"Lang":     t.langName(r.Lang),
				"Encoding": info.Encoding.String(),
				"Units":    number(int64(info.Units)),
				"Segments": t.count("staff_segments", int64(info.Segments)),
				"ID":       escape(r.MessageID),
			})),
		)
	}
	blocks = append(blocks, slackapi.NewDividerBlock(), section(t.get("staff_ask_route", map[string]any{"Route": b.route(res.Events)})))
	notes := []string{
		t.get("staff_ask_total", map[string]any{
			"Messages": t.count("staff_messages", int64(len(res.Replies))),
			"Segments": t.count("staff_segments", segments),
		}),
		t.get("staff_ask_test_note", nil),
	}
	switch note {
	case notePrivate:
		notes = append(notes, t.get("staff_ask_private_note", nil))
	case noteThread:
		notes = append(notes, t.get("staff_ask_thread_note", nil))
	case noteNoThread:
		notes = append(notes, t.get("staff_ask_not_in_channel", nil))
	}
	if askedBy != "" {
		notes = append(notes, t.get("staff_ask_asked_by", map[string]any{"User": askedBy}))
	}
	blocks = append(blocks, contextBlock(strings.Join(notes, " ")))
	return &message{text: t.get("staff_ask_title", nil), blocks: blocks, public: note != notePrivate}
}

// route describes a turn's events for staff: the routes to help and what else happened.
func (b *Bot) route(events []bot.Event) string {
	t := b.text
	var parts []string
	for _, e := range events {
		var s string
		switch e.Kind {
		case bot.EventReferred:
			s = t.routeName(e.Route)
		case bot.EventLanguage:
			s = t.get("staff_event_language", map[string]any{"Lang": t.langName(e.Lang)})
		default:
			id := "staff_event_" + string(e.Kind)
			if s = t.get(id, nil); s == id {
				s = t.get("staff_event_other", map[string]any{"Kind": string(e.Kind)})
			}
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return t.get("staff_ask_no_route", nil)
	}
	return escape(strings.Join(parts, ", "))
}
