package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestSetGet(t *testing.T) {
	t.Parallel()
	s := Start(t)
	if want := fmt.Sprintf("127.0.0.1:%d", s.Port()); s.Addr() != want {
		t.Errorf("Addr() = %q; want %q", s.Addr(), want)
	}
	rdb := s.Client(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	got, err := rdb.Get(ctx, "k").Result()
	if err != nil || got != "v" {
		t.Fatalf("GET k = %q, %v; want \"v\", nil", got, err)
	}
}

func TestRestartKeepsAOFData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		down func(*Server, testing.TB)
	}{
		{"stop", (*Server).Stop},
		{"kill", (*Server).Kill},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, WithAOF("always"))
			rdb := s.Client(t)
			ctx := context.Background()
			if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatalf("SET: %v", err)
			}
			tt.down(s, t)
			if conn, err := net.Dial("tcp", s.Addr()); err == nil {
				conn.Close()
				t.Fatalf("server still accepts connections after %s", tt.name)
			}
			s.Restart(t)
			got, err := rdb.Get(ctx, "k").Result()
			if err != nil || got != "v" {
				t.Fatalf("GET k after %s and restart = %q, %v; want \"v\", nil", tt.name, got, err)
			}
		})
	}
}

func TestRestartWithoutAOFLosesData(t *testing.T) {
	t.Parallel()
	s := Start(t)
	rdb := s.Client(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Stop(t)
	s.Restart(t)
	if err := rdb.Get(ctx, "k").Err(); err != redis.Nil {
		t.Fatalf("GET k after restart: got %v; want redis.Nil", err)
	}
}

func TestClusterScriptSlots(t *testing.T) {
	t.Parallel()
	s := Start(t, WithCluster())
	rdb := s.ClusterClient(t)
	ctx := context.Background()
	if err := rdb.MSet(ctx, "a{x}", "1", "b{x}", "2", "other{x}", "3").Err(); err != nil {
		t.Fatalf("MSET: %v", err)
	}
	tests := []struct {
		name    string
		script  string
		keys    []string
		want    any
		wantErr string
	}{
		{
			name:    "undeclared key in another slot",
			script:  "#!lua\nreturn redis.call('GET', 'other{x}')",
			keys:    []string{"k{y}"},
			wantErr: "do not hash to the same slot",
		},
		{
			name:   "declared keys sharing a hash tag",
			script: "#!lua\nreturn redis.call('GET', KEYS[1]) .. redis.call('GET', KEYS[2])",
			keys:   []string{"a{x}", "b{x}"},
			want:   "12",
		},
		{
			// Scripts without a shebang keep the old lax rule, which is why
			// the project's scripts start with #!lua.
			name:   "no shebang is not checked",
			script: "return redis.call('GET', 'other{x}')",
			keys:   []string{"k{y}"},
			want:   "3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rdb.Eval(ctx, tt.script, tt.keys).Result()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("EVAL = %v, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("EVAL = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestClusterKillRestart(t *testing.T) {
	t.Parallel()
	s := Start(t, WithCluster(), WithAOF("always"))
	rdb := s.ClusterClient(t)
	ctx := context.Background()
	if err := rdb.Set(ctx, "k{x}", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Kill(t)
	s.Restart(t)
	got, err := rdb.Get(ctx, "k{x}").Result()
	if err != nil || got != "v" {
		t.Fatalf("GET k{x} after restart = %q, %v; want \"v\", nil", got, err)
	}
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	s := Start(t)
	ctx := context.Background()
	impatient := redis.NewClient(&redis.Options{
		Addr:            s.Addr(),
		ReadTimeout:     100 * time.Millisecond,
		MaxRetries:      -1,
		DisableIdentity: true,
	})
	defer impatient.Close()
	if err := impatient.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING before pause: %v", err)
	}
	s.Pause(t)
	if err := impatient.Ping(ctx).Err(); err == nil {
		t.Fatal("PING while paused succeeded; want a timeout")
	}
	s.Resume(t)
	if err := s.Client(t).Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after resume: %v", err)
	}
}

func TestStopPaused(t *testing.T) {
	t.Parallel()
	s := Start(t)
	s.Pause(t)
	s.Stop(t)
	s.Restart(t)
	if err := s.Client(t).Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING after restart: %v", err)
	}
}

// A second server on a taken port exits, and the first one answering on that
// port must not pass for the second being ready.
func TestLaunchOnTakenPort(t *testing.T) {
	t.Parallel()
	first := Start(t)
	second := &Server{bin: first.bin, dir: t.TempDir(), port: first.port}
	t.Cleanup(func() { second.cleanup(t) })
	if err := second.launch(); !errors.Is(err, errExited) {
		t.Fatalf("launch on a taken port: got %v; want %v", err, errExited)
	}
	if !portInUse(second.dir) {
		t.Errorf("portInUse = false; want true; logs:%s", logTail(second.dir))
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the
// calling goroutine, so that tests can check how Start fails.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex // guards msg
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.msg = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *fatalRecorder) message() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msg
}

func TestStartFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"bad fsync", []Option{WithAOF("sometimes")}, `WithAOF("sometimes")`},
		{"bad argument", []Option{WithArgs("--no-such-directive", "1")}, "no-such-directive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Start(rec, tt.opts...)
			}()
			<-done
			got := rec.message()
			t.Logf("Start failed with: %s", got)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("Start failed with %q; want a message containing %q", got, tt.want)
			}
		})
	}
}
