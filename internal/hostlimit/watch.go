package hostlimit

import (
	"sync"
	"sync/atomic"
	"time"
)

// watchList remembers hosts with an unlimited policy that this Limiter
// paused, until a while after the pause, so that Acquire consults Redis for
// them. It is safe for concurrent use.
type watchList struct {
	n     atomic.Int64 // len(hosts), read without the lock
	mu    sync.Mutex   // guards hosts
	hosts map[string]time.Time
}

// pruneAt is the size from which add forgets every host whose time has
// passed, so that hosts paused once and never asked about again do not
// pile up.
const pruneAt = 1024

// add watches host until the given time.
func (w *watchList) add(host string, now, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.hosts) >= pruneAt {
		for h, u := range w.hosts {
			if !now.Before(u) {
				delete(w.hosts, h)
			}
		}
	}
	if u, ok := w.hosts[host]; !ok || u.Before(until) {
		w.hosts[host] = until
	}
	w.n.Store(int64(len(w.hosts)))
}

// has reports whether host is watched at now(), forgetting it if its time
// has passed. It reads the clock only if some host is watched.
func (w *watchList) has(host string, now func() time.Time) bool {
	if w.n.Load() == 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	until, ok := w.hosts[host]
	if ok && !now().Before(until) {
		delete(w.hosts, host)
		w.n.Store(int64(len(w.hosts)))
		return false
	}
	return ok
}
