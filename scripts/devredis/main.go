// Command devredis serves an in-memory Redis (miniredis) for machines that
// have Go but no redis-server. It is for demos only: it keeps nothing on
// disk and implements a subset of Redis.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := miniredis.NewMiniRedis()
	m.ClockTTL(true) // keys expire in real time, as on a real server
	if err := m.StartAddr(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	m.Server().SetPreHook(infoServer)
	fmt.Fprintln(os.Stderr, "embedded redis listening on", m.Addr())
	<-ctx.Done()
	m.Close()
}

// infoServer answers INFO server, which miniredis lacks, with a section
// that names no version: clients then assume an older Redis and use no
// newer features.
func infoServer(c *server.Peer, cmd string, args ...string) bool {
	if cmd != "INFO" || len(args) != 1 || !strings.EqualFold(args[0], "server") {
		return false
	}
	c.WriteBulk("# Server\r\nredis_mode:standalone\r\n")
	return true
}
