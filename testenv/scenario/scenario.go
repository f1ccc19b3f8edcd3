// Package scenario is the scenario suite every scheduler plugin runs: the
// whole engine (the reflow binary, the plugin binary, a real SQLite store)
// drives the examples and the faults that matter on a cluster through one
// executor, and the results must match the local executor's.
//
// A plugin's test calls Run with how to reach its scheduler (a real one, or
// a double from testenv/doubles). The scenarios are testscript files in
// testdata/; they see $EXECUTOR, $CANCEL (a command that cancels a job by
// native id from outside reflow), $TIMELIMIT and $TIMESLEEP, $EXAMPLES, and
// a site config ($REFLOW_CONFIG) with the executor's settings and quick
// polling.
package scenario

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// Config says how to reach one executor's scheduler.
type Config struct {
	// Executor is the plugin's name; its source is plugins/NAME.
	Executor string
	// Env is added to every scenario's environment (e.g. a double's PATH
	// and state directory).
	Env []string
	// Settings is the body of the site config's `executor "NAME" {}`.
	Settings string
	// Cancel is a shell command that cancels a job from outside reflow,
	// given its native id as its last word ("scancel", "qdel"). Empty
	// skips the external-cancel scenario.
	Cancel string
	// CancelReason is what the reason of a job cancelled that way must
	// match (a regular expression; default "cancel"). A scheduler that does
	// not tell a cancel from other signals (Torque) says less.
	CancelReason string
	// TimeLimit is a `time` resource the scheduler enforces ("1m" on Slurm,
	// which checks limits every 30 s; seconds on a double); TimeSleep is
	// how long, in seconds, the job that must exceed it sleeps. A retry
	// with time_factor 4 must then fit it.
	TimeLimit string
	TimeSleep int
	// Detach lists the dispatch modes (chain, resident) the executor can
	// host as scheduler jobs.
	Detach []string
	// Skip names scenarios (file names without .txtar) to leave out, with
	// the reason in SkipWhy.
	Skip    []string
	SkipWhy string
}

// Run runs every scenario in testdata against cfg's executor.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	root, err := doubles.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	RunDir(t, cfg, filepath.Join(root, "testenv", "scenario", "testdata"))
}

// RunDir runs the testscript files in dir with the same environment as
// the shared scenarios: a plugin's own scenarios (Slurm's call counts) use
// it.
func RunDir(t *testing.T, cfg Config, dir string) {
	t.Helper()
	bin, err := build(cfg.Executor)
	if err != nil {
		t.Fatal(err)
	}
	root, err := doubles.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			name := filepath.Base(env.WorkDir)
			for _, s := range cfg.Skip {
				if strings.HasPrefix(name, "script-"+s) {
					env.T().Skip(fmt.Sprintf("scenario %s skipped for %s: %s", s, cfg.Executor, cfg.SkipWhy))
				}
			}
			for _, kv := range cfg.Env {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("REFLOW_PLUGIN_PATH", bin)
			env.Setenv("EXECUTOR", cfg.Executor)
			env.Setenv("CANCEL", cfg.Cancel)
			reason := cfg.CancelReason
			if reason == "" {
				reason = "cancel"
			}
			env.Setenv("CANCEL_REASON", reason)
			env.Setenv("TIMELIMIT", cfg.TimeLimit)
			env.Setenv("TIMESLEEP", fmt.Sprint(cfg.TimeSleep))
			env.Setenv("EXAMPLES", filepath.Join(root, "examples"))
			for _, x := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
				env.Setenv(x, filepath.Join(env.WorkDir, strings.ToLower(x)))
			}
			site := filepath.Join(env.WorkDir, "site.hcl")
			env.Setenv("REFLOW_CONFIG", site)
			body := fmt.Sprintf("executor %q {\n%s\n}\n", cfg.Executor, cfg.Settings)
			if cfg.Executor != "local" {
				body += "executor \"local\" {\n  slots = 2\n}\n"
			}
			body += "dispatch {\n  poll_interval     = \"1s\"\n  max_poll_interval = \"2s\"\n  chain_fallback    = \"1m\"\n}\n"
			return os.WriteFile(site, []byte(body), 0o644)
		},
		Condition: func(cond string) (bool, error) {
			switch {
			case cond == "cancel":
				return cfg.Cancel != "", nil
			case strings.HasPrefix(cond, "detach-"):
				return slices.Contains(cfg.Detach, strings.TrimPrefix(cond, "detach-")), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// build makes reflow and the local and named plugins, once per test
// binary, into a directory that lives as long as the process.
func build(executor string) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if dir, ok := built[executor]; ok {
		return dir, nil
	}
	root, err := doubles.ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "rfs")
	if err != nil {
		return "", err
	}
	steps := [][]string{{"go", "build", "-o", filepath.Join(dir, "reflow"), "./cmd/reflow"}}
	plugins := []string{"local"}
	if executor != "local" {
		plugins = append(plugins, executor)
	}
	for _, p := range plugins {
		steps = append(steps, []string{"go", "build", "-o", filepath.Join(dir, "reflow-executor-"+p), "./plugins/" + p})
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = root
		if strings.Contains(s[len(s)-1], "plugins/") {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, out)
		}
	}
	built[executor] = dir
	return dir, nil
}
