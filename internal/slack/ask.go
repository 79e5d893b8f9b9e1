package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/store"
)

// maxSaveAttempts bounds how often a test turn is run again after a conflicting save (two
// mentions in one thread at once).
const maxSaveAttempts = 4

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

// turn runs one test turn without keeping anything: the throwaway conversation of
// /trygg fråga, or the first turn of a conversation saved later under a thread.
func (b *Bot) turn(q question) bot.Result {
	return b.cfg.Engine.Turn(startState(q.Lang), bot.Message{Text: q.Text, Staffed: b.cfg.Staffed(b.cfg.Now())}, b.cfg.Now())
}

// continueTurn runs one turn of the test conversation under scope: it loads the state,
// runs the engine and saves the state (or erases it after RADERA). It is the loop of
// conversation.Service without its statistics, since a test is no resident.
func (b *Bot) continueTurn(ctx context.Context, scope string, q question) (bot.Result, error) {
	for range maxSaveAttempts {
		conv, err := b.cfg.Store.Load(ctx, scope)
		if err != nil {
			return bot.Result{}, fmt.Errorf("load test conversation: %w", err)
		}
		st, err := bot.DecodeState(conv.Data)
		if err != nil {
			st = bot.State{} // unreadable: start afresh, as a resident's would
		}
		if q.Lang != "" {
			st.Lang, st.LangKnown = q.Lang, true
		}
		now := b.cfg.Now()
		res := b.cfg.Engine.Turn(st, bot.Message{Text: q.Text, Staffed: b.cfg.Staffed(now)}, now)
		if res.Erase {
			if err := b.cfg.Store.Erase(ctx, scope); err != nil {
				return bot.Result{}, fmt.Errorf("erase test conversation: %w", err)
			}
			return res, nil
		}
		if err := b.save(ctx, scope, res.State, conv.Version); errors.Is(err, store.ErrConflict) {
			continue
		} else if err != nil {
			return bot.Result{}, err
		}
		return res, nil
	}
	return bot.Result{}, fmt.Errorf("save test conversation: %d conflicts: %w", maxSaveAttempts, store.ErrConflict)
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
