package handoff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// Texter sends one SMS; *sms.Sender is one.
type Texter interface {
	Send(ctx context.Context, to, body string) (string, error)
}

// SMS delivers staff replies as SMS through Twilio's REST API, to the number kept for the
// handoff.
type SMS struct{ Texter Texter }

// Deliver sends text to the phone number address.
func (o SMS) Deliver(ctx context.Context, _, address, text string) error {
	if address == "" {
		return errors.New("sms: no number kept for this case")
	}
	if _, err := o.Texter.Send(ctx, address, text); err != nil {
		return err
	}
	return nil
}

// Inbox queues staff replies for the web chat in the resident's records, where the page
// picks them up; erasing the conversation erases them.
type Inbox struct {
	Records store.Records
	// TTL keeps a queued reply; 0 means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Deliver queues text for the resident of scope.
func (o Inbox) Deliver(ctx context.Context, scope, _, text string) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	r := make([]byte, 4)
	if _, err := rand.Read(r); err != nil {
		return fmt.Errorf("inbox key: %w", err)
	}
	key := fmt.Sprintf("%s%020d-%s", inboxPrefix, now().UnixNano(), hex.EncodeToString(r))
	if err := o.Records.Put(ctx, scope, key, []byte(text), ttl); err != nil {
		return fmt.Errorf("queue reply: %w", err)
	}
	return nil
}

// Take returns the replies queued for scope, oldest first, and removes them.
func (o Inbox) Take(ctx context.Context, scope string) ([]string, error) {
	all, err := o.Records.List(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("read queued replies: %w", err)
	}
	var keys []string
	for k := range all {
		if strings.HasPrefix(k, inboxPrefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if err := o.Records.Delete(ctx, scope, k); err != nil {
			return out, fmt.Errorf("remove queued reply: %w", err)
		}
		out = append(out, string(all[k]))
	}
	return out, nil
}
