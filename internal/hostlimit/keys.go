package hostlimit

// keys names the Redis keys of one host. All share the hash tag "{host}",
// so that every script's keys live in one slot on Redis Cluster while
// different hosts spread over the cluster. Every key has a TTL: a host that
// is left alone leaves nothing behind.
type keys struct {
	slots   string // ZSET permit token -> lease deadline, µs on the Redis clock
	rate    string // STRING GCRA theoretical arrival time, µs on the Redis clock
	tail    string // STRING latest retry time given to a caller the rate turned away, µs
	busy    string // STRING latest retry time given to a caller turned away for want of a slot, µs
	pause   string // STRING "1"; its TTL is the host-wide pause
	backoff string // STRING backoff steps taken (INCR); forgotten after its TTL
}

func newKeys(prefix, host string) keys {
	p := prefix + "{" + host + "}:"
	return keys{
		slots:   p + "slots",
		rate:    p + "rate",
		tail:    p + "tail",
		busy:    p + "busy",
		pause:   p + "pause",
		backoff: p + "backoff",
	}
}
