// Package origintest serves the local HTTP origin that the end-to-end and
// chaos tests check URLs against, and writes the URL lists they enqueue.
package origintest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Origin is a local HTTP server that counts requests. Paths starting with
// /missing/ answer 404, every other path 200; every answer waits the delay
// given to New.
type Origin struct {
	*httptest.Server
	Total atomic.Int64 // requests received
}

// New starts an Origin, closed when the test ends.
func New(tb testing.TB, delay time.Duration) *Origin {
	tb.Helper()
	o := &Origin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.Total.Add(1)
		if delay > 0 {
			time.Sleep(delay) // the origin's latency, not synchronisation
		}
		if strings.HasPrefix(r.URL.Path, "/missing/") {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	tb.Cleanup(o.Close)
	return o
}

// WriteList writes n distinct URLs of o to a file, every tenth a 404, and
// returns its path.
func (o *Origin) WriteList(tb testing.TB, n int) string {
	tb.Helper()
	var b bytes.Buffer
	for i := range n {
		kind := "ok"
		if i%10 == 9 {
			kind = "missing"
		}
		fmt.Fprintf(&b, "%s/%s/%d\n", o.URL, kind, i)
	}
	return WriteFile(tb, "urls.txt", b.Bytes())
}

// WriteFile writes data to a file called name in a directory removed when
// the test ends, and returns its path.
func WriteFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
