package waitfor

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestCondReturnsOnceTrue(t *testing.T) {
	var n atomic.Int32
	Cond(t, time.Second, "three polls", func() bool { return n.Add(1) >= 3 })
	if got := n.Load(); got != 3 {
		t.Errorf("polled %d times; want 3", got)
	}
}
