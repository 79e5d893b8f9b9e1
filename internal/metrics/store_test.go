package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
)

// failing is a store.Store (without Stats or Records) whose calls fail with err.
type failing struct{ err error }

func (f failing) Load(context.Context, string) (store.Conversation, error) {
	return store.Conversation{}, f.err
}
func (f failing) Save(context.Context, string, store.Conversation, time.Duration) (int64, error) {
	return 0, f.err
}
func (f failing) Erase(context.Context, string) error { return f.err }
func (f failing) Remember(context.Context, string, string, []byte, time.Duration) ([]byte, bool, error) {
	return nil, false, f.err
}
func (f failing) Hit(context.Context, string, string, time.Duration) (int64, error) { return 0, f.err }
func (f failing) Ping(context.Context) error                                        { return f.err }
func (f failing) Close() error                                                      { return nil }

// TestInstrumentStoreDelegates checks that the wrapper passes calls and results through,
// keeps exactly the interfaces of the wrapped store, and times each call by operation.
func TestInstrumentStoreDelegates(t *testing.T) {
	m := metrics.New()
	mem := store.NewMemory(time.Now)
	s := m.InstrumentStore(mem)
	ctx := context.Background()
	v, err := s.Save(ctx, "scope", store.Conversation{Data: []byte("x")}, time.Hour)
	if err != nil || v != 1 {
		t.Fatalf("Save = %d, %v", v, err)
	}
	if c, err := s.Load(ctx, "scope"); err != nil || string(c.Data) != "x" || c.Version != 1 {
		t.Fatalf("Load = %+v, %v", c, err)
	}
	if _, err := s.Save(ctx, "scope", store.Conversation{Data: []byte("y")}, time.Hour); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale Save: %v, want ErrConflict", err)
	}
	st, ok1 := s.(store.Stats)
	rec, ok2 := s.(store.Records)
	if !ok1 || !ok2 {
		t.Fatalf("wrapper of Memory lost Stats (%v) or Records (%v)", ok1, ok2)
	}
	if err := st.Count(ctx, "2026-11-28", "messages", 2); err != nil {
		t.Fatal(err)
	}
	if err := rec.Put(ctx, "scope", "k", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := rec.Get(ctx, "scope", "k"); err != nil || !ok || string(got) != "v" {
		t.Fatalf("Get = %q, %v, %v", got, ok, err)
	}
	if u, ok := s.(interface{ Unwrap() store.Store }); !ok || u.Unwrap() != store.Store(mem) {
		t.Error("Unwrap does not return the wrapped store")
	}
	if n := testutil.CollectAndCount(m.StoreDuration); n < 5 {
		t.Errorf("%d store duration series, want one per operation used", n)
	}
	if got := testutil.ToFloat64(m.StoreErrors.WithLabelValues(metrics.OpSave, metrics.StoreErrConflict)); got != 1 {
		t.Errorf("conflicts counted %v, want 1", got)
	}

	bare := m.InstrumentStore(failing{})
	if _, ok := bare.(store.Stats); ok {
		t.Error("wrapper of a store without Stats claims Stats")
	}
	if _, ok := bare.(store.Records); ok {
		t.Error("wrapper of a store without Records claims Records")
	}
}

// TestStoreErrorClasses: each failure is counted under a fixed class, never its text.
func TestStoreErrorClasses(t *testing.T) {
	for _, c := range []struct {
		err   error
		class string
	}{
		{context.DeadlineExceeded, metrics.StoreErrTimeout},
		{context.Canceled, metrics.StoreErrCanceled},
		{errors.New("redis store: load: +46701234567 broke"), metrics.StoreErrOther},
	} {
		m := metrics.New()
		_, err := m.InstrumentStore(failing{err: c.err}).Load(context.Background(), "s")
		if !errors.Is(err, c.err) {
			t.Errorf("Load error %v, want %v passed through", err, c.err)
		}
		if got := testutil.ToFloat64(m.StoreErrors.WithLabelValues(metrics.OpLoad, c.class)); got != 1 {
			t.Errorf("%v: class %s counted %v, want 1", c.err, c.class, got)
		}
	}
}

// TestObserveTurnLabels: a turn is counted by channel, result, route and language, and
// anything outside the fixed label values becomes "other".
func TestObserveTurnLabels(t *testing.T) {
	m := metrics.New()
	m.ObserveTurn(metrics.Turn{Channel: "sms", Duration: 3 * time.Millisecond, Replies: 2, New: true, Lang: "sv",
		Events: []bot.Event{{Kind: bot.EventReferred, Route: "boj_youth"}, {Kind: bot.EventReferred, Route: "+46701234567"}}})
	m.ObserveTurn(metrics.Turn{Channel: "+46701234567", Degraded: true, Replies: 1})
	m.ObserveTurn(metrics.Turn{Channel: "web", Events: []bot.Event{{Kind: bot.EventLanguage, Lang: "xx"}}})
	for _, c := range []struct {
		got  float64
		want float64
		name string
	}{
		{testutil.ToFloat64(m.MessagesIn.WithLabelValues("sms")), 1, "in sms"},
		{testutil.ToFloat64(m.MessagesOut.WithLabelValues("sms")), 2, "out sms"},
		{testutil.ToFloat64(m.MessagesIn.WithLabelValues("other")), 1, "in other"},
		{testutil.ToFloat64(m.DegradedTurns.WithLabelValues("other")), 1, "degraded other"},
		{testutil.ToFloat64(m.Routes.WithLabelValues("boj_youth")), 1, "route boj_youth"},
		{testutil.ToFloat64(m.Routes.WithLabelValues("other")), 1, "route other"},
		{testutil.ToFloat64(m.Conversations.WithLabelValues("sms", "sv")), 1, "conversations sms sv"},
		{testutil.ToFloat64(m.LanguageSwitches.WithLabelValues("other")), 1, "switch other"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}
