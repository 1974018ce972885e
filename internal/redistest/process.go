package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	logName      = "redis.log"    // the server's --logfile, in its dir
	outName      = "redis.stdout" // the server's stdout and stderr, in its dir
	readyTimeout = 10 * time.Second
	exitTimeout  = 10 * time.Second
	pollInterval = 10 * time.Millisecond
	probeTimeout = time.Second
)

var (
	errExited  = errors.New("redis-server exited before it was ready")
	errTimeout = errors.New("redis-server not ready in time")
)

// process is one run of redis-server. Its Wait is called exactly once, by the
// goroutine that launch starts.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // result of cmd.Wait; read it only after done is closed
}

// launch starts redis-server with args, sending its stdout and stderr to a
// file in dir, where errors in the arguments end up.
func launch(bin, dir string, args []string) (*process, error) {
	out, err := os.OpenFile(filepath.Join(dir, outName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open output file: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig unless the process has already exited.
func (p *process) signal(sig os.Signal) error {
	if p.exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send %v: %w", sig, err)
	}
	return nil
}

// wait waits up to timeout for the process to exit and returns its exit error.
func (p *process) wait(timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.err
	case <-t.C:
		return fmt.Errorf("redis-server (pid %d) still running after %v", p.cmd.Process.Pid, timeout)
	}
}

// waitReady polls addr until this process answers PING with PONG, which it
// does not while it is loading its data, or until it exits or the deadline
// passes.
func (p *process) waitReady(addr string) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		err := probe(addr, p.cmd.Process.Pid)
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			return errExited
		case <-deadline.C:
			return fmt.Errorf("%w: %w", errTimeout, err)
		case <-tick.C:
		}
	}
}

// probe sends PING and INFO server to addr on a fresh connection. It
// succeeds if the answer is PONG and comes from process pid, not from
// another server that took the port after this one failed to bind it.
func probe(addr string, pid int) error {
	conn, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(probeTimeout)); err != nil {
		return err
	}
	if _, err := io.WriteString(conn, "PING\r\nINFO server\r\n"); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	info, err := readBulk(r)
	if err != nil {
		return fmt.Errorf("INFO server: %w", err)
	}
	if !strings.Contains(info, "\r\nprocess_id:"+strconv.Itoa(pid)+"\r\n") {
		return errors.New("port answered by another process")
	}
	return nil
}

// readBulk reads one RESP bulk string reply.
func readBulk(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "$") {
		return "", fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil || n < 0 {
		return "", fmt.Errorf("bad bulk length %q", strings.TrimSpace(line))
	}
	buf := make([]byte, n+2) // the string and its CRLF
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// logTail returns the last lines of the server's log and output files, for
// failure messages.
func logTail(dir string) string {
	var b strings.Builder
	for _, name := range []string{outName, logName} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		lines = lines[max(0, len(lines)-20):]
		fmt.Fprintf(&b, "\n--- %s (tail) ---\n%s", name, strings.Join(lines, "\n"))
	}
	return b.String()
}

// portInUse reports whether the server's log or output says that it could
// not bind a port.
func portInUse(dir string) bool {
	return strings.Contains(logTail(dir), "Address already in use")
}
