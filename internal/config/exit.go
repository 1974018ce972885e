package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ExitError carries the exit status a failure should end the program with.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Usage wraps err as a usage error (exit status 2).
func Usage(err error) error { return &ExitError{Code: 2, Err: err} }

// ExitCode prints err to w and returns the program's exit status: 0 for no
// error or -h, 2 for usage errors, 1 otherwise.
func ExitCode(err error, w io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(w, "error:", err)
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return 1
}
