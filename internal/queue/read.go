package queue

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
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

func (q *Queue) streamKey(s Stream) string {
	if s == FailedStream {
		return q.k.failed
	}
	return q.k.feed
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

// CheckCursor reports whether c is a stream id that can serve as a cursor.
func CheckCursor(c string) error {
	_, _, err := parseID(c)
	return err
}

// Scan yields the entries of stream s within r, newest first, reading chunk
// entries per round trip as the caller consumes them. Entries only ever
// join at the new end and leave at the old end (the feed's cap), so a scan
// below a cursor neither repeats nor skips an entry while results keep
// arriving. An error ends the scan; it is yielded with an empty Entry.
func (q *Queue) Scan(ctx context.Context, s Stream, r Range, chunk int) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		start, end, ok, err := r.bounds()
		if err != nil {
			yield(Entry{}, err)
			return
		}
		chunk = max(chunk, 1)
		key := q.streamKey(s)
		for ok {
			msgs, err := q.rdb.XRevRangeN(ctx, key, start, end, int64(chunk)).Result()
			if err != nil {
				yield(Entry{}, fmt.Errorf("read %s results: %w", s, err))
				return
			}
			for _, m := range msgs {
				r, _ := m.Values["r"].(string)
				if !yield(Entry{ID: m.ID, Result: json.RawMessage(r)}, nil) {
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

// bounds returns the XREVRANGE start and end of r, and false when r
// selects nothing for sure.
func (r Range) bounds() (start, end string, ok bool, err error) {
	start, end = cmp.Or(r.From, "+"), cmp.Or(r.Until, "-")
	for _, id := range []string{r.Before, r.From, r.Until} {
		if id == "" {
			continue
		}
		if err := CheckCursor(id); err != nil {
			return "", "", false, fmt.Errorf("%q: %w", id, err)
		}
	}
	if r.Before != "" {
		start, ok = before(r.Before)
		return start, end, ok, nil
	}
	return start, end, true, nil
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
