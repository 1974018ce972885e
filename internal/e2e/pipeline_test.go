package e2e

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

// TestPipeline runs producer, three workers and the API on a few thousand
// URLs and checks every count the API reports.
func TestPipeline(t *testing.T) {
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) { pipeline(t, setup.new(t)) })
	}
}

// TestPipelineOnOneNodeCluster runs on a cluster given as one address,
// where Redis 7 rejects a script that touches a key of another slot than
// the ones it declared.
func TestPipelineOnOneNodeCluster(t *testing.T) {
	s := newSystem(t, redistest.WithCluster())
	s.env = append(s.env, "REDIS_CLUSTER=1")
	s.q = newQueue(t, s.redis.ClusterClient(t), 16)
	pipeline(t, s)
}

func pipeline(t *testing.T, s *system) {
	const n = 3000
	o := origintest.New(t, time.Millisecond)
	out := s.run("producer", o.WriteList(t, n))
	if !strings.Contains(out, fmt.Sprintf("accepted %d, rejected 0", n)) {
		t.Errorf("producer said %q; want %d accepted", out, n)
	}
	api := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	s.start("api", []string{"API_ADDR=" + api})
	var workers []*proc
	for i := range 3 {
		workers = append(workers, s.start("worker", nil, "-drain", fmt.Sprint("worker-", i)))
	}
	for _, w := range workers {
		if err := w.Wait(t, time.Minute); err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
	}
	s.checkExactlyOnce(n)
	var stats struct {
		Total, Queued, Processing, Delayed, Success, Error, Done int64
		Finished                                                 bool
		WorkerList                                               []struct{ Name string } `json:"worker_list"`
	}
	waitfor.Cond(t, 10*time.Second, "the API", func() bool { return getJSON(t, "http://"+api+"/stats", &stats) == nil })
	if stats.Total != n || stats.Done != n || stats.Success != n*9/10 || stats.Error != n/10 ||
		stats.Queued+stats.Processing+stats.Delayed != 0 || !stats.Finished || len(stats.WorkerList) != 3 {
		t.Errorf("/stats = %+v; want %d done, %d ok, %d errors, 3 workers, finished", stats, n, n*9/10, n/10)
	}
	var failed []struct {
		URL    string `json:"url"`
		Status int    `json:"status"`
		Kind   string `json:"error_kind"`
	}
	if err := getJSON(t, "http://"+api+"/results?ok=false&limit=10000", &failed); err != nil {
		t.Fatal(err)
	}
	if len(failed) != n/10 || failed[0].Status != 404 || failed[0].Kind != "http_4xx" || !strings.Contains(failed[0].URL, "/missing/") {
		t.Errorf("/results?ok=false gave %d results, first %+v; want %d 404s", len(failed), failed[0], n/10)
	}
}

func getJSON(tb testing.TB, url string, v any) error {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}
