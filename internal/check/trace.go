package check

import (
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"sync"
	"time"
)

// tracer times the requests of one exchange through httptrace, starting over
// at each request so that it ends up describing the last one.
//
// A phase is timed from the end of the one before: DNS from the start of
// the request, connect from the end of DNS (or the start, for an IP
// address), TLS from the end of the connect. Hooking only the ends halves
// the closures, and so the allocations, per check. A connect that failed
// (the IPv6 half of a dual-stack dial, say) counts towards the one that
// succeeded.
//
// The hooks run on transport goroutines, a dial's possibly after the request
// took another connection or even after the check returned, hence the mutex,
// and the rule that a request's dial hooks count only until it has a
// connection. A tracer is safe for concurrent use.
type tracer struct {
	mu    sync.Mutex // guards times
	times traceTimes
}

// traceTimes is what a tracer knows of the current request.
type traceTimes struct {
	start, mark             time.Time // start of the request; end of its last phase
	dns, connect, tls, ttfb time.Duration
	gotConn                 bool     // the request has its connection
	remote                  net.Addr // of that connection
}

// hook sets the hooks of ct that feed t.
func (t *tracer) hook(ct *httptrace.ClientTrace) {
	ct.DNSDone = func(httptrace.DNSDoneInfo) { t.phase(&t.times.dns) }
	ct.ConnectDone = func(_, _ string, err error) {
		if err == nil {
			t.phase(&t.times.connect)
		}
	}
	ct.TLSHandshakeDone = func(tls.ConnectionState, error) { t.phase(&t.times.tls) }
	ct.GotConn = t.got
	ct.GotFirstResponseByte = t.firstByte
}

// request starts over for a new request.
func (t *tracer) request(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.times = traceTimes{start: now}
}

// phase records the end of a dial phase, whose duration goes to *d.
func (t *tracer) phase(d *time.Duration) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	tt := &t.times
	if tt.gotConn {
		return
	}
	from := tt.mark
	if from.IsZero() {
		from = tt.start
	}
	*d, tt.mark = now.Sub(from), now
}

// got records the connection a request will use. A connection it did not
// dial itself says nothing of its dial phases.
func (t *tracer) got(info httptrace.GotConnInfo) {
	addr := info.Conn.RemoteAddr()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.times.gotConn, t.times.remote = true, addr
	if info.Reused || info.WasIdle {
		t.times.dns, t.times.connect, t.times.tls = 0, 0, 0
	}
}

func (t *tracer) firstByte() {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.times.ttfb = now.Sub(t.times.start)
}

// fill copies the timings and the remote address into res.
func (t *tracer) fill(res *Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tt := &t.times
	res.Timing.DNS = millis(tt.dns)
	res.Timing.Connect = millis(tt.connect)
	res.Timing.TLS = millis(tt.tls)
	res.Timing.TTFB = millis(tt.ttfb)
	if a, ok := tt.remote.(*net.TCPAddr); ok {
		res.RemoteIP = a.AddrPort().Addr().Unmap().String()
	}
}

// millis returns d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
