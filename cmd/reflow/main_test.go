package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"reflow": func() { os.Exit(run(os.Args[1:])) },
	})
}

var (
	pluginsOnce sync.Once
	pluginsDir  string
	pluginsErr  error
)

// buildPlugins builds every plugin under plugins/ once per test binary, as
// `reflow-executor-NAME`, so scripts run against the real plugin binaries.
func buildPlugins() (string, error) {
	pluginsOnce.Do(func() {
		pluginsDir, pluginsErr = os.MkdirTemp("", "rfp")
		if pluginsErr != nil {
			return
		}
		dirs, _ := filepath.Glob("../../plugins/*")
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "main.go")); err != nil {
				continue
			}
			out := filepath.Join(pluginsDir, "reflow-executor-"+filepath.Base(d))
			cmd := exec.Command("go", "build", "-o", out, "./"+d)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				pluginsErr = &buildError{pkg: d, out: string(b), err: err}
				return
			}
		}
	})
	return pluginsDir, pluginsErr
}

type buildError struct {
	pkg, out string
	err      error
}

func (e *buildError) Error() string { return "building " + e.pkg + ": " + e.err.Error() + "\n" + e.out }

// TestScripts runs the CLI scripts in testdata/script. Each script gets its
// own config and data directories, and the freshly built plugins on
// $REFLOW_PLUGIN_PATH (copied per script, so a script may tamper with them).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			src, err := buildPlugins()
			if err != nil {
				return err
			}
			dst := filepath.Join(env.WorkDir, "plugins")
			if err := copyDir(src, dst); err != nil {
				return err
			}
			env.Setenv("REFLOW_PLUGIN_PATH", dst)
			examples, err := filepath.Abs("../../examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "state"))
			return nil
		},
	})
}

func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o755); err != nil {
			return err
		}
	}
	return nil
}
