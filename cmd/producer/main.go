// Command producer reads a URL list and puts one job per line on the Redis
// queue, starting a new run unless told to add to the current one.
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
