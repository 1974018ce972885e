// Command api serves the current run over HTTP: progress, results with
// paging and exports, Prometheus metrics, health checks and a live
// dashboard page.
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
