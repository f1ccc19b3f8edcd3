package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// Exit codes; see doc.go.
const (
	exitOK      = 0
	exitFailed  = 1
	exitInvalid = 2
	exitInfra   = 3
)

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// invalidInput wraps err so reflow exits with exitInvalid.
func invalidInput(err error) error { return &exitError{code: exitInvalid, err: err} }

// infraError wraps err so reflow exits with exitInfra.
func infraError(err error) error { return &exitError{code: exitInfra, err: err} }

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI with args and returns the process exit code. Tests
// call it through testscript.
func run(args []string) int {
	if path := os.Getenv("REFLOW_CPUPROFILE"); path != "" {
		// For finding where a slow run spends its time; documented in
		// docs/cli.md.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if path := os.Getenv("REFLOW_MEMPROFILE"); path != "" {
		// Every allocation the command made, for finding what fills the
		// heap; documented in docs/running.md.
		defer writeAllocProfile(path)
	}
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var silent *silentExit
	if errors.As(err, &silent) {
		return silent.code
	}
	fmt.Fprintln(os.Stderr, "reflow:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Errors cobra produces itself (unknown flag, wrong arg count) are usage
	// errors.
	return exitInvalid
}

// silentExit ends the command with code after it has printed its own
// diagnostics.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit %d", e.code) }

func writeAllocProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC() // the profile shows allocations up to the last collection
	_ = pprof.Lookup("allocs").WriteTo(f, 0)
}
