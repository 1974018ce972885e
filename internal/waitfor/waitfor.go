// Package waitfor waits in tests for a condition on a real system (a
// server, a process, a counter in Redis) with a deadline, instead of
// sleeping for a guessed time.
package waitfor

import (
	"testing"
	"time"
)

// Cond polls cond every few milliseconds until it holds, and fails the test
// with what after timeout.
func Cond(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
