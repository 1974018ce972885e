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

// drop forgets the jobs the heartbeat reported lost and returns how many
// were really lost: a job committed between the heartbeat's snapshot and
// its reply is reported too, but was released already.
func (o *owned) drop(sent []queue.Owned, lost []string) int {
	tokens := make(map[string]string, len(lost))
	for _, s := range sent {
		tokens[s.ID] = s.Token
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, id := range lost {
		if tok, ok := o.jobs[id]; ok && tok == tokens[id] {
			delete(o.jobs, id)
			n++
		}
	}
	return n
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
