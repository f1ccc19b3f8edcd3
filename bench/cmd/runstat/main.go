// Command runstat runs a command and prints its wall time and peak resident
// memory, for the engine benchmarks in bench/engine.sh:
//
//	runstat LABEL -- CMD ARGS...
//
// prints "LABEL wall=1.234s maxrss=56MB exit=0" on stderr. Peak memory is
// the largest of the command and the descendants it waited for.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 4 || os.Args[2] != "--" {
		fmt.Fprintln(os.Stderr, "usage: runstat LABEL -- CMD ARGS...")
		os.Exit(2)
	}
	label := os.Args[1]
	cmd := exec.Command(os.Args[3], os.Args[4:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
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
	fmt.Fprintf(os.Stderr, "%s wall=%.3fs maxrss=%dMB exit=%d\n", label, wall.Seconds(), rss, code)
	os.Exit(code)
}
