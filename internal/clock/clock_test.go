package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFakeWakesSleepersWhenTheirTimeComes(t *testing.T) {
	start := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	f := NewFake(start)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	woke := make(chan time.Time, 2)
	for _, d := range []time.Duration{time.Hour, 2 * time.Hour} {
		go func() {
			if err := f.SleepUntil(ctx, start.Add(d)); err != nil {
				t.Error(err)
			}
			woke <- f.Now()
		}()
	}
	if err := f.WaitSleepers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if got := f.Sleepers(); len(got) != 2 || !got[0].Equal(start.Add(time.Hour)) {
		t.Fatalf("sleepers %v", got)
	}
	f.Add(90 * time.Minute)
	if got := <-woke; !got.Equal(start.Add(90 * time.Minute)) {
		t.Errorf("woke at %v", got)
	}
	if got := f.Sleepers(); len(got) != 1 || !got[0].Equal(start.Add(2*time.Hour)) {
		t.Errorf("after the first woke, sleepers %v", got)
	}
	f.Set(start) // backwards: ignored
	if !f.Now().Equal(start.Add(90 * time.Minute)) {
		t.Error("the clock went backwards")
	}
	f.Add(time.Hour)
	<-woke
	if len(f.Sleepers()) != 0 {
		t.Error("a sleeper is left")
	}

	// A time already past returns at once; a cancelled sleep returns the context's error.
	if err := f.SleepUntil(ctx, start); err != nil {
		t.Errorf("past time: %v", err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- f.SleepUntil(cctx, start.Add(24*time.Hour)) }()
	if err := f.WaitSleepers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	ccancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sleep: %v", err)
	}
	if len(f.Sleepers()) != 0 {
		t.Error("a cancelled sleeper is left")
	}
}

func TestRealSleepUntilThePastAndCancel(t *testing.T) {
	if err := (Real{}).SleepUntil(context.Background(), time.Now().Add(-time.Second)); err != nil {
		t.Errorf("past time: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Real{}).SleepUntil(ctx, time.Now().Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
