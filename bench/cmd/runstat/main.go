// Command runstat runs a command and prints its wall time and peak resident
// memory, for the engine benchmarks in bench/engine.sh:
//
//	runstat [-q] LABEL -- CMD ARGS...
//
// prints "LABEL wall=1.234s cpu=0.987s maxrss=56MB exit=0" on stderr; -q
// discards the command's own output. CPU is user+system time of the command
// and the descendants it waited for; peak memory is the largest of them. On
// a busy machine CPU time says more than wall time: it is what the work
// cost, not how long it queued.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	quiet := len(args) > 0 && args[0] == "-q"
	if quiet {
		args = args[1:]
	}
	if len(args) < 3 || args[1] != "--" {
		fmt.Fprintln(os.Stderr, "usage: runstat [-q] LABEL -- CMD ARGS...")
		os.Exit(2)
	}
	label := args[0]
	cmd := exec.Command(args[2], args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if quiet {
		cmd.Stdout, cmd.Stderr = nil, nil // the null device
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			fmt.Fprintln(os.Stderr, "runstat:", err)
		}
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss / 1024
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Fprintf(os.Stderr, "%s wall=%.3fs cpu=%.3fs maxrss=%dMB exit=%d\n", label, wall.Seconds(), cpu.Seconds(), rss, code)
	os.Exit(code)
}
