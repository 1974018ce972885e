package proctest

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartWaitOutput(t *testing.T) {
	p := Start(t, "/bin/sh", nil, "-c", "echo hello; exec sleep 60")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.Output(), "hello") {
		if time.Now().After(deadline) {
			t.Fatal("no output")
		}
		<-time.After(5 * time.Millisecond)
	}
	if p.Exited() {
		t.Fatal("exited early")
	}
	p.Signal(t, syscall.SIGKILL)
	if err := p.Wait(t, 10*time.Second); err == nil || !p.Exited() {
		t.Errorf("Wait = %v, exited %v; want a kill error", err, p.Exited())
	}
}
