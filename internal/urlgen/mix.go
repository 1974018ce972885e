package urlgen

import (
	"fmt"
	"strings"
)

// The mixes Config.Mix accepts.
const (
	// MixDefault looks like a real link list: mostly pages that answer 200,
	// some redirect chains, 404s, 500s and a few slow pages, and about
	// RepeatPercent of the lines repeat an earlier URL.
	MixDefault = "default"
	// MixDistinct makes every URL distinct and answering 200 at once:
	// BASE/status/200?i=N for N = 0, 1, 2... Benchmarks use it.
	MixDistinct = "distinct"
	// MixRepeat cycles through RepeatPool distinct URLs that answer 200 at
	// once, so that nearly every check can come from the cache.
	MixRepeat = "repeat"
)

// Mixes lists the accepted mixes, default first.
var Mixes = []string{MixDefault, MixDistinct, MixRepeat}

const (
	// RepeatPercent is the share of lines of the default mix that repeat an
	// earlier URL.
	RepeatPercent = 30
	// RepeatPool is the number of distinct URLs of the repeat mix.
	RepeatPool = 50
)

// CheckMix returns an error unless mix is one of Mixes.
func CheckMix(mix string) error {
	for _, m := range Mixes {
		if mix == m {
			return nil
		}
	}
	return fmt.Errorf("unknown mix %q (want %s)", mix, strings.Join(Mixes, ", "))
}

// kind is what a URL of the default mix asks the origin for.
type kind uint8

const (
	kindOK          kind = iota // /status/200?i=N
	kindPage                    // /anything/page/N, also 200
	kindRedirect                // /redirect/2?i=N: two hops, ending at /get
	kindRedirectTo              // /redirect-to?status_code=301&url=BASE/anything/page/N
	kindNotFound                // /status/404?i=N
	kindServerError             // /status/500?i=N
	kindSlow                    // /delay/1?i=N: answers after a second
)

// shares is the default mix of distinct URLs, in percent; they add up to 100.
var shares = []struct {
	kind    kind
	percent int
}{
	{kindOK, 50},
	{kindPage, 25},
	{kindRedirect, 4},
	{kindRedirectTo, 4},
	{kindNotFound, 10},
	{kindServerError, 5},
	{kindSlow, 2},
}

// byPercentile maps a number in 0..99 to a kind following shares.
var byPercentile = func() (t [100]kind) {
	i := 0
	for _, s := range shares {
		for range s.percent {
			t[i] = s.kind
			i++
		}
	}
	return t
}()

// appendPath appends the path and query of a URL of kind k, all but the
// number that ends it. escBase is the query-escaped base, for redirect
// targets.
func appendPath(dst []byte, k kind, escBase string) []byte {
	switch k {
	case kindPage:
		return append(dst, "/anything/page/"...)
	case kindRedirect:
		return append(dst, "/redirect/2?i="...)
	case kindRedirectTo:
		dst = append(dst, "/redirect-to?status_code=301&url="...)
		dst = append(dst, escBase...)
		return append(dst, "%2Fanything%2Fpage%2F"...)
	case kindNotFound:
		return append(dst, "/status/404?i="...)
	case kindServerError:
		return append(dst, "/status/500?i="...)
	case kindSlow:
		return append(dst, "/delay/1?i="...)
	}
	return append(dst, "/status/200?i="...)
}
