package redistest

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// An Option changes how Start configures a server.
type Option func(*options)

type options struct {
	fsync   string // appendfsync policy; empty means AOF is off
	cluster bool
	noSlots bool // a cluster node that StartCluster joins to others
	args    []string
}

// WithAOF turns on the append-only file with the given appendfsync policy:
// "always", "everysec" or "no". Use "always" in tests that Kill the server and
// expect every acknowledged write to survive.
func WithAOF(fsync string) Option {
	return func(o *options) { o.fsync = fsync }
}

// WithArgs appends raw redis-server arguments, such as "--maxmemory", "1mb".
// They come after the ones Start sets, so they win over them.
func WithArgs(args ...string) Option {
	return func(o *options) { o.args = append(o.args, args...) }
}

// WithCluster starts the server as a one-node Redis Cluster that owns all
// 16384 slots. Redis then rejects commands, and Lua scripts declared with a
// shebang line, that touch keys of more than one slot, which catches keys
// missing a shared hash tag. It needs redis-server 7.0 or later.
func WithCluster() Option {
	return func(o *options) { o.cluster = true }
}

func (o *options) validate() error {
	switch o.fsync {
	case "", "always", "everysec", "no":
		return nil
	}
	return fmt.Errorf("WithAOF(%q): want always, everysec or no", o.fsync)
}

// serverArgs returns the redis-server command line for a server that keeps
// its files in dir and listens on port, with busPort as the cluster bus port
// when o.cluster is set.
func (o *options) serverArgs(dir string, port, busPort int) []string {
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--dir", dir,
		"--logfile", filepath.Join(dir, logName),
		"--daemonize", "no",
	}
	if o.fsync == "" {
		args = append(args, "--appendonly", "no")
	} else {
		args = append(args, "--appendonly", "yes", "--appendfsync", o.fsync)
	}
	if o.cluster {
		args = append(args,
			"--cluster-enabled", "yes",
			"--cluster-port", strconv.Itoa(busPort),
			"--cluster-announce-ip", "127.0.0.1",
			"--cluster-config-file", "nodes.conf",
		)
	}
	return append(args, o.args...)
}
