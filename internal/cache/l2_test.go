package cache

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/urlcheck/url-checker/internal/check"
	"github.com/urlcheck/url-checker/internal/redistest"
)

func TestGetMany(t *testing.T) {
	_, rdb := newRedis(t)
	ctx := context.Background()
	writer := newCache(t, rdb, Config{})
	const (
		inL1      = "http://example.com/l1"
		inL2      = "http://example.com/l2"
		errorInL2 = "http://example.com/gone"
		missing   = "http://example.com/missing"
		invalid   = "ftp://example.com/"
	)
	notFound := check.Result{URL: errorInL2, Status: 404, ErrorKind: check.KindHTTP4xx, Error: "404", FinalURL: errorInL2}
	for _, r := range []check.Result{okResult(inL1), okResult(inL2), notFound} {
		if _, err := writer.Get(ctx, r.URL, newOrigin(r).fetch); err != nil {
			t.Fatalf("writer Get: %v", err)
		}
	}
	// The reader has its own L1, warm with one URL only, and counts commands.
	readerRDB := redis.NewClient(rdb.Options())
	t.Cleanup(func() { _ = readerRDB.Close() })
	reader := newCache(t, readerRDB, Config{})
	if _, err := reader.Get(ctx, inL1, newOrigin(check.Result{}).fetch); err != nil {
		t.Fatalf("reader Get: %v", err)
	}
	reader.TakeCounts()
	cmds := countCommands(readerRDB)

	urls := []string{inL1, inL2, errorInL2, missing, invalid, "HTTP://EXAMPLE.COM:80/l2#frag"}
	got, err := reader.GetMany(ctx, urls)
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}
	for i, want := range []struct {
		source string
		ok     bool
	}{{SourceL2, true}, {SourceL2, true}, {SourceL2, false}, {"", false}, {"", false}, {SourceL2, true}} {
		if i == 0 {
			want.source = SourceL1
		}
		l := got[i]
		if l.Found != (want.source != "") || l.Source != want.source || l.Result.Cache != want.source ||
			l.Result.OK != want.ok || (l.Found && l.Result.URL != urls[i]) {
			t.Errorf("GetMany[%d] (%s): got %+v; want Found %v, Source %q, OK %v",
				i, urls[i], l, want.source != "", want.source, want.ok)
		}
	}
	if n, m := cmds.count("mget"), len(cmds.n); n != 1 || m != 1 {
		t.Errorf("commands: got %v; want one mget", cmds.n)
	}
	if counts := reader.TakeCounts(); counts[SourceL1] != 1 || counts[SourceL2] != 3 {
		t.Errorf("counts: got %v; want l1 1, l2 3", counts)
	}
	if !reader.l1.Contains(inL2) || reader.l1.Contains(errorInL2) {
		t.Errorf("L1 after GetMany: got %v; want the OK result of l2 only", reader.l1.Keys())
	}

	cmds.reset()
	if _, err := reader.GetMany(ctx, []string{inL1, inL2}); err != nil {
		t.Fatalf("second GetMany: %v", err)
	}
	if len(cmds.n) != 0 {
		t.Errorf("commands of GetMany of L1 hits: got %v; want none", cmds.n)
	}
}

func TestGetManyOnCluster(t *testing.T) {
	s := redistest.Start(t, redistest.WithCluster())
	rdb := s.ClusterClient(t)
	ctx := context.Background()
	writer, reader := newCache(t, rdb, Config{}), newCache(t, rdb, Config{})
	var urls []string
	for _, path := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		url := "http://example.com/" + path
		urls = append(urls, url)
		if _, err := writer.Get(ctx, url, newOrigin(okResult(url)).fetch); err != nil {
			t.Fatalf("writer Get: %v", err)
		}
	}
	got, err := reader.GetMany(ctx, urls)
	if err != nil {
		t.Fatalf("GetMany on a cluster: %v", err)
	}
	for i, l := range got {
		if !l.Found || l.Source != SourceL2 || l.Result.URL != urls[i] {
			t.Errorf("GetMany[%d]: got %+v; want found in L2", i, l)
		}
	}
}
