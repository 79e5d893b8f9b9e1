package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
)

// maxLine is the longest input line chat reads; longer lines are cut, like an SMS would be.
const maxLine = 64 * 1024

// chat runs a conversation in the terminal through the same engine and flows as SMS: one
// resident message per input line, the replies on stdout.
func chat(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "start in this language: sv, en, fi, ar, fa, so or ti (default: detect)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trygg: chat reads the messages from standard input, not from arguments (%q)\n", fs.Arg(0))
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(ctx, cfg, log, app.Options{Store: store.NewMemory(nil)})
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	defer a.Close()

	const scope = "terminal"
	if *lang != "" {
		if !a.Flows.Catalog.Has(*lang) {
			fmt.Fprintf(stderr, "trygg: --lang %q: trygg speaks %s\n", *lang, strings.Join(a.Engine.Langs(), ", "))
			return 2
		}
		// As if the resident had chosen the language with a switch word: a word or two of
		// another language does not undo the choice, a message clearly in one does.
		data, err := bot.State{Lang: *lang, LangKnown: true}.Encode()
		if err == nil {
			_, err = a.Store.Save(ctx, scope, store.Conversation{Data: data}, cfg.ConversationTTL)
		}
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
	}

	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintln(stderr, "Write as a resident would; trygg answers. Ctrl-D ends.")
	}
	in := bufio.NewReader(stdin)
	for first := true; ; first = false {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
		line, err := readLine(in)
		if err == io.EOF && line == "" {
			return 0
		}
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "trygg: read: %v\n", err)
			return 1
		}
		o := a.Service.Handle(ctx, conversation.Inbound{Scope: scope, Text: line, Channel: "chat"})
		if !first && !interactive {
			fmt.Fprintln(stdout)
		}
		for i, r := range o.Replies {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintln(stdout, r.Text)
		}
		if interactive {
			fmt.Fprintln(stdout)
		}
		if err == io.EOF {
			return 0
		}
	}
}

// readLine reads one line without its line ending, keeping at most maxLine bytes of it.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if b.Len() < maxLine {
			b.Write(chunk[:min(len(chunk), maxLine-b.Len())])
		}
		if err != nil {
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
