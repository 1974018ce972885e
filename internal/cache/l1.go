package cache

import "time"

// l1Entry is an L1 value: an entry and when it stops being fresh.
type l1Entry struct {
	entry
	expires int64 // Unix ns on Config.Now's clock
}

// l1Get returns the fresh L1 entry of a normalised URL. A stale entry is a
// miss and is evicted.
func (c *Cache) l1Get(norm string) (entry, bool) {
	v, ok := c.l1.Get(norm)
	if !ok {
		return entry{}, false
	}
	if c.cfg.Now().UnixNano() >= v.expires {
		// A fresh entry that another goroutine added since Get may go
		// too; that only costs a lookup in L2.
		c.l1.Remove(norm)
		return entry{}, false
	}
	return v.entry, true
}

// l1Put keeps a successful entry for L1TTL, but not past TTL after its
// original fetch, when L2 drops it too. Failures stay out of L1. With clocks
// of different workers apart by more than TTL, an entry from L2 may look
// expired already; it is then not kept.
func (c *Cache) l1Put(norm string, e entry) {
	if !e.ok {
		return
	}
	now := c.cfg.Now()
	expires := min(now.Add(c.cfg.L1TTL).UnixNano(), time.UnixMilli(e.at).Add(c.cfg.TTL).UnixNano())
	if expires > now.UnixNano() {
		c.l1.Add(norm, l1Entry{entry: e, expires: expires})
	}
}
