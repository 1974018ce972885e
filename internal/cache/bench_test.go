package cache

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

func BenchmarkL1Hit(b *testing.B) {
	_, rdb := newRedis(b)
	c := newCache(b, rdb, Config{})
	ctx := context.Background()
	const url = "https://www.example.com/some/page?id=42"
	fetch := newOrigin(okResult(url)).fetch
	if _, err := c.Get(ctx, url, fetch); err != nil {
		b.Fatalf("Get: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := c.Get(ctx, url, fetch); r.Cache != SourceL1 {
			b.Fatalf("Get: got Cache %q; want l1", r.Cache)
		}
	}
}

// BenchmarkL2Hit alternates two URLs through an L1 of size one, so that
// every Get misses L1 and hits L2.
func BenchmarkL2Hit(b *testing.B) {
	_, rdb := newRedis(b)
	c := newCache(b, rdb, Config{L1Size: 1})
	ctx := context.Background()
	urls := [2]string{"https://www.example.com/one", "https://www.example.com/two"}
	for _, url := range urls {
		if _, err := c.Get(ctx, url, newOrigin(okResult(url)).fetch); err != nil {
			b.Fatalf("Get: %v", err)
		}
	}
	fetch := newOrigin(okResult("unused")).fetch
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if r, _ := c.Get(ctx, urls[i%2], fetch); r.Cache != SourceL2 {
			b.Fatalf("Get: got Cache %q; want l2", r.Cache)
		}
		i++
	}
}

// BenchmarkMiss fetches a new URL each time from a local HTTP origin: the
// L1 and L2 lookups, the claim, the fetch, the store and the release.
func BenchmarkMiss(b *testing.B) {
	_, rdb := newRedis(b)
	c := newCache(b, rdb, Config{})
	srv, _ := httpOrigin(b, nil)
	client := srv.Client()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		url := srv.URL + "/page?i=" + strconv.Itoa(i)
		if r, _ := c.Get(ctx, url, httpFetch(client, url)); r.Cache != SourceOrigin || !r.OK {
			b.Fatalf("Get: got %+v; want OK from origin", r)
		}
	}
}

// BenchmarkGetMany200 looks up 200 URLs that are all in L2, with L1
// emptied before each round.
func BenchmarkGetMany200(b *testing.B) {
	_, rdb := newRedis(b)
	c := newCache(b, rdb, Config{L1Size: 1000})
	ctx := context.Background()
	urls := make([]string, 200)
	for i := range urls {
		urls[i] = fmt.Sprintf("https://host%d.example.com/path/%d?q=%d", i%17, i, i)
		if _, err := c.Get(ctx, urls[i], newOrigin(okResult(urls[i])).fetch); err != nil {
			b.Fatalf("Get: %v", err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		c.l1.Purge()
		got, err := c.GetMany(ctx, urls)
		if err != nil || !got[len(got)-1].Found || got[0].Source != SourceL2 {
			b.Fatalf("GetMany: got %+v, %v; want all found in L2", got[0], err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(urls)), "ns/url")
}
