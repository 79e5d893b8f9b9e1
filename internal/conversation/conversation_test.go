package conversation_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/locales"
)

const (
	youthNumber = "010-567 63 25"
	adultNumber = "021-41 32 60"
)

// safetyNumbers are what the safety reply must give: 112 first of all, both
// Brottsofferjouren numbers and the national line.
var safetyNumbers = []string{"112", adultNumber, youthNumber, "116 006"}

var (
	engineOnce sync.Once
	engine     *bot.Engine
	engineErr  error
)

// testEngine is the engine on the embedded flows, loaded once for the package's tests.
func testEngine(t *testing.T) *bot.Engine {
	t.Helper()
	engineOnce.Do(func() {
		var set *flows.Set
		set, engineErr = flows.Load(flows.EmbeddedSource(locales.Embedded()))
		if engineErr == nil {
			engine = bot.New(set, bot.Options{})
		}
	})
	if engineErr != nil {
		t.Fatalf("load flows: %v", engineErr)
	}
	return engine
}

// now is the tests' clock: a Monday noon in Västerås.
var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.FixedZone("CET", 3600))

func clock() time.Time { return now }

func newService(t *testing.T, st store.Store, cfg conversation.Config) *conversation.Service {
	t.Helper()
	cfg.Engine = testEngine(t)
	cfg.Store = st
	if cfg.Now == nil {
		cfg.Now = clock
	}
	return conversation.New(cfg)
}

// hookStore is a store whose calls can be replaced one by one; the others go to Store.
type hookStore struct {
	store.Store
	load  func(ctx context.Context, scope string) (store.Conversation, error)
	save  func(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error)
	erase func(ctx context.Context, scope string) error

	loads, saves, erases atomic.Int32
	erased               []string
	mu                   sync.Mutex
}

func (h *hookStore) Load(ctx context.Context, scope string) (store.Conversation, error) {
	h.loads.Add(1)
	if h.load != nil {
		return h.load(ctx, scope)
	}
	return h.Store.Load(ctx, scope)
}

func (h *hookStore) Save(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error) {
	h.saves.Add(1)
	if h.save != nil {
		return h.save(ctx, scope, c, ttl)
	}
	return h.Store.Save(ctx, scope, c, ttl)
}

func (h *hookStore) Erase(ctx context.Context, scope string) error {
	h.erases.Add(1)
	h.mu.Lock()
	h.erased = append(h.erased, scope)
	h.mu.Unlock()
	if h.erase != nil {
		return h.erase(ctx, scope)
	}
	return h.Store.Erase(ctx, scope)
}

// text joins an outcome's replies.
func text(o conversation.Outcome) string {
	var parts []string
	for _, r := range o.Replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n\n")
}

func hasEvent(o conversation.Outcome, kind bot.EventKind) bool {
	for _, e := range o.Events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// stored decodes what the store holds for scope.
func stored(t *testing.T, st store.Store, scope string) (bot.State, int64) {
	t.Helper()
	c, err := st.Load(context.Background(), scope)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s, err := bot.DecodeState(c.Data)
	if err != nil {
		t.Fatalf("DecodeState: %v", err)
	}
	return s, c.Version
}

// assertSafe checks that o is the degraded safety reply in lang.
func assertSafe(t *testing.T, o conversation.Outcome, lang string) {
	t.Helper()
	if !o.Degraded || o.Err == nil {
		t.Errorf("Degraded = %v, Err = %v; want a degraded turn with its error", o.Degraded, o.Err)
	}
	if len(o.Replies) != 1 {
		t.Fatalf("%d replies, want the one safety reply: %q", len(o.Replies), text(o))
	}
	r := o.Replies[0]
	if r.MessageID != "safe" || r.Lang != lang {
		t.Errorf("reply %s in %q, want safe in %q", r.MessageID, r.Lang, lang)
	}
	for _, n := range safetyNumbers {
		if !strings.Contains(r.Text, n) {
			t.Errorf("the safety reply lacks %s: %q", n, r.Text)
		}
	}
	if safe := testEngine(t).Safe(lang); r.Text != safe.Text {
		t.Errorf("reply %q, want the safety reply %q", r.Text, safe.Text)
	}
	if len(o.Events) != 0 {
		t.Errorf("a degraded turn has events %v", o.Events)
	}
}

func TestTurnSavesStateForTheNextTurn(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	svc := newService(t, mem, conversation.Config{})

	o := svc.Handle(ctx, conversation.Inbound{Scope: "resident-a", Text: "Jag behöver stöd"})
	if o.Degraded || !o.New {
		t.Fatalf("first turn: Degraded %v (%v), New %v; want a new conversation", o.Degraded, o.Err, o.New)
	}
	if o.Replies[0].MessageID != "ask_age" {
		t.Fatalf("first reply %s, want ask_age: %q", o.Replies[0].MessageID, text(o))
	}
	st, v := stored(t, mem, "resident-a")
	if st.Node != "ask_age" || v != 1 {
		t.Fatalf("stored node %q version %d, want ask_age version 1", st.Node, v)
	}

	// "16" means something only as the answer to the stored question.
	o = svc.Handle(ctx, conversation.Inbound{Scope: "resident-a", Text: "16"})
	if o.Degraded || o.New {
		t.Fatalf("second turn: Degraded %v (%v), New %v", o.Degraded, o.Err, o.New)
	}
	if got := text(o); !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
		t.Errorf("a 16-year-old got %q; want %s and never %s", got, youthNumber, adultNumber)
	}
	if !hasEvent(o, bot.EventReferred) || o.Events[0].Route != "boj_youth" {
		t.Errorf("events %+v, want referred boj_youth", o.Events)
	}
	st, v = stored(t, mem, "resident-a")
	if v != 2 || st.AgeMax != 16 || st.Node != "" {
		t.Errorf("stored %+v version %d, want age 16, no question, version 2", st, v)
	}

	// Another resident's conversation is their own.
	o = svc.Handle(ctx, conversation.Inbound{Scope: "resident-b", Text: "16"})
	if !o.New || o.Replies[0].MessageID == "support_child" {
		t.Errorf("resident-b: New %v, reply %s; want a new conversation that did not inherit the question", o.New, o.Replies[0].MessageID)
	}
}

func TestEraseDeletesEverything(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	svc := newService(t, hs, conversation.Config{})

	svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "Jag är 17 och blev rånad"})
	if _, _, err := mem.Remember(ctx, "resident", "SM123", []byte("reply"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Hit(ctx, "resident", "sms", time.Hour); err != nil {
		t.Fatal(err)
	}

	o := svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "STOPP"})
	if o.Degraded || !hasEvent(o, bot.EventErase) {
		t.Fatalf("STOPP: Degraded %v (%v), events %+v; want an erase", o.Degraded, o.Err, o.Events)
	}
	if !strings.Contains(text(o), "112") {
		t.Errorf("the erase confirmation %q gives no way to get help", text(o))
	}
	if hs.erases.Load() != 1 || hs.erased[0] != "resident" {
		t.Errorf("Erase called for %v, want once for resident", hs.erased)
	}
	if c, err := mem.Load(ctx, "resident"); err != nil || c.Version != 0 || c.Data != nil {
		t.Errorf("after STOPP, Load = %+v, %v; want nothing", c, err)
	}
	if _, found, _ := mem.Remember(ctx, "resident", "SM123", []byte("again"), time.Hour); found {
		t.Error("a remembered reply survived the erase")
	}
	if n, _ := mem.Hit(ctx, "resident", "sms", time.Hour); n != 1 {
		t.Errorf("the rate window survived the erase: count %d", n)
	}
	if o := svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "hej"}); !o.New {
		t.Error("the next message after STOPP did not start a new conversation")
	}
}

// TestConflictIsRetried: another replica answers the same resident between this turn's
// load and save; the turn runs again on the state the other replica saved.
func TestConflictIsRetried(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	var once sync.Once
	hs.save = func(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error) {
		once.Do(func() {
			// The other replica asked for the age meanwhile.
			data, _ := bot.State{Lang: "sv", LangKnown: true, Node: "ask_age", Asked: []string{"ask_age"}}.Encode()
			if _, err := mem.Save(ctx, scope, store.Conversation{Data: data}, ttl); err != nil {
				t.Errorf("the other replica's save: %v", err)
			}
		})
		return mem.Save(ctx, scope, c, ttl)
	}
	svc := newService(t, hs, conversation.Config{})

	o := svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "16"})
	if o.Degraded {
		t.Fatalf("degraded: %v", o.Err)
	}
	if hs.saves.Load() != 2 || hs.loads.Load() != 2 {
		t.Errorf("%d loads and %d saves, want 2 and 2", hs.loads.Load(), hs.saves.Load())
	}
	if got := text(o); !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
		t.Errorf("reply %q: the retry did not answer the other replica's question", got)
	}
	if o.New {
		t.Error("New is true, but the other replica had started the conversation")
	}
	if st, v := stored(t, mem, "resident"); v != 2 || st.AgeMax != 16 {
		t.Errorf("stored %+v version %d, want age 16 at version 2", st, v)
	}
}

func TestRepeatedConflictsGiveTheSafetyReply(t *testing.T) {
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	hs.save = func(context.Context, string, store.Conversation, time.Duration) (int64, error) {
		return 0, store.ErrConflict
	}
	svc := newService(t, hs, conversation.Config{})

	o := svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: "Hello, I was robbed"})
	assertSafe(t, o, "en")
	if !errors.Is(o.Err, store.ErrConflict) {
		t.Errorf("Err = %v, want ErrConflict", o.Err)
	}
	if n := hs.saves.Load(); n < 2 || n > 10 {
		t.Errorf("%d saves; want a few retries, then give up", n)
	}
}

// TestStoreFailureGivesTheSafetyReply: whatever goes wrong with the store, the resident
// gets 112 and the numbers, in the language of their message.
func TestStoreFailureGivesTheSafetyReply(t *testing.T) {
	errDown := errors.New("connection refused")
	tests := []struct {
		name string
		text string
		lang string
		hook func(h *hookStore)
		want error // Err wraps it
	}{
		{"load fails, English", "Hello, I was robbed yesterday", "en",
			func(h *hookStore) {
				h.load = func(context.Context, string) (store.Conversation, error) { return store.Conversation{}, errDown }
			}, errDown},
		{"load fails, Swedish", "Hej, jag blev rånad igår", "sv",
			func(h *hookStore) {
				h.load = func(context.Context, string) (store.Conversation, error) { return store.Conversation{}, errDown }
			}, errDown},
		{"load fails, Finnish", "Hei, minut ryöstettiin eilen", "fi",
			func(h *hookStore) {
				h.load = func(context.Context, string) (store.Conversation, error) { return store.Conversation{}, errDown }
			}, errDown},
		{"load fails, nothing to read", "", "sv",
			func(h *hookStore) {
				h.load = func(context.Context, string) (store.Conversation, error) { return store.Conversation{}, errDown }
			}, errDown},
		{"save fails", "I need help", "en",
			func(h *hookStore) {
				h.save = func(context.Context, string, store.Conversation, time.Duration) (int64, error) { return 0, errDown }
			}, errDown},
		{"erase fails", "STOP", "en",
			func(h *hookStore) { h.erase = func(context.Context, string) error { return errDown } }, errDown},
		{"load panics", "Hello", "en",
			func(h *hookStore) {
				h.load = func(context.Context, string) (store.Conversation, error) { panic("driver bug") }
			}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := &hookStore{Store: store.NewMemory(clock)}
			tt.hook(hs)
			svc := newService(t, hs, conversation.Config{})
			o := svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: tt.text})
			assertSafe(t, o, tt.lang)
			if tt.want != nil && !errors.Is(o.Err, tt.want) {
				t.Errorf("Err = %v, want it to wrap %v", o.Err, tt.want)
			}
		})
	}
}

// TestSlowStoreGivesTheSafetyReply: a store that does not answer holds no resident up
// longer than the timeout, whether it honours its context or not.
func TestSlowStoreGivesTheSafetyReply(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name string
		load func(ctx context.Context, scope string) (store.Conversation, error)
	}{
		{"waits for its context", func(ctx context.Context, _ string) (store.Conversation, error) {
			<-ctx.Done()
			return store.Conversation{}, ctx.Err()
		}},
		{"ignores its context", func(context.Context, string) (store.Conversation, error) {
			<-release
			return store.Conversation{}, errors.New("too late")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := &hookStore{Store: store.NewMemory(clock), load: tt.load}
			svc := newService(t, hs, conversation.Config{Timeout: 50 * time.Millisecond})
			done := make(chan conversation.Outcome, 1)
			go func() {
				done <- svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: "Hello, someone hit me"})
			}()
			var o conversation.Outcome
			select {
			case o = <-done:
			case <-time.After(20 * time.Second): // a guard against a hung test, not a timing
				t.Fatal("Handle did not return")
			}
			assertSafe(t, o, "en")
			if !errors.Is(o.Err, context.DeadlineExceeded) {
				t.Errorf("Err = %v, want the deadline", o.Err)
			}
		})
	}
}

func TestCancelledCallerGetsTheSafetyReply(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	svc := newService(t, store.NewMemory(clock), conversation.Config{})
	o := svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "hej"})
	assertSafe(t, o, "sv")
	if !errors.Is(o.Err, context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", o.Err)
	}
}

// TestUnreadableStateStartsAfresh: a state the engine cannot read (corrupt, or written by
// a newer trygg) is not an error for the resident: the conversation starts again.
func TestUnreadableStateStartsAfresh(t *testing.T) {
	for name, data := range map[string]string{
		"garbage":       "\x00not json",
		"no version":    `{"l":"en"}`,
		"newer version": `{"v":99,"l":"en","n":"ask_age"}`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			mem := store.NewMemory(clock)
			if _, err := mem.Save(ctx, "resident", store.Conversation{Data: []byte(data)}, time.Hour); err != nil {
				t.Fatal(err)
			}
			svc := newService(t, mem, conversation.Config{})
			o := svc.Handle(ctx, conversation.Inbound{Scope: "resident", Text: "hej"})
			if o.Degraded {
				t.Fatalf("degraded: %v", o.Err)
			}
			if o.Replies[0].MessageID != "welcome" {
				t.Errorf("reply %s, want welcome", o.Replies[0].MessageID)
			}
			if st, v := stored(t, mem, "resident"); v != 2 || st.Lang != "sv" {
				t.Errorf("stored %+v version %d; want a fresh Swedish state over the old one", st, v)
			}
		})
	}
}

func TestSafe(t *testing.T) {
	svc := newService(t, store.NewMemory(clock), conversation.Config{})
	for text, lang := range map[string]string{"Hello, can you help me": "en", "hej": "sv", "Moi, tarvitsen apua": "fi", "": "sv"} {
		r := svc.Safe(text)
		if r.Lang != lang || r.MessageID != "safe" {
			t.Errorf("Safe(%q) = %s in %s, want safe in %s", text, r.MessageID, r.Lang, lang)
		}
		for _, n := range safetyNumbers {
			if !strings.Contains(r.Text, n) {
				t.Errorf("Safe(%q) lacks %s", text, n)
			}
		}
	}
}

// TestConcurrentTurnsOfOneResident: turns of one resident that race each other all get an
// answer, and every one of them is saved (none is lost to a conflict).
func TestConcurrentTurnsOfOneResident(t *testing.T) {
	mem := store.NewMemory(clock)
	svc := newService(t, mem, conversation.Config{Timeout: 10 * time.Second})
	const n = 8
	var wg sync.WaitGroup
	outcomes := make([]conversation.Outcome, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: "hej"})
		}()
	}
	wg.Wait()
	for i, o := range outcomes {
		if o.Degraded || len(o.Replies) == 0 {
			t.Errorf("turn %d: Degraded %v (%v), %d replies", i, o.Degraded, o.Err, len(o.Replies))
		}
	}
	if _, v := stored(t, mem, "resident"); v != n {
		t.Errorf("version %d after %d turns, want %d", v, n, n)
	}
}

// TestSilentFlowStillAnswers: a flow that says nothing on some way (here the privacy topic
// only emits an event) still gives the resident the safety reply.
func TestSilentFlowStillAnswers(t *testing.T) {
	fl := fstest.MapFS{}
	err := fs.WalkDir(flows.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(flows.Embedded(), p)
		fl[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	main := string(fl["main.yaml"].Data)
	silent := strings.Replace(main, "  privacy:\n    say: privacy\n", "  privacy:\n    event: {kind: unsafe_place}\n", 1)
	if silent == main {
		t.Fatal("the privacy node was not found in main.yaml")
	}
	fl["main.yaml"].Data = []byte(silent)
	set, err := flows.Load(flows.Source{Flows: fl, Locales: locales.Embedded(), FlowsName: "flows", LocalesName: "locales"})
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(conversation.Config{Engine: bot.New(set, bot.Options{}), Store: store.NewMemory(clock), Now: clock})
	o := svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: "What do you store about me, gdpr?"})
	if o.Degraded {
		t.Fatalf("degraded: %v", o.Err)
	}
	if len(o.Replies) != 1 || o.Replies[0].MessageID != "safe" || o.Replies[0].Lang != "en" {
		t.Errorf("replies %+v, want the English safety reply", o.Replies)
	}
	if !hasEvent(o, bot.EventUnsafePlace) {
		t.Errorf("events %+v: the turn's own events are lost", o.Events)
	}
}

// TestActEndsAHandoff: a host turn ends a handoff with the numbers and saves the state; on
// a conversation that is not stored it does nothing and stores nothing; a message relayed
// to staff gets no reply at all (not the safety reply).
func TestActEndsAHandoff(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory(nil)
	s := newService(t, st, conversation.Config{})
	s.Register(staffed{})
	s.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "PERSON"})
	if o := s.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "JA"}); !o.State.Handoff {
		t.Fatalf("JA did not start a handoff: %+v", o.Events)
	}
	if o := s.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "hallå, är någon där"}); len(o.Replies) != 0 || o.Degraded {
		t.Errorf("a relayed message got replies: %+v", o.Replies)
	}
	end := func(st bot.State) bot.Result {
		if !st.Handoff {
			return bot.Result{State: st}
		}
		return s.Engine().EndHandoff(st, "staff")
	}
	o, err := s.Act(ctx, "r1", "sms", end)
	if err != nil || len(o.Replies) == 0 || !strings.Contains(o.Replies[0].Text, "112") || o.State.Handoff {
		t.Fatalf("Act: %+v, %v", o, err)
	}
	if o := s.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "hej"}); len(o.Replies) == 0 {
		t.Error("after Act the bot does not answer")
	}
	o, err = s.Act(ctx, "nobody", "sms", end)
	if err != nil || len(o.Replies) != 0 {
		t.Errorf("Act on nothing: %+v, %v", o, err)
	}
	if c, _ := st.Load(ctx, "nobody"); c.Version != 0 {
		t.Error("Act stored a conversation that did not exist")
	}
}
