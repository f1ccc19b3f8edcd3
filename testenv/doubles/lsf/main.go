package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// env is what a command reads from its environment; tests fill it in.
type env struct {
	state   string
	getenv  func(string) string
	cwd     string
	environ []string
	// exe is the double's binary, which bsub starts as mbatchd; empty in
	// tests that call run in-process, where nothing may be started.
	exe string
}

func main() {
	cmd := filepath.Base(os.Args[0])
	e := env{state: os.Getenv("REFLOW_DOUBLE_STATE"), getenv: os.Getenv, environ: os.Environ()}
	e.cwd, _ = os.Getwd()
	e.exe, _ = os.Executable()
	os.Exit(run(cmd, os.Args[1:], e, os.Stdin, os.Stdout, os.Stderr))
}

// run is one invocation of the double as command cmd; it returns the exit
// status.
func run(cmd string, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) int {
	if e.state == "" {
		fmt.Fprintf(stderr, "%s: REFLOW_DOUBLE_STATE is not set: the LSF test double keeps its jobs there and will not run without it\n", cmd)
		return 2
	}
	if fi, err := os.Stat(e.state); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "%s: REFLOW_DOUBLE_STATE %s is not a directory\n", cmd, e.state)
		return 2
	}
	st := &store{dir: e.state}
	cfg := loadConfig(e.getenv)
	switch cmd {
	case "bsub":
		return bsub(st, cfg, e, args, stdin, stdout, stderr)
	case "bjobs":
		return bjobs(st, cfg, args, stdout, stderr)
	case "bkill":
		return bkill(st, cfg, args, stdout, stderr)
	case daemonName:
		return daemon(st, cfg)
	case resName:
		return res(st, args)
	case quiesceName:
		return quiesce(st, cfg, stderr)
	}
	fmt.Fprintf(stderr, "lsf double: started as %q; link it as bsub, bjobs or bkill\n", cmd)
	return 2
}
