// Package doubles builds the scheduler test doubles under testenv/doubles/
// for tests: fake qsub/qstat/qdel (PBS), bsub/bjobs/bkill (LSF) and flux,
// strict about the command lines they accept and really running the job
// scripts they are given.
//
// Each double is one main package, testenv/doubles/SCHED, that acts as the
// command it is started as (os.Args[0]'s base name), so one binary linked
// under every command name serves a scheduler. Doubles keep their jobs in
// the directory named by $REFLOW_DOUBLE_STATE, which must be set.
package doubles

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// StateEnv names the directory a double keeps its jobs in.
const StateEnv = "REFLOW_DOUBLE_STATE"

// Commands lists the commands each double answers to.
var Commands = map[string][]string{
	"pbs":  {"qsub", "qstat", "qdel"},
	"lsf":  {"bsub", "bjobs", "bkill"},
	"flux": {"flux"},
}

// Env is an installed double.
type Env struct {
	// Bin holds the double's commands; put it first on PATH.
	Bin string
	// State is the double's job directory (a fresh one per Install).
	State string
}

// Vars returns environment entries that make commands find the double:
// PATH with Bin first, and the state directory.
func (e Env) Vars() []string {
	return []string{"PATH=" + e.Bin + string(os.PathListSeparator) + os.Getenv("PATH"), StateEnv + "=" + e.State}
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// Install builds the double for sched ("pbs", "lsf" or "flux") once per
// test binary, links its commands into a directory, and gives it a fresh
// state directory that t removes at its end.
func Install(t testing.TB, sched string) Env {
	t.Helper()
	bin, err := build(sched)
	if err != nil {
		t.Fatal(err)
	}
	return Env{Bin: bin, State: t.TempDir()}
}

// build compiles testenv/doubles/SCHED into a directory that lives as long as
// the process and links each command name to it.
func build(sched string) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if dir, ok := built[sched]; ok {
		return dir, nil
	}
	cmds, ok := Commands[sched]
	if !ok {
		return "", fmt.Errorf("no test double for scheduler %q", sched)
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "reflow-double-"+sched+"-")
	if err != nil {
		return "", err
	}
	exe := filepath.Join(dir, sched+"-double")
	cmd := exec.Command("go", "build", "-o", exe, "./testenv/doubles/"+sched)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the %s double: %v\n%s", sched, err, out)
	}
	for _, c := range cmds {
		if err := os.Symlink(exe, filepath.Join(dir, c)); err != nil {
			return "", err
		}
	}
	built[sched] = dir
	return dir, nil
}

// ModuleRoot finds the directory of reflow's go.mod, for tests that build
// reflow's commands.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside reflow's module")
	}
	return filepath.Dir(mod), nil
}
