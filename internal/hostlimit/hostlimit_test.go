package hostlimit

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/redistest"
)

func TestNewRejects(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"prefix with a hash tag", Config{Prefix: "x:{y}:"}, "prefix"},
		{"negative concurrency", Config{Default: Policy{Concurrency: -1}}, "default policy"},
		{"negative burst", Config{Default: Policy{Rate: 1, Burst: -1}}, "default policy"},
		{"negative rate", Config{Default: Policy{Rate: -1}}, "rate"},
		{"NaN rate", Config{Default: Policy{Rate: math.NaN()}}, "rate"},
		{"rate too high", Config{Default: Policy{Rate: 2e6}}, "rate"},
		{"host with a brace", Config{Hosts: map[string]Policy{"a}": {}}}, `host "a}"`},
		{"host twice", Config{Hosts: map[string]Policy{"a": {}, "A": {}}}, `host "a"`},
		{"bad host policy", Config{Hosts: map[string]Policy{"a": {Concurrency: -2}}}, `host "a"`},
		{"lease under 1ms", Config{Lease: time.Microsecond}, "lease"},
		{"negative max pause", Config{MaxPause: -time.Second}, "max pause"},
		{"negative busy wait", Config{BusyWait: -time.Second}, "busy wait"},
	} {
		_, err := New(context.Background(), rdb, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New error = %v; want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	l := newLimiter(t, redistest.Start(t).Client(t), Config{})
	c := l.cfg
	if c.Prefix != DefaultPrefix || c.Lease != DefaultLease || c.MaxPause != DefaultMaxPause ||
		c.BackoffBase != DefaultBackoffBase || c.BusyWait != DefaultBusyWait {
		t.Errorf("config = %+v; want the defaults", c)
	}
	if got := l.Policy("example.com"); !got.Unlimited() {
		t.Errorf("default policy = %+v; want unlimited", got)
	}
}

// TestCluster runs every script on a one-node cluster, where Redis 7
// rejects a "#!lua" script that touches an undeclared key or keys of more
// than one slot.
func TestCluster(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.WithCluster())
	cfg := Config{Default: Policy{Concurrency: 2, Rate: 1000}, BackoffBase: 10 * time.Millisecond}
	l := newLimiter(t, srv.ClusterClient(t), cfg)
	if l.s != &shebangScripts {
		t.Fatal("scripts lack the #!lua line on a Redis 7 server")
	}
	var permits []Permit
	for _, host := range []string{"a.test", "b.test:8080", "c.test"} {
		permits = append(permits, mustAcquire(t, l, host))
		if _, err := l.Backoff(ctx, host); err != nil {
			t.Fatal(err)
		}
		mustPause(t, l, host, time.Second)
		mustRefuse(t, l, host)
		if err := l.Recover(ctx, host); err != nil {
			t.Fatal(err)
		}
	}
	mustRelease(t, permits[0])
	if err := l.ReleaseMany(ctx, permits); err != nil {
		t.Fatal(err)
	}
	p := mustAcquire(t, l, "d.test")
	mustAcquire(t, l, "d.test")
	mustRefuse(t, l, "d.test") // busy
	mustRelease(t, p)
	if err := p.Recover(ctx); err != nil {
		t.Fatal(err)
	}
}
