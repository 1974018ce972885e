package cache

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

// l1Put keeps a successful entry fresh for L1TTL. Failures stay out of L1.
// An entry filled from L2 may thus be served up to TTL+L1TTL after its
// fetch.
func (c *Cache) l1Put(norm string, e entry) {
	if e.ok {
		expires := c.cfg.Now().Add(c.cfg.L1TTL).UnixNano()
		c.l1.Add(norm, l1Entry{entry: e, expires: expires})
	}
}
