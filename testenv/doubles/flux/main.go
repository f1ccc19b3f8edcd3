package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// env is what one invocation sees: its arguments, streams and settings.
type env struct {
	args    []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	version fluxsyntax.Version
	st      *store
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if name := filepath.Base(argv[0]); name != "flux" && !strings.HasSuffix(name, "-double") {
		fmt.Fprintf(stderr, "flux test double: started as %q; link it as flux\n", name)
		return 1
	}
	st, err := openStore()
	if err != nil {
		fmt.Fprintf(stderr, "flux: %v\n", err)
		return 1
	}
	switch os.Getenv("REFLOW_DOUBLE_ROLE") {
	case "broker":
		if err := runBroker(st); err != nil {
			fmt.Fprintf(stderr, "flux broker (double): %v\n", err)
			return 1
		}
		return 0
	case "shutdown":
		return shutdown(st, stderr)
	}
	v := fluxsyntax.DefaultVersion
	if s := os.Getenv("REFLOW_DOUBLE_FLUX_VERSION"); s != "" {
		if v, err = fluxsyntax.ParseVersion(s); err != nil {
			fmt.Fprintf(stderr, "flux: REFLOW_DOUBLE_FLUX_VERSION: %v\n", err)
			return 1
		}
	}
	args := argv[1:]
	// `flux --parent CMD` talks to the enclosing instance; the double has
	// only one.
	for len(args) > 0 && args[0] == "--parent" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: flux [OPTIONS] COMMAND ARGS")
		return 1
	}
	e := &env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr, version: v, st: st}
	switch args[0] {
	case "submit":
		return e.submit(false)
	case "batch":
		return e.submit(true)
	case "jobs":
		return e.jobs()
	case "cancel":
		return e.cancel()
	case "version":
		return e.versionCmd()
	case "job":
		return e.jobCmd()
	}
	fmt.Fprintf(stderr, "flux: '%s' is not a flux command.  See 'flux --help'\n", args[0])
	return 1
}

// reject prints a rejection and returns its exit status.
func (e *env) reject(r *fluxsyntax.Rejection) int {
	io.WriteString(e.stderr, r.Stderr)
	return r.Exit
}

// ascii reports whether F58 ids use the ASCII prefix: when
// FLUX_F58_FORCE_ASCII is set or the locale is not UTF-8.
func ascii() bool {
	if os.Getenv("FLUX_F58_FORCE_ASCII") != "" {
		return true
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := os.Getenv(k); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return true
}

func f58(id uint64) string { return fluxsyntax.EncodeF58(id, ascii()) }

func sortJobs(js []*job) {
	sort.Slice(js, func(a, b int) bool { return js[a].ID < js[b].ID })
}

func (e *env) versionCmd() int {
	fmt.Fprintf(e.stdout, "commands:    \t\t%s\n", e.version)
	fmt.Fprintf(e.stdout, "libflux-core:\t\t%s\n", e.version)
	fmt.Fprintf(e.stdout, "build-options:\t\t+reflow-test-double\n")
	return 0
}

// jobCmd answers `flux job id [--to=ENC] ID...`, the id converter.
func (e *env) jobCmd() int {
	if len(e.args) == 0 || e.args[0] != "id" {
		fmt.Fprintln(e.stderr, "flux-job: the flux test double emulates only `flux job id`")
		return 1
	}
	to := "dec"
	var ids []string
	for _, a := range e.args[1:] {
		if v, ok := strings.CutPrefix(a, "--to="); ok {
			to = v
			continue
		}
		ids = append(ids, a)
	}
	for _, s := range ids {
		id, err := fluxsyntax.ParseJobID(s)
		if err != nil {
			fmt.Fprintf(e.stderr, "flux-job: %s: malformed input\n", s)
			return 1
		}
		switch to {
		case "dec":
			fmt.Fprintln(e.stdout, id)
		case "f58":
			fmt.Fprintln(e.stdout, f58(id))
		case "hex":
			fmt.Fprintf(e.stdout, "0x%x\n", id)
		case "dothex":
			fmt.Fprintln(e.stdout, fluxsyntax.EncodeDotHex(id))
		case "kvs":
			fmt.Fprintln(e.stdout, "job."+fluxsyntax.EncodeDotHex(id))
		default:
			fmt.Fprintf(e.stderr, "flux-job: --to=%s is not emulated by the flux test double\n", to)
			return 1
		}
	}
	return 0
}
