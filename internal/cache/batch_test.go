package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/urlcheck/url-checker/internal/check"
)

func TestClaimMany(t *testing.T) {
	ctx := context.Background()
	_, rdb := newRedis(t)
	c := newCache(t, rdb, Config{})
	const stored, held, fresh = "http://a.test/stored", "http://a.test/held", "http://a.test/fresh"
	c.FetchClaimed(ctx, stored, "", func(context.Context) check.Result { return check.Result{OK: true, Status: 200} })
	norm, _ := Normalize(held)
	if err := rdb.Set(ctx, c.keys.claim(c.keys.entry(norm)), "other", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	// A restart empties the script cache: ClaimMany must load it again.
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	claims, err := c.ClaimMany(ctx, []string{stored, held, fresh, fresh, "ftp://x/"})
	if err != nil {
		t.Fatal(err)
	}
	if !claims[0].Lookup.Found || claims[0].Lookup.Result.Status != 200 || claims[0].Token != "" {
		t.Errorf("stored URL: %+v; want found in L2", claims[0])
	}
	if claims[1].Token != "" || claims[1].Lookup.Found {
		t.Errorf("held URL: %+v; want neither a token nor a result", claims[1])
	}
	if claims[2].Token == "" || claims[3].Token != "" || claims[4].Token != "" {
		t.Errorf("fresh, repeat, uncacheable tokens = %q %q %q; want only the first", claims[2].Token, claims[3].Token, claims[4].Token)
	}
}

func TestWriteBehindStoresOnClose(t *testing.T) {
	ctx := context.Background()
	_, rdb := newRedis(t)
	c, err := New(rdb, Config{Prefix: testPrefix, WriteBehind: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		url := fmt.Sprintf("http://a.test/%d", i)
		c.FetchClaimed(ctx, url, "", func(context.Context) check.Result { return check.Result{OK: true, Status: 200} })
	}
	c.Close()
	if n := len(rdb.Keys(ctx, testPrefix+"*").Val()); n != 300 {
		t.Errorf("%d entries in L2 after Close; want 300", n)
	}
}
