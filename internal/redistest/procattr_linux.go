package redistest

import "syscall"

// sysProcAttr asks Linux to kill redis-server when the test binary dies
// without running its cleanups, for example on a test timeout. Linux sends the
// signal when the forking thread exits, which the Go runtime does only for a
// goroutine that exits while locked to its thread with runtime.LockOSThread.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
