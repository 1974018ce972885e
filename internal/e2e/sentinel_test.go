package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/urlcheck/url-checker/internal/proctest"
	"github.com/urlcheck/url-checker/internal/redistest"
	"github.com/urlcheck/url-checker/internal/waitfor"
)

// TestPipelineUnderSentinel runs producer, workers and API through a
// Sentinel: REDIS_ADDR names the sentinel and REDIS_SENTINEL_MASTER the
// primary it watches.
func TestPipelineUnderSentinel(t *testing.T) {
	primary := redistest.Start(t)
	addr := startSentinel(t, primary.Port())
	s := &system{tb: t, redis: primary}
	s.env = append([]string{"REDIS_ADDR=" + addr, "REDIS_SENTINEL_MASTER=main", "NAMESPACE=e2e"}, proctest.FastEnv...)
	s.q = newQueue(t, primary.Client(t), 1)
	pipeline(t, s)
}

// startSentinel runs redis-server in sentinel mode, watching the primary
// on port, and returns its address once it knows the primary.
func startSentinel(t *testing.T, port int) string {
	t.Helper()
	dir := t.TempDir()
	own := redistest.FreePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor main 127.0.0.1 %d 1\n", own, dir, port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("redis-server", conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sentinel: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(own)
	c := redis.NewSentinelClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	waitfor.Cond(t, 10*time.Second, "the sentinel to know the primary", func() bool {
		a, err := c.GetMasterAddrByName(context.Background(), "main").Result()
		return err == nil && len(a) == 2 && a[1] == strconv.Itoa(port)
	})
	return addr
}
