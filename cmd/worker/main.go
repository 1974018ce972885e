// Command worker claims URL-check jobs from Redis, checks them and writes
// their results back in batches. Run as many as you like, anywhere.
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
