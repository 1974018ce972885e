package worker

import (
	"sync"

	"github.com/urlcheck/url-checker/internal/queue"
)

// owned tracks the jobs this worker holds, from claim until their outcome
// is committed, so the heartbeat can renew their leases. Safe for
// concurrent use.
type owned struct {
	mu   sync.Mutex
	jobs map[string]string // id -> token
}

func newOwned() *owned { return &owned{jobs: make(map[string]string)} }

func (o *owned) add(jobs []queue.Job) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, j := range jobs {
		o.jobs[j.ID] = j.Token
	}
}

// release forgets outcomes that were committed, unless the job was claimed
// again under a newer token in the meantime.
func (o *owned) release(outs []queue.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, out := range outs {
		if o.jobs[out.ID] == out.Token {
			delete(o.jobs, out.ID)
		}
	}
}

func (o *owned) drop(ids []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		delete(o.jobs, id)
	}
}

func (o *owned) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.jobs)
}

func (o *owned) list() []queue.Owned {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]queue.Owned, 0, len(o.jobs))
	for id, tok := range o.jobs {
		out = append(out, queue.Owned{ID: id, Token: tok})
	}
	return out
}
