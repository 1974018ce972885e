// Package config turns environment variables and command-line flags into
// validated settings. Every setting is both: the environment supplies the
// default, the flag wins, and a bad value of either is an error naming it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Set is a flag.FlagSet whose flags take their defaults from environment
// variables. It is not safe for concurrent use.
type Set struct {
	fs     *flag.FlagSet
	getenv func(string) string
	checks []func() error
}

// NewSet returns a Set for the program name. Usage goes to w.
func NewSet(name string, getenv func(string) string, w io.Writer) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	return &Set{fs: fs, getenv: getenv}
}

// FlagSet returns the underlying flag set, for Usage and Args.
func (s *Set) FlagSet() *flag.FlagSet { return s.fs }

// Parse applies the environment, then args, then runs the checks. A
// -h or -help returns flag.ErrHelp after the usage was printed; any other
// failure is a usage error (exit status 2).
func (s *Set) Parse(args []string) error {
	if err := s.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return Usage(err)
	}
	var errs []error
	for _, c := range s.checks {
		if err := c(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Usage(errors.Join(errs...))
	}
	return nil
}

// value is a flag.Value that remembers whether the environment or a flag
// set it, so error messages can name the right source.
type value[T any] struct {
	p      *T
	parse  func(string) (T, error)
	format func(T) string
	source string
}

func (v *value[T]) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return v.format(*v.p)
}

func (v *value[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.p = x
	return nil
}

// define registers flag name with environment variable env (may be empty)
// and default def. check, when not nil, validates the final value.
func define[T any](s *Set, p *T, name, env string, def T, usage string,
	parse func(string) (T, error), format func(T) string, check func(T) error) {
	*p = def
	v := &value[T]{p: p, parse: parse, format: format}
	if env != "" {
		usage += " (env " + env + ")"
	}
	s.fs.Var(v, name, usage)
	var envErr error
	if raw := s.getenv(env); env != "" && raw != "" {
		if err := v.Set(raw); err != nil {
			envErr = fmt.Errorf("invalid %s=%q: %w", env, raw, err)
		}
	}
	s.checks = append(s.checks, func() error {
		if envErr != nil && !s.isSet(name) {
			return envErr
		}
		if check == nil {
			return nil
		}
		if err := check(*p); err != nil {
			return fmt.Errorf("invalid %s: %w", s.origin(name, env), err)
		}
		return nil
	})
}

func (s *Set) isSet(name string) bool {
	set := false
	s.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (s *Set) origin(name, env string) string {
	if s.isSet(name) || env == "" || s.getenv(env) == "" {
		return "-" + name
	}
	return env
}

// String registers a string setting.
func (s *Set) String(p *string, name, env, def, usage string, check func(string) error) {
	define(s, p, name, env, def, usage,
		func(x string) (string, error) { return x, nil },
		func(x string) string { return x }, check)
}

// Int registers an integer setting.
func (s *Set) Int(p *int, name, env string, def int, usage string, check func(int) error) {
	define(s, p, name, env, def, usage, parseInt, strconv.Itoa, check)
}

// Bool registers a boolean setting; the environment accepts 1/0, true/false,
// on/off and yes/no.
func (s *Set) Bool(p *bool, name, env string, def bool, usage string) {
	*p = def
	v := &boolValue{value[bool]{p: p, parse: parseBool, format: strconv.FormatBool}}
	if env != "" {
		usage += " (env " + env + ")"
	}
	s.fs.Var(v, name, usage)
	if raw := s.getenv(env); env != "" && raw != "" {
		if err := v.Set(raw); err != nil {
			s.checks = append(s.checks, func() error {
				if s.isSet(name) {
					return nil
				}
				return fmt.Errorf("invalid %s=%q: %w", env, raw, err)
			})
		}
	}
}

type boolValue struct{ value[bool] }

func (*boolValue) IsBoolFlag() bool { return true }

// Duration registers a duration setting. A bare number is seconds, as in the
// original settings (HTTP_TIMEOUT=5); Go durations such as 250ms also work.
func (s *Set) Duration(p *time.Duration, name, env string, def time.Duration, usage string, check func(time.Duration) error) {
	define(s, p, name, env, def, usage, ParseSeconds, formatDuration, check)
}

// Float registers a non-negative decimal setting.
func (s *Set) Float(p *float64, name, env string, def float64, usage string) {
	define(s, p, name, env, def, usage, parseFloat,
		func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }, nil)
}

func parseFloat(x string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0, fmt.Errorf("not a number from 0 to 1000000")
	}
	return f, nil
}

func parseInt(x string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(x))
	if err != nil {
		return 0, fmt.Errorf("not an integer")
	}
	return n, nil
}

func parseBool(x string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(x)) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean (want true or false)")
}

// ParseSeconds parses a number of seconds or a Go duration.
func ParseSeconds(x string) (time.Duration, error) {
	x = strings.TrimSpace(x)
	if f, err := strconv.ParseFloat(x, 64); err == nil {
		if f > 1e9 || f < -1e9 {
			return 0, fmt.Errorf("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(x)
	if err != nil {
		return 0, fmt.Errorf("not a duration (want seconds such as 5, or 250ms, 2s)")
	}
	return d, nil
}

func formatDuration(d time.Duration) string { return d.String() }

// Positive rejects zero and negative values.
func Positive[T int | time.Duration](x T) error {
	if x <= 0 {
		return fmt.Errorf("must be greater than zero")
	}
	return nil
}

// NonNegative rejects negative values.
func NonNegative[T int | time.Duration](x T) error {
	if x < 0 {
		return fmt.Errorf("must not be negative")
	}
	return nil
}

// Between returns a check that accepts lo..hi inclusive.
func Between[T int | time.Duration](lo, hi T) func(T) error {
	return func(x T) error {
		if x < lo || x > hi {
			return fmt.Errorf("%v is out of range %v..%v", x, lo, hi)
		}
		return nil
	}
}
