package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// commitN enqueues, claims and commits n jobs; every third one fails. It
// returns the ids in commit order.
func commitN(tb testing.TB, q *Queue, n int) []string {
	tb.Helper()
	ctx := context.Background()
	mustEnqueue(tb, q, urls(n))
	jobs, err := q.Claim(ctx, n)
	if err != nil || len(jobs) != n {
		tb.Fatalf("Claim = %d jobs, %v; want %d", len(jobs), err, n)
	}
	ids := make([]string, 0, n)
	for i, j := range jobs {
		o := okOutcome(j)
		if i%3 == 2 {
			o.Kind = Failed
		}
		if _, _, err := q.Commit(ctx, []Outcome{o}, Deltas{}); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	return ids
}

// scanIDs returns the job ids of the results a scan yields, in order, and
// the stream id of the last one.
func scanIDs(tb testing.TB, q *Queue, s Stream, r Range, chunk, limit int) (ids []string, last string) {
	tb.Helper()
	for e, err := range q.Scan(context.Background(), s, r, chunk) {
		if err != nil {
			tb.Fatalf("Scan(%v, %+v): %v", s, r, err)
		}
		var res struct{ ID string }
		if err := json.Unmarshal(e.Result, &res); err != nil {
			tb.Fatalf("result %s: %v", e.ID, err)
		}
		ids, last = append(ids, res.ID), e.ID
		if len(ids) == limit {
			break
		}
	}
	return ids, last
}

func TestScanNewestFirstInChunks(t *testing.T) {
	q, _ := startQueue(t, Config{})
	ids := commitN(t, q, 10)
	newestFirst := slices.Clone(ids)
	slices.Reverse(newestFirst)
	var failed []string
	for _, id := range newestFirst {
		if n := slices.Index(ids, id); n%3 == 2 {
			failed = append(failed, id)
		}
	}
	tests := []struct {
		name   string
		stream Stream
		chunk  int
		want   []string
	}{
		{"feed in one read", FeedStream, 100, newestFirst},
		{"feed in chunks of 3", FeedStream, 3, newestFirst},
		{"feed in chunks of 1", FeedStream, 1, newestFirst},
		{"feed chunk equal to length", FeedStream, 10, newestFirst},
		{"failed", FailedStream, 2, failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := scanIDs(t, q, tt.stream, Range{}, tt.chunk, -1)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestScanRanges(t *testing.T) {
	q, _ := startQueue(t, Config{})
	commitN(t, q, 6)
	var all []Entry
	for e, err := range q.Scan(context.Background(), FeedStream, Range{}, 100) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	idsOf := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		name string
		r    Range
		want []Entry
	}{
		{"before is exclusive", Range{Before: all[1].ID}, all[2:]},
		{"from is inclusive", Range{From: all[1].ID}, all[1:]},
		{"until is inclusive", Range{Until: all[3].ID}, all[:4]},
		{"from until", Range{From: all[1].ID, Until: all[2].ID}, all[1:3]},
		{"before wins over from", Range{Before: all[4].ID, From: all[0].ID}, all[5:]},
		{"before the oldest", Range{Before: all[5].ID}, nil},
		{"before 0-0", Range{Before: "0-0"}, nil},
		{"before 5-0 is below every entry", Range{Before: "5-0"}, nil},
		{"before a large id", Range{Before: "99999999999999-0"}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Entry
			for e, err := range q.Scan(context.Background(), FeedStream, tt.r, 2) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e)
			}
			if !slices.Equal(idsOf(got), idsOf(tt.want)) {
				t.Errorf("got %v; want %v", idsOf(got), idsOf(tt.want))
			}
		})
	}
}

func TestScanBadCursor(t *testing.T) {
	q, _ := startQueue(t, Config{})
	for _, c := range []string{"x", "1", "1-", "-1", "1-2-3", "+1-0", "1-+2", "18446744073709551616-0", " 1-0"} {
		t.Run(c, func(t *testing.T) {
			if err := CheckCursor(c); !errors.Is(err, ErrBadCursor) {
				t.Errorf("CheckCursor(%q) = %v; want ErrBadCursor", c, err)
			}
			n := 0
			for _, err := range q.Scan(context.Background(), FeedStream, Range{Before: c}, 10) {
				n++
				if !errors.Is(err, ErrBadCursor) {
					t.Errorf("Scan(Before %q) error = %v; want ErrBadCursor", c, err)
				}
			}
			if n != 1 {
				t.Errorf("Scan(Before %q) yielded %d times; want 1", c, n)
			}
		})
	}
}

// TestPagingWhileResultsArrive pages through the feed with cursors while
// more results are committed between pages: every result that existed at
// the first page is seen exactly once.
func TestPagingWhileResultsArrive(t *testing.T) {
	q, _ := startQueue(t, Config{})
	existing := commitN(t, q, 25)
	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		ids, last := scanIDs(t, q, FeedStream, Range{Before: cursor}, 4, 4)
		seen = append(seen, ids...)
		if len(ids) < 4 {
			break
		}
		cursor = last
		commitNMore(t, q, 3, fmt.Sprintf("more-%d", page))
	}
	want := slices.Clone(existing)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Errorf("got %v; want %v", seen, want)
	}
}

// commitNMore commits n more successes whose URLs carry tag.
func commitNMore(tb testing.TB, q *Queue, n int, tag string) {
	tb.Helper()
	ctx := context.Background()
	u := make([]string, n)
	for i := range u {
		u[i] = fmt.Sprintf("http://%s.test/%d", tag, i)
	}
	mustEnqueue(tb, q, u)
	jobs, err := q.Claim(ctx, n)
	if err != nil {
		tb.Fatal(err)
	}
	outs := make([]Outcome, 0, len(jobs))
	for _, j := range jobs {
		outs = append(outs, okOutcome(j))
	}
	if _, _, err := q.Commit(ctx, outs, Deltas{}); err != nil {
		tb.Fatal(err)
	}
}

func TestPing(t *testing.T) {
	q, _ := startQueue(t, Config{})
	if err := q.Ping(context.Background()); err != nil {
		t.Errorf("Ping = %v; want nil", err)
	}
}
