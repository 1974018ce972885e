package worker

import (
	"time"

	"github.com/urlcheck/url-checker/internal/backoff"
)

func backoffPolicy(base, max time.Duration) backoff.Policy { return backoff.Policy{Base: base, Max: max} }
