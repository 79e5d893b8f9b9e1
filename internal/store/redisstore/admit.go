package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
)

// Compile-time checks that Store batches a channel's steps.
var (
	_ store.Admitter   = (*Store)(nil)
	_ store.ReplySaver = (*Store)(nil)
)

// Admit does a's steps in one round trip. On one server (standalone or Sentinel) that is
// one script over the resident's keys and the global counter. On a Cluster the two live in
// different slots: a pipeline of two scripts, one in the resident's slot (reserve, count
// the sender, read the conversation) and one in the global slot (count all senders), which
// go-redis sends to each node at once. There the global count is taken speculatively: when
// the separate calls would not have counted the message (a duplicate, a sender past its
// limit), a second round trip takes it back.
func (s *Store) Admit(ctx context.Context, scope string, a store.Admission) (store.AdmitResult, error) {
	if err := ctx.Err(); err != nil {
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: %w", err)
	}
	for _, ttl := range []time.Duration{a.TTL, a.Sender.TTL, a.Global.TTL} {
		if err := checkTTL("admit", ttl); err != nil {
			return store.AdmitResult{}, err
		}
	}
	k, g := keysOf(scope), []string{counter(a.Global.Name)}
	mine := []string{k.once, k.hit, k.conv}
	mineArgs := []any{a.ID, a.Value, ms(a.TTL), newToken(), a.Sender.Name, ms(a.Sender.TTL), a.Sender.Limit, max(a.Keep, 0)}
	globalTTL := ms(a.Global.TTL)
	if _, cluster := s.rdb.(*redis.ClusterClient); !cluster {
		return s.admitOne(ctx, append(mine, g[0]), append(mineArgs, globalTTL), a)
	}
	var cmds [2]*redis.Cmd
	_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		cmds[0] = admitScript.EvalSha(ctx, p, mine, mineArgs...)
		cmds[1] = counterScript.EvalSha(ctx, p, g, globalTTL)
		return nil
	})
	// A server that has not cached a script yet runs nothing for it: send that one again
	// with its text (once per server).
	if noScript(cmds[0].Err()) {
		cmds[0] = admitScript.Eval(ctx, s.rdb, mine, mineArgs...)
	}
	if noScript(cmds[1].Err()) {
		cmds[1] = counterScript.Eval(ctx, s.rdb, g, globalTTL)
	}
	res, err := cmds[0].Slice()
	if err != nil {
		s.unhit(ctx, g, cmds[1])
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: %w", err)
	}
	r, err := admitted(res)
	if err != nil {
		s.unhit(ctx, g, cmds[1])
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: %w", err)
	}
	if r.Duplicate || r.Sender > a.Sender.Limit {
		s.unhit(ctx, g, cmds[1])
		return settled(r, a), nil
	}
	if r.Global, err = cmds[1].Int64(); err != nil {
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: count all senders: %w", err)
	}
	return settled(r, a), nil
}

// settled drops the conversation Admit loaded when the turn will not run: the message is a
// duplicate, or the sender or everyone is past the limit.
func settled(r store.AdmitResult, a store.Admission) store.AdmitResult {
	if r.Duplicate || r.Sender > a.Sender.Limit || r.Global > a.Global.Limit {
		r.Conv, r.Loaded = store.Conversation{}, false
	}
	return r
}

// admitOne is Admit in one script, for a client whose keys all live on one server.
func (s *Store) admitOne(ctx context.Context, keys []string, args []any, a store.Admission) (store.AdmitResult, error) {
	res, err := admitScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: %w", err)
	}
	r, err := admitted(res)
	if err != nil {
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: %w", err)
	}
	if r.Duplicate || r.Sender > a.Sender.Limit {
		return settled(r, a), nil
	}
	if len(res) < 5 {
		return store.AdmitResult{}, fmt.Errorf("redis store: admit: no global count in a reply of %d values", len(res))
	}
	r.Global, _ = res[3].(int64)
	return settled(r, a), nil
}

// unhit takes back the global hit of cmd, if it counted one. A failure only leaves the
// global limit a little stricter for one window.
func (s *Store) unhit(ctx context.Context, key []string, cmd *redis.Cmd) {
	if cmd.Err() != nil {
		return
	}
	_ = uncountScript.Run(ctx, s.rdb, key).Err()
}

// admitted decodes admitScript's reply.
func admitted(res []any) (store.AdmitResult, error) {
	if len(res) < 2 {
		return store.AdmitResult{}, fmt.Errorf("unexpected reply of %d values", len(res))
	}
	if dup, _ := res[0].(int64); dup == 1 {
		prev, ok := res[1].(string)
		if !ok {
			return store.AdmitResult{}, fmt.Errorf("unexpected reply %T", res[1])
		}
		return store.AdmitResult{Duplicate: true, Prev: []byte(prev)}, nil
	}
	n, ok := res[1].(int64)
	if !ok {
		return store.AdmitResult{}, fmt.Errorf("unexpected count %T", res[1])
	}
	if len(res) < 5 {
		return store.AdmitResult{}, fmt.Errorf("unexpected reply of %d values", len(res))
	}
	reserved, _ := res[4].(int64)
	r := store.AdmitResult{Sender: n, Loaded: true, Reserved: reserved == 1}
	if res[2] != nil {
		b, ok := res[2].(string)
		if !ok {
			return store.AdmitResult{}, fmt.Errorf("unexpected conversation %T", res[2])
		}
		c, err := decodeConv([]byte(b))
		if err != nil {
			// The turn loads it again and deals with it as Load does.
			r.Loaded = false
		}
		r.Conv = c
	}
	return r, nil
}

// noScript reports whether err says the server has not cached the script.
func noScript(err error) bool {
	return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT")
}

// SaveRemember saves c for scope like Save and, when it saves, remembers value under id
// like Remember, in one round trip (one script: both keys share the scope's slot). It
// returns the new version or store.ErrConflict, with nothing written.
func (s *Store) SaveRemember(ctx context.Context, scope string, c store.Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redis store: save: %w", err)
	}
	if err := checkTTL("save", ttl); err != nil {
		return 0, err
	}
	if err := checkTTL("remember", rememberTTL); err != nil {
		return 0, err
	}
	k := keysOf(scope)
	v, err := saveRememberScript.Run(ctx, s.rdb, []string{k.conv, k.once}, c.Version, c.Data, ms(ttl), newToken(), id, value, ms(rememberTTL)).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis store: save: %w", err)
	}
	if v < 0 {
		return 0, store.ErrConflict
	}
	return v, nil
}
