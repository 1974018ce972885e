// Command benchtool serves a tiny origin on many loopback addresses at
// once (127.0.0.1, 127.0.0.2, ...), so that one machine offers the
// benchmark many distinct hosts.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("benchtool", flag.ContinueOnError)
	hosts := fs.Int("hosts", 50, "serve on 127.0.0.1 to 127.0.0.N")
	port := fs.Int("port", 0, "port on every address (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *port <= 0 || *hosts < 1 || *hosts > 250 {
		return fmt.Errorf("want -port > 0 and -hosts 1..250")
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})}
	for i := 1; i <= *hosts; i++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:%d", i, *port))
		if err != nil {
			return err
		}
		go func() { _ = srv.Serve(ln) }()
	}
	fmt.Fprintf(os.Stderr, "serving on 127.0.0.1-%d:%d\n", *hosts, *port)
	<-ctx.Done()
	return srv.Close()
}
