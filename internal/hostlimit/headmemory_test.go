package hostlimit

import (
	"context"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/redistest"
)

var _ check.HeadMemory = (*HeadMemory)(nil)

func TestHeadMemoryIsSharedThroughRedis(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client(t)
	a := NewHeadMemory(rdb, "t:host:", time.Hour, 0, nil)
	b := NewHeadMemory(rdb, "t:host:", time.Hour, 0, nil)
	if b.HeadBroken(ctx, "Example.com:8080") {
		t.Fatal("a fresh host is known broken")
	}
	a.MarkHeadBroken(ctx, "example.COM:8080")
	if !b.HeadBroken(ctx, "example.com:8080") {
		t.Error("another worker does not see the mark")
	}
	if ttl := rdb.TTL(ctx, "t:host:{example.com:8080}:nohead").Val(); ttl <= 59*time.Minute {
		t.Errorf("TTL = %v; want about an hour", ttl)
	}
}

func TestHeadMemoryTrustsLocalAnswersForAWhile(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	m := NewHeadMemory(srv.Client(t), "t:host:", time.Hour, time.Minute, nil)
	now := time.Now()
	m.now = func() time.Time { return now }
	m.MarkHeadBroken(ctx, "a.test")
	srv.Kill(t)
	if !m.HeadBroken(ctx, "a.test") {
		t.Error("a local answer was not used while Redis is down")
	}
	now = now.Add(2 * time.Minute)
	if m.HeadBroken(ctx, "a.test") {
		t.Error("an expired local answer was used, and a Redis error read as broken")
	}
}
