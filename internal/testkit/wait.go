package testkit

import (
	"sync"
	"testing"
	"time"
)

// waitDeadline is how long a fake waits for trygg's background work before failing a test.
const waitDeadline = 10 * time.Second

// waitFor waits until cond holds, checking it again each time the channel behind changed
// (guarded by mu) is closed, which a fake does on every call it receives. After
// waitDeadline it fails t with the message timeout returns.
func waitFor(t testing.TB, mu *sync.Mutex, changed *chan struct{}, cond func() bool, timeout func() string) {
	t.Helper()
	deadline := time.After(waitDeadline)
	for {
		mu.Lock()
		ch := *changed
		mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatal(timeout())
			return
		}
	}
}
