package whatsapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// Records the channel keeps in the resident's scope (erased with it by STOPP/RADERA).
const (
	// keySeen holds when the resident last wrote and the conversation's language then.
	keySeen = "whatsapp:seen"
	// keyAsked is there while a template has asked the resident to reply and they have
	// not yet: one template per closed window.
	keyAsked = "whatsapp:asked"
	// keyHeld + an ordered id holds a message kept for the resident's next message.
	keyHeld = "whatsapp:held:"
)

// keepFor is how long the channel keeps its records: the conversation's lifetime and one
// window beyond it, so the language is known when a handoff's closing message goes out.
func keepFor(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return ttl + Window
}

// seen is what keySeen holds.
type seen struct {
	At   int64  `json:"at"` // Unix milliseconds (nanoseconds overflow after 2262)
	Lang string `json:"lang,omitempty"`
}

// windows keeps WhatsApp's 24-hour window per resident, and the messages held outside it,
// in the residents' records.
type windows struct {
	records store.Records
	now     func() time.Time
	keep    time.Duration
	margin  time.Duration
}

// clock is the windows' time now.
func (w windows) clock() time.Time {
	if w.now == nil {
		return time.Now()
	}
	return w.now()
}

// seen notes that the resident of scope wrote at at, in lang: the window opens again and
// any earlier template's question is answered.
func (w windows) seen(ctx context.Context, scope, lang string, at time.Time) error {
	b, err := json.Marshal(seen{At: at.UnixMilli(), Lang: lang})
	if err != nil {
		return wrap("encode window", err)
	}
	if err := w.records.Put(ctx, scope, keySeen, b, w.keep); err != nil {
		return wrap("keep window", err)
	}
	return wrap("forget template", w.records.Delete(ctx, scope, keyAsked))
}

// open reports whether the window of scope's resident is open now, less the margin, and
// the conversation's language when they last wrote ("" when unknown).
func (w windows) open(ctx context.Context, scope string) (bool, string, error) {
	b, ok, err := w.records.Get(ctx, scope, keySeen)
	if err != nil || !ok {
		return false, "", wrap("read window", err)
	}
	var s seen
	if err := json.Unmarshal(b, &s); err != nil {
		return false, "", wrap("decode window", err)
	}
	margin := w.margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	closes := time.UnixMilli(s.At).Add(Window - margin)
	return w.clock().Before(closes), s.Lang, nil
}

// seq orders held messages written in the same millisecond.
var seq atomic.Uint64

// hold keeps texts for the resident of scope until they write again.
func (w windows) hold(ctx context.Context, scope string, texts ...string) error {
	for _, t := range texts {
		r := make([]byte, 4)
		if _, err := rand.Read(r); err != nil {
			return wrap("held id", err)
		}
		key := fmt.Sprintf("%s%020d-%010d-%s", keyHeld, w.clock().UnixMilli(), seq.Add(1), hex.EncodeToString(r))
		if err := w.records.Put(ctx, scope, key, []byte(t), w.keep); err != nil {
			return wrap("hold message", err)
		}
	}
	return nil
}

// held returns the messages held for scope's resident, oldest first, and a func that
// forgets them (sms.Variant.Held).
func (w windows) held(ctx context.Context, scope string) ([]string, func(context.Context) error, error) {
	all, err := w.records.List(ctx, scope)
	if err != nil {
		return nil, nil, wrap("list held messages", err)
	}
	var keys []string
	for k := range all {
		if strings.HasPrefix(k, keyHeld) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, nil, nil
	}
	sort.Strings(keys)
	texts := make([]string, len(keys))
	for i, k := range keys {
		texts[i] = string(all[k])
	}
	forget := func(ctx context.Context) error {
		for _, k := range keys {
			if err := w.records.Delete(ctx, scope, k); err != nil {
				return wrap("forget held message", err)
			}
		}
		return nil
	}
	return texts, forget, nil
}

// ask marks that a template asked scope's resident to reply, and reports whether one had
// already, since they last wrote.
func (w windows) ask(ctx context.Context, scope string) (bool, error) {
	_, asked, err := w.records.Get(ctx, scope, keyAsked)
	if err != nil || asked {
		return asked, wrap("read template mark", err)
	}
	return false, wrap("mark template", w.records.Put(ctx, scope, keyAsked, []byte{1}, w.keep))
}

// unask forgets the mark when the template could not be sent.
func (w windows) unask(ctx context.Context, scope string) error {
	return wrap("forget template mark", w.records.Delete(ctx, scope, keyAsked))
}
