// Command monitor shows the progress of the current run: a status line
// redrawn in place on a terminal, plain lines or JSON otherwise.
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
