package chaos

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/origintest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// TestRedisStopAndRestart stops Redis (AOF on) with SIGTERM in the middle
// of a run and starts it again on the same port a few seconds later.
func TestRedisStopAndRestart(t *testing.T) {
	long(t)
	redisOutage(t, "redis_SIGTERM_restart", "Redis_SIGTERM_(AOF_everysec)", redistest.WithAOF("everysec"),
		(*redistest.Server).Stop)
}

// TestRedisKillAndRestart kills Redis (AOF, appendfsync always) with
// SIGKILL in the middle of a run and starts it again a few seconds later:
// every acknowledged write must survive.
func TestRedisKillAndRestart(t *testing.T) {
	long(t)
	redisOutage(t, "redis_SIGKILL_restart", "Redis_SIGKILL_(AOF_always)", redistest.WithAOF("always"),
		(*redistest.Server).Kill)
}

// outage is how long Redis stays down.
const outage = 3 * time.Second

// maxOutageCPU is the share of one core a worker may use while Redis is
// down: reconnecting with backoff costs little; a busy loop costs a core.
const maxOutageCPU = 0.30

// redisOutage runs workers, the monitor and the API through a Redis
// outage caused by down (described by fault), and checks that they ride
// through it: none crashes, the workers do not spin, the API answers (503
// is fine) and the run completes exactly once.
func redisOutage(t *testing.T, scenario, fault string, aof redistest.Option, down func(*redistest.Server, testing.TB)) {
	const n = 20000
	begin := time.Now()
	s := newSystem(t, aof)
	o := origintest.New(t, 5*time.Millisecond)
	s.run("producer", o.WriteList(t, n))
	api := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	apiProc := s.start("api", []string{"API_ADDR=" + api})
	mon := s.start("monitor", nil, "-until-done", "-json", "-interval", "200ms")
	workers := make([]*proc, 3)
	for i := range workers {
		workers[i] = s.start("worker", []string{"CONCURRENCY=16"}, fmt.Sprint("outage-", i))
	}
	waitfor.Cond(t, time.Minute, "a quarter of the results", func() bool { return s.stats().Done >= n/4 })
	waitfor.Cond(t, 10*time.Second, "the API", func() bool { return apiStatus(api) == http.StatusOK })

	cpu0 := make([]time.Duration, len(workers))
	for i, w := range workers {
		cpu0[i] = cpuTime(t, w.Pid())
	}
	start := time.Now()
	down(s.redis, t)
	codes, slowest := pollDuringOutage(t, api, append([]*proc{apiProc, mon}, workers...))
	wall := time.Since(start)
	for i, w := range workers {
		used := cpuTime(t, w.Pid()) - cpu0[i]
		share := used.Seconds() / wall.Seconds()
		t.Logf("%s used %v of CPU in the %v outage (%.1f%% of a core)", w.Name, used, wall.Round(time.Millisecond), 100*share)
		if share > maxOutageCPU {
			t.Errorf("%s used %.0f%% of a core while Redis was down; want under %.0f%% (busy loop?)",
				w.Name, 100*share, 100*maxOutageCPU)
		}
	}
	t.Logf("API answers to GET /stats during the outage: %v (status: count), slowest %v", codes, slowest.Round(time.Millisecond))
	s.redis.Restart(t)

	s.waitFinished(2 * time.Minute)
	if err := mon.Wait(t, 30*time.Second); err != nil {
		t.Errorf("monitor -until-done: %v; want exit 0 once the run finished", err)
	}
	if !strings.Contains(mon.Output(), `{"error":"redis unreachable`) {
		t.Errorf("the monitor never reported the outage:\n%s", tail(mon.Output(), 2048))
	}
	var st struct{ Finished bool }
	waitfor.Cond(t, 10*time.Second, "the API to report the run finished", func() bool {
		return getJSON("http://"+api+"/stats", &st) == nil && st.Finished
	})
	for _, w := range append(workers, apiProc) {
		w.Stop(t, 30*time.Second)
	}
	tl, _ := s.verify(n)
	report(t, scenario, n, fmt.Sprintf("%s,_down_%.1fs,_restarted", fault, wall.Seconds()), tl, time.Since(begin))
}

// maxOutageAnswer bounds how long the API may take to answer while Redis
// is down: its Redis timeout (5 s) plus slack.
const maxOutageAnswer = 6 * time.Second

// pollDuringOutage asks the API for /stats, one request after another,
// for the outage, and fails the test if the API does not answer in time or
// any process exits. It returns how often each status came back and the
// slowest answer.
func pollDuringOutage(tb testing.TB, api string, procs []*proc) (map[int]int, time.Duration) {
	tb.Helper()
	codes := make(map[int]int)
	var slowest time.Duration
	end := time.Now().Add(outage)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(end) {
		t0 := time.Now()
		code := apiStatus(api)
		took := time.Since(t0)
		codes[code]++
		slowest = max(slowest, took)
		if (code != http.StatusOK && code != http.StatusServiceUnavailable) || took > maxOutageAnswer {
			tb.Errorf("GET /stats during the outage: %d after %v; want 200 or 503 within %v", code, took, maxOutageAnswer)
		}
		for _, p := range procs {
			if p.Exited() {
				tb.Fatalf("%s exited while Redis was down: %v\n%s", p.Name, p.ExitErr(), tail(p.Output(), 2048))
			}
		}
		<-tick.C
	}
	return codes, slowest
}

// apiStatus returns the status of GET /stats, or 0 if the API did not
// answer within 10 s.
func apiStatus(api string) int {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + api + "/stats")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func getJSON(url string, v any) error {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}
