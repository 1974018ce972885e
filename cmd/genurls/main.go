// Command genurls writes a reproducible list of test URLs, one a line,
// pointing at a local go-httpbin origin, for demos and benchmarks.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/urlcheck/url-checker/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(config.ExitCode(err, os.Stderr))
}
