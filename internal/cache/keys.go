package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// keyHashBytes is how much of a URL's SHA-256 names its key: 16 bytes, 32
// hex digits, collision-free in practice for any number of URLs a run sees.
const keyHashBytes = 16

// keys names the Redis keys of the cache. Each URL's hash is its own hash
// tag, so an entry and its claim share a slot (one script may touch both)
// while different URLs spread over a cluster.
type keys struct {
	prefix string
}

// entry returns the key of a normalised URL's cached result: the prefix
// and, in braces, the hex of the first 16 bytes of the URL's SHA-256.
// STRING: an encoded entry (see encode), with a TTL.
func (k keys) entry(norm string) string {
	var buf [256]byte // keeps the bytes of most URLs off the heap
	sum := sha256.Sum256(append(buf[:0], norm...))
	var digits [2 * keyHashBytes]byte
	hex.Encode(digits[:], sum[:keyHashBytes])
	var b strings.Builder
	b.Grow(len(k.prefix) + len(digits) + 2)
	b.WriteString(k.prefix)
	b.WriteByte('{')
	b.Write(digits[:])
	b.WriteByte('}')
	return b.String()
}

// claim returns the key of the in-flight claim on the entry key ek.
// STRING: the random token of the worker fetching the URL, with a PX TTL.
func (k keys) claim(ek string) string {
	return ek + ":lock"
}
