package check

import (
	"context"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// methodServer answers HEAD with headStatus and GET with getStatus, and
// counts both.
type methodServer struct {
	url         string
	host        string // as HeadMemory sees it
	heads, gets atomic.Int32
}

func newMethodServer(tb testing.TB, headStatus, getStatus int) *methodServer {
	tb.Helper()
	s := &methodServer{}
	srv := serve(tb, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			s.heads.Add(1)
			w.WriteHeader(headStatus)
			return
		}
		s.gets.Add(1)
		w.WriteHeader(getStatus)
	})
	s.url, s.host = srv.URL+"/", srv.Listener.Addr().String()
	return s
}

// recordingMemory is a HeadMemory that records the hosts marked.
type recordingMemory struct {
	HeadMemory
	mu     sync.Mutex
	marked []string
}

var _ HeadMemory = (*recordingMemory)(nil)

func (m *recordingMemory) MarkHeadBroken(ctx context.Context, host string) {
	m.mu.Lock()
	m.marked = append(m.marked, host)
	m.mu.Unlock()
	m.HeadMemory.MarkHeadBroken(ctx, host)
}

func TestCheckMethod(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		head, get   int // statuses the server gives
		wantStatus  int
		wantMethod  string
		heads, gets int32
		wantMarked  bool
	}{
		{"get", "", 405, 200, 200, "GET", 0, 1, false},
		{"head works", "head,get", 200, 500, 200, "HEAD", 1, 0, false},
		{"head only", "head", 405, 200, 405, "HEAD", 1, 0, false},
		{"405", "HEAD, GET", 405, 200, 200, "GET", 1, 1, true},
		{"501", "head,get", 501, 200, 200, "GET", 1, 1, true},
		{"400", "head,get", 400, 200, 200, "GET", 1, 1, true},
		{"403 both", "head,get", 403, 403, 403, "GET", 1, 1, false},
		{"404 not retried", "head,get", 404, 200, 404, "HEAD", 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newMethodServer(t, tt.head, tt.get)
			mem := &recordingMemory{HeadMemory: NewHeadMemory(0, nil)}
			got := newChecker(t, Config{Method: tt.method, HeadMemory: mem}).Check(context.Background(), s.url)
			if got.Status != tt.wantStatus || got.Method != tt.wantMethod {
				t.Errorf("status, method = %d, %q; want %d, %q", got.Status, got.Method, tt.wantStatus, tt.wantMethod)
			}
			if h, g := s.heads.Load(), s.gets.Load(); h != tt.heads || g != tt.gets {
				t.Errorf("server saw %d HEAD, %d GET; want %d, %d", h, g, tt.heads, tt.gets)
			}
			if marked := len(mem.marked) > 0; marked != tt.wantMarked {
				t.Errorf("marked %v; want marked %v", mem.marked, tt.wantMarked)
			}
		})
	}
}

// TestCheckHeadMemory checks that after a HEAD got 405, later checks of the
// host go straight to GET.
func TestCheckHeadMemory(t *testing.T) {
	s := newMethodServer(t, http.StatusMethodNotAllowed, http.StatusOK)
	mem := &recordingMemory{HeadMemory: NewHeadMemory(0, nil)}
	c := newChecker(t, Config{Method: "head,get", HeadMemory: mem})
	for i, wantHeads := range []int32{1, 1, 1} {
		got := c.Check(context.Background(), s.url)
		if !got.OK || got.Method != http.MethodGet {
			t.Errorf("check %d: ok, method = %v, %q; want true, GET", i, got.OK, got.Method)
		}
		if h := s.heads.Load(); h != wantHeads {
			t.Errorf("check %d: server saw %d HEAD in all; want %d", i, h, wantHeads)
		}
	}
	if want := []string{s.host}; !slices.Equal(mem.marked, want) {
		t.Errorf("marked %q; want %q", mem.marked, want)
	}
}

// TestCheckDefaultHeadMemory checks that "head,get" remembers without a
// HeadMemory in the Config.
func TestCheckDefaultHeadMemory(t *testing.T) {
	s := newMethodServer(t, http.StatusMethodNotAllowed, http.StatusOK)
	c := newChecker(t, Config{Method: "head,get"})
	c.Check(context.Background(), s.url)
	c.Check(context.Background(), s.url)
	if h := s.heads.Load(); h != 1 {
		t.Errorf("server saw %d HEAD; want 1", h)
	}
}

// TestCheckHeadHangUp checks a server that closes the connection when it
// reads a HEAD.
func TestCheckHeadHangUp(t *testing.T) {
	var heads atomic.Int32
	url := rawURLMethods(t, func(method string, c *net.TCPConn) {
		if method == http.MethodHead {
			heads.Add(1)
			return // close without a response
		}
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
	})
	c := newChecker(t, Config{Method: "head,get"})
	for i := range 2 {
		got := c.Check(context.Background(), url)
		if !got.OK || got.Method != http.MethodGet || got.Status != 200 {
			t.Errorf("check %d: ok, method, status = %v, %q, %d; want true, GET, 200 (%s)",
				i, got.OK, got.Method, got.Status, got.Error)
		}
	}
	if h := heads.Load(); h != 1 {
		t.Errorf("server saw %d HEAD; want 1", h)
	}
}
