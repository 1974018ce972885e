package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Stream names one of the run's result streams.
type Stream int

const (
	// FeedStream holds the newest results of the run, capped at
	// Config.FeedSize.
	FeedStream Stream = iota
	// FailedStream holds every failed result of the run; it is never
	// capped within a run.
	FailedStream
)

func (s Stream) String() string {
	if s == FailedStream {
		return "failed"
	}
	return "feed"
}

func (k keys) stream(s Stream) string {
	if s == FailedStream {
		return k.failed
	}
	return k.feed
}

// Entry is one result in a stream. ID is its stream id: unique, ordered by
// insertion and never reused within a run, so it serves as a paging cursor.
type Entry struct {
	ID     string
	Result json.RawMessage
}

// ErrBadCursor marks a cursor or bound that is not a stream id.
var ErrBadCursor = errors.New("not a stream id (want MS-SEQ, as in 1712345678901-0)")

// Range selects entries of a stream; a scan walks them newest first. The
// zero Range is the whole stream.
type Range struct {
	// Before starts the scan below this id, exclusive: the paging cursor,
	// the id of the last entry of the previous page.
	Before string
	// From starts the scan at this id, inclusive. It is ignored when
	// Before is set.
	From string
	// Until ends the scan at this id, inclusive.
	Until string
}

// CheckCursor reports whether c is a stream id that can serve as a cursor:
// "MS-SEQ", or "MS-SEQ.SHARD" as the entries of a sharded run have.
func CheckCursor(c string) error {
	id, s, found := strings.Cut(c, ".")
	if found {
		if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 1024 || strings.HasPrefix(s, "+") {
			return ErrBadCursor
		}
	}
	_, _, err := parseID(id)
	return err
}

// Scan yields the entries of stream s within r, newest first, reading chunk
// entries per round trip as the caller consumes them. Entries only ever
// join at the new end and leave at the old end (the feed's cap), so a scan
// below a cursor neither repeats nor skips an entry while results keep
// arriving. An error ends the scan; it is yielded with an empty Entry.
//
// A sharded run has one stream per shard; Scan merges them by stream id,
// and its entry ids carry the shard ("MS-SEQ.SHARD") so that they order
// the merged stream totally and serve as cursors too.
func (q *Queue) Scan(ctx context.Context, s Stream, r Range, chunk int) iter.Seq2[Entry, error] {
	if q.cfg.Shards == 1 {
		return q.scanShard(ctx, 0, s, r, chunk, false)
	}
	return func(yield func(Entry, error) bool) {
		var heads []*head
		defer func() {
			for _, h := range heads {
				h.stop()
			}
		}()
		for i := range q.sh {
			h := &head{}
			h.next, h.stop = iter.Pull2(q.scanShard(ctx, i, s, r, chunk, true))
			if h.advance() {
				heads = append(heads, h)
			}
		}
		for len(heads) > 0 {
			top := newest(heads)
			if !yield(heads[top].e, heads[top].err) || heads[top].err != nil {
				return
			}
			if !heads[top].advance() {
				heads = slices.Delete(heads, top, top+1)
			}
		}
	}
}

// head is the next entry of one shard's stream in a merged scan.
type head struct {
	next func() (Entry, error, bool)
	stop func()
	e    Entry
	err  error
	key  [3]uint64 // ms, seq, shard
}

func (h *head) advance() bool {
	var ok bool
	h.e, h.err, ok = h.next()
	if ok && h.err == nil {
		h.key = mustKey(h.e.ID)
	}
	return ok
}

// newest returns the index of the head to yield next: an error first,
// else the greatest (ms, seq, shard).
func newest(heads []*head) int {
	best := 0
	for i, h := range heads {
		if h.err != nil {
			return i
		}
		if slices.Compare(h.key[:], heads[best].key[:]) > 0 {
			best = i
		}
	}
	return best
}

// scanShard yields the entries of one shard's stream within r; with
// tagged, ids carry the shard and r's bounds are read as merged cursors.
func (q *Queue) scanShard(ctx context.Context, shard int, s Stream, r Range, chunk int, tagged bool) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		start, end, ok, err := r.bounds(shard)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		chunk = max(chunk, 1)
		key := q.sh[shard].stream(s)
		suffix := ""
		if tagged {
			suffix = "." + strconv.Itoa(shard)
		}
		for ok {
			msgs, err := q.rdb.XRevRangeN(ctx, key, start, end, int64(chunk)).Result()
			if err != nil {
				yield(Entry{}, fmt.Errorf("read %s results: %w", s, err))
				return
			}
			for _, m := range msgs {
				r, _ := m.Values["r"].(string)
				if !yield(Entry{ID: m.ID + suffix, Result: json.RawMessage(r)}, nil) {
					return
				}
			}
			if len(msgs) < chunk {
				return
			}
			start, ok = before(msgs[len(msgs)-1].ID)
		}
	}
}

// bounds returns the XREVRANGE start and end of r in shard's stream, and
// false when r selects nothing there for sure. A bound with a shard
// ("MS-SEQ.SHARD") is a position in the merged order (ms, seq, shard); one
// without is the same stream id in every shard.
func (r Range) bounds(shard int) (start, end string, ok bool, err error) {
	start, end = "+", "-"
	for _, id := range []string{r.Before, r.From, r.Until} {
		if id == "" {
			continue
		}
		if err := CheckCursor(id); err != nil {
			return "", "", false, fmt.Errorf("%q: %w", id, err)
		}
	}
	if r.Until != "" {
		id, s, tagged := splitShard(r.Until)
		end = id
		if tagged && shard < s {
			end = after(id)
		}
	}
	switch {
	case r.Before != "":
		id, s, tagged := splitShard(r.Before)
		if tagged && shard < s {
			return id, end, true, nil
		}
		start, ok = before(id)
		return start, end, ok, nil
	case r.From != "":
		id, s, tagged := splitShard(r.From)
		if tagged && shard > s {
			start, ok = before(id)
			return start, end, ok, nil
		}
		return id, end, true, nil
	}
	return start, end, true, nil
}

// splitShard splits "MS-SEQ.SHARD" into the stream id and the shard.
func splitShard(c string) (id string, shard int, tagged bool) {
	id, s, found := strings.Cut(c, ".")
	if !found {
		return c, 0, false
	}
	shard, _ = strconv.Atoi(s)
	return id, shard, true
}

// mustKey returns the merge order key of a checked, tagged entry id.
func mustKey(c string) [3]uint64 {
	id, shard, _ := splitShard(c)
	ms, seq, _ := parseID(id)
	return [3]uint64{ms, seq, uint64(shard)}
}

// after returns the least stream id above id. The caller has checked id.
func after(id string) string {
	ms, seq, _ := parseID(id)
	if seq == math.MaxUint64 {
		return strconv.FormatUint(ms+1, 10) + "-0"
	}
	return strconv.FormatUint(ms, 10) + "-" + strconv.FormatUint(seq+1, 10)
}

// parseID parses a stream id "MS-SEQ".
func parseID(id string) (ms, seq uint64, err error) {
	a, b, found := strings.Cut(id, "-")
	if !found {
		return 0, 0, ErrBadCursor
	}
	ms, err1 := strconv.ParseUint(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || strings.HasPrefix(a, "+") || strings.HasPrefix(b, "+") {
		return 0, 0, ErrBadCursor
	}
	return ms, seq, nil
}

// before returns the greatest stream id below id, and false when there is
// none. The caller has checked id.
func before(id string) (string, bool) {
	ms, seq, _ := parseID(id)
	switch {
	case seq > 0:
		return strconv.FormatUint(ms, 10) + "-" + strconv.FormatUint(seq-1, 10), true
	case ms > 0:
		return strconv.FormatUint(ms-1, 10) + "-" + strconv.FormatUint(math.MaxUint64, 10), true
	}
	return "", false
}

// Ping reports whether Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}
