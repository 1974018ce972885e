package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urlcheck/url-checker/internal/config"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func work(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return config.ExitCode(err, &errb), errb.String()
}

func TestHelpListsEverySetting(t *testing.T) {
	code, help := work(t, nil, "-h")
	for _, want := range []string{"REDIS_ADDR", "NAMESPACE", "HTTP_TIMEOUT", "WORKER_TIMEOUT", "MAX_RETRIES",
		"RESULTS_TO_KEEP", "CONCURRENCY", "BATCH_SIZE", "FLUSH_INTERVAL", "LEASE", "CACHE", "L1_SIZE", "-drain"} {
		if code != 0 || !strings.Contains(help, want) {
			t.Errorf("-h: exit %d, help lacks %q", code, want)
		}
	}
}

func TestBadSettingIsAStartUpError(t *testing.T) {
	code, errs := work(t, map[string]string{"MAX_RETRIES": "-1"})
	if code != 2 || !strings.Contains(errs, "MAX_RETRIES") {
		t.Errorf("exit %d, stderr %q; want 2 naming MAX_RETRIES", code, errs)
	}
}

func TestUnreachableRedisNamesTheAddress(t *testing.T) {
	srv := redistest.Start(t)
	srv.Kill(t)
	code, errs := work(t, map[string]string{"REDIS_ADDR": srv.Addr()}, "w")
	if code != 1 || !strings.Contains(errs, "redis at "+srv.Addr()+" is not reachable") {
		t.Errorf("exit %d, stderr %q; want 1 naming %s", code, errs, srv.Addr())
	}
}

func TestDrainOnEmptyRunExits(t *testing.T) {
	addr := redistest.Start(t).Addr()
	code, errs := work(t, map[string]string{"REDIS_ADDR": addr, "LOG_LEVEL": "error"}, "-drain", "w")
	if code != 0 {
		t.Errorf("exit %d, stderr %q; want 0 with nothing to do", code, errs)
	}
}
