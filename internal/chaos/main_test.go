// Package chaos proves the promise under faults, load and hostile input:
// nothing is lost, nothing is duplicated, nothing hangs, and bad input gets
// a clear answer. It runs the real binaries as processes against private
// redis-server instances and local origins, and injects the faults: worker
// SIGKILLs, Redis restarts and crashes, dropped connections, hostile
// origins and API load.
//
// The long scenarios run only with CHAOS=1 (make chaos, which also prints a
// summary table of the CHAOS-RESULT lines they log); the short ones run in
// every go test.
package chaos

import (
	"os"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/proctest"
)

// binDir holds the binaries built for this test run.
var binDir string

func TestMain(m *testing.M) {
	// Linking is not cached, so build only the binaries the tests run.
	proctest.Main(m, &binDir, "../../cmd/producer", "../../cmd/worker", "../../cmd/monitor", "../../cmd/api")
}

// long skips a scenario that takes more than a few seconds unless CHAOS is
// set, so that make test stays fast.
func long(tb testing.TB) {
	tb.Helper()
	if os.Getenv("CHAOS") == "" {
		tb.Skip("long chaos scenario; run with CHAOS=1 (make chaos)")
	}
}

// tally is what a scenario lost and duplicated.
type tally struct {
	lost, dup int64
}

// report logs the scenario's one machine-readable line, which
// scripts/chaos.sh collects into its summary table. faults must not
// contain spaces; underscores stand for them.
func report(tb testing.TB, scenario string, urls int, faults string, t tally, took time.Duration) {
	tb.Helper()
	tb.Logf("CHAOS-RESULT scenario=%s urls=%d faults=%s lost=%d duplicated=%d seconds=%.1f",
		scenario, urls, faults, t.lost, t.dup, took.Seconds())
}
