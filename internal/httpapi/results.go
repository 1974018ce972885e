package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/urlcheck/url-checker/internal/queue"
)

// Response headers of GET /results.
const (
	// headerNextCursor carries the cursor of the next (older) page; it is
	// absent when the scan reached the oldest entry.
	headerNextCursor = "X-Next-Cursor"
	// headerScanTruncated is "true" when the page ended because the scan
	// limit was reached, not because it was full: it may hold fewer than
	// limit results although older matches exist.
	headerScanTruncated = "X-Scan-Truncated"
	// headerStream names the stream read: "feed" (the newest results,
	// capped) or "failed" (every failure of the run).
	headerStream = "X-Results-Stream"
)

// page is what the first pass over a stream found: which entries the page
// covers, so the headers can be sent before the body is streamed.
type page struct {
	top, last string // ids of the first entry examined and the last match
	count     int    // matches, at most the limit
	next      string // cursor of the next page; "" at the stream's end
	truncated bool   // the scan limit ended the pass
}

// results serves GET /results. It walks the stream twice, a chunk at a
// time: first to find where the page ends (for X-Next-Cursor), then to
// stream the matches. It never holds more than a chunk of results.
func (s *Server) results(w http.ResponseWriter, r *http.Request) {
	v, ok := params(w, r, resultsParams...)
	if !ok {
		return
	}
	rq, perr := parseResultsQuery(v)
	if perr != nil {
		writeError(w, http.StatusBadRequest, perr, perr.param)
		return
	}
	q, err := s.queue(r.Context())
	if err != nil {
		s.unavailable(w, "results", err)
		return
	}
	p, err := s.plan(r.Context(), q, rq)
	if err != nil {
		s.unavailable(w, "results", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(rq.format))
	h.Set(headerStream, rq.stream.String())
	if p.next != "" {
		h.Set(headerNextCursor, p.next)
	}
	if p.truncated {
		h.Set(headerScanTruncated, "true")
	}
	rng := queue.Range{From: p.top, Until: p.last}
	s.stream(w, r, q, rq.stream, rng, rq.filter, p.count, newEncoder(rq.format, w))
}

// failedCSV serves GET /results/failed.csv: every failed result of the run,
// newest first, streamed from the failed stream. Failures recorded after
// the export began are left out.
func (s *Server) failedCSV(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	q, err := s.queue(r.Context())
	if err != nil {
		s.unavailable(w, "failed.csv", err)
		return
	}
	// Read the newest id first, so a Redis failure can still be a 503.
	var top string
	for e, err := range q.Scan(r.Context(), queue.FailedStream, queue.Range{}, 1) {
		if err != nil {
			s.unavailable(w, "failed.csv", err)
			return
		}
		top = e.ID
		break
	}
	w.Header().Set("Content-Type", contentType(formatCSV))
	w.Header().Set("Content-Disposition", `attachment; filename="failed.csv"`)
	s.stream(w, r, q, queue.FailedStream, queue.Range{From: top}, filter{}, -1, newEncoder(formatCSV, w))
}

func (s *Server) queue(ctx context.Context) (*queue.Queue, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RedisTimeout)
	defer cancel()
	return s.q.Get(ctx)
}

// plan makes the first pass: it scans from the cursor for up to limit
// matches, examining at most ScanLimit entries.
func (s *Server) plan(ctx context.Context, q *queue.Queue, rq resultsQuery) (page, error) {
	var p page
	chunk := s.cfg.Chunk
	if rq.filter.empty() {
		chunk = min(chunk, rq.limit)
	}
	scanned := 0
	for e, err := range q.Scan(ctx, rq.stream, queue.Range{Before: rq.cursor}, chunk) {
		if err != nil {
			return page{}, err
		}
		if p.top == "" {
			p.top = e.ID
		}
		scanned++
		if res, ok := decode(e.Result); ok && rq.filter.match(res) {
			p.count++
			p.last = e.ID
			if p.count == rq.limit {
				p.next = e.ID
				return p, nil
			}
		}
		if scanned == s.cfg.ScanLimit {
			p.next, p.truncated = e.ID, true
			return p, nil
		}
	}
	return p, nil
}

// stream writes the matches of f within rng, at most limit of them (no
// limit when negative), with enc. Each chunk renews the write deadline and is
// flushed to the client. Once the status line is out, a failure can only
// abort the response, which the client sees as a truncated transfer rather
// than a complete-looking file.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, q *queue.Queue, st queue.Stream,
	rng queue.Range, f filter, limit int, enc encoder) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)) // not every writer has deadlines
	err := enc.begin()
	n := 0
	if limit != 0 && err == nil {
		for e, serr := range q.Scan(r.Context(), st, rng, s.cfg.Chunk) {
			if err = serr; err != nil {
				break
			}
			res, ok := decode(e.Result)
			if !ok {
				s.log.Warn("skip malformed result", "stream", st.String(), "id", e.ID)
				continue
			}
			if !f.match(res) {
				continue
			}
			if err = enc.row(e.Result, res); err != nil {
				break
			}
			n++
			if n == limit {
				break
			}
			if n%s.cfg.Chunk == 0 {
				if err = s.renew(rc, enc); err != nil {
					break
				}
			}
		}
	}
	if err == nil {
		err = enc.end()
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			s.log.Warn("stream results", "stream", st.String(), "written", strconv.Itoa(n), "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

// renew flushes what enc buffered to the client and gives the next chunk
// a fresh write deadline.
func (s *Server) renew(rc *http.ResponseController, enc encoder) error {
	if err := enc.flush(); err != nil {
		return err
	}
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
