package queue

import (
	"context"
	"testing"

	"github.com/urlcheck/url-checker/internal/redistest"
)

func TestLazyStartsWhileRedisIsDown(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	srv.Kill(t)
	l := NewLazy(rdb, Config{Namespace: "lazy"})
	if _, err := l.Stats(ctx); err == nil {
		t.Fatal("Stats with redis down = nil error; want one")
	}
	srv.Restart(t)
	q, err := l.Get(ctx)
	if err != nil {
		t.Fatalf("Get after restart: %v", err)
	}
	if q.Namespace() != "lazy" {
		t.Errorf("namespace = %q; want lazy", q.Namespace())
	}
	if again, _ := l.Get(ctx); again != q {
		t.Errorf("second Get returned another queue")
	}
	if _, err := l.Stats(ctx); err != nil {
		t.Errorf("Stats = %v; want nil", err)
	}
}

func TestLazyBadConfig(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	l := NewLazy(rdb, Config{Namespace: "{bad}"})
	if _, err := l.Get(context.Background()); err == nil {
		t.Error("Get with a bad namespace = nil error; want one")
	}
}
