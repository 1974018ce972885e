package chaos

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which is 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// cpuTime returns the CPU time (user plus system) that process pid has used.
func cpuTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatalf("read CPU time: %v", err)
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// utime and stime are fields 14 and 15, the 12th and 13th after it.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		tb.Fatalf("short /proc/%d/stat: %q", pid, s)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			tb.Fatalf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// memField returns a size field of /proc/PID/status, such as VmHWM (peak
// resident set) or VmRSS, in bytes.
func memField(tb testing.TB, pid int, name string) int64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatalf("read memory use: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("/proc/%d/status %s: %v", pid, name, err)
			}
			return kb << 10
		}
	}
	tb.Fatalf("/proc/%d/status has no %s", pid, name)
	return 0
}

func TestProcfsReadsThisProcess(t *testing.T) {
	pid := os.Getpid()
	rss := memField(t, pid, "VmRSS")
	if hwm := memField(t, pid, "VmHWM"); rss <= 0 || hwm < rss {
		t.Errorf("VmHWM = %d, VmRSS = %d; want a positive resident set and a peak at least as large", hwm, rss)
	}
	if cpu := cpuTime(t, pid); cpu < 0 || cpu > time.Hour {
		t.Errorf("cpu time = %v; want a small positive duration", cpu)
	}
}
