package slurmexec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// slurmCommands are the clients the plugin runs.
var slurmCommands = []string{"sbatch", "squeue", "sacct", "scancel", "scontrol"}

// fakeSlurm is a directory of stand-in Slurm commands. Each one logs its
// command line to calls.log (and sbatch its standard input to
// sbatch.stdin), then prints what the test set for it and exits with the
// status set. `scontrol show config` prints testdata/real/scontrol-show-config.txt
// unless the test set something else. In wrap mode each command instead
// logs and runs the real Slurm command of that name, so tests against a
// real Slurm can count calls.
type fakeSlurm struct {
	t   *testing.T
	dir string
}

func newFakeSlurm(t *testing.T) *fakeSlurm {
	t.Helper()
	f := &fakeSlurm{t: t, dir: t.TempDir()}
	conf, err := os.ReadFile("testdata/real/scontrol-show-config.txt")
	if err != nil {
		t.Fatal(err)
	}
	f.write("scontrol.config.out", string(conf))
	for _, name := range slurmCommands {
		script := fmt.Sprintf(`#!/bin/bash
d=%[1]q
printf '%%s\n' "%[2]s $*" >> "$d/calls.log"
out=$d/%[2]s
if [ %[2]s = scontrol ] && [ "$1" = show ] && [ "$2" = config ] && [ -e "$d/scontrol.config.out" ]; then out=$d/scontrol.config; fi
if [ %[2]s = sbatch ]; then cat > "$d/sbatch.stdin"; fi
[ -e "$out.out" ] && cat "$out.out"
[ -e "$out.err" ] && cat "$out.err" >&2
exit $(cat "$out.rc" 2>/dev/null || echo 0)
`, f.dir, name)
		f.write(name, script)
		os.Chmod(filepath.Join(f.dir, name), 0o755)
	}
	return f
}

// wrapSlurm is a fakeSlurm whose commands log and run the real ones.
func wrapSlurm(t *testing.T) *fakeSlurm {
	t.Helper()
	f := &fakeSlurm{t: t, dir: t.TempDir()}
	for _, name := range slurmCommands {
		script := fmt.Sprintf("#!/bin/bash\nprintf '%%s\\n' \"%[2]s $*\" >> %[1]q/calls.log\nexec %[2]s \"$@\"\n", f.dir, name)
		f.write(name, script)
		os.Chmod(filepath.Join(f.dir, name), 0o755)
	}
	return f
}

func (f *fakeSlurm) write(name, content string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// set makes command name print out and errOut and exit with rc.
func (f *fakeSlurm) set(name, out, errOut string, rc int) {
	f.t.Helper()
	f.write(name+".out", out)
	f.write(name+".err", errOut)
	f.write(name+".rc", fmt.Sprint(rc))
}

// setFile makes command name print a testdata file.
func (f *fakeSlurm) setFile(name, path string) {
	f.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	f.set(name, string(b), "", 0)
}

// calls returns the logged command lines, and forgets them.
func (f *fakeSlurm) calls() []string {
	f.t.Helper()
	p := filepath.Join(f.dir, "calls.log")
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	os.Remove(p)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// count returns how many logged calls each command had, and forgets them.
func (f *fakeSlurm) count() map[string]int {
	n := map[string]int{}
	for _, c := range f.calls() {
		name, _, _ := strings.Cut(c, " ")
		n[name]++
	}
	return n
}

// settings point the plugin's command paths at the fakes, plus extra.
func (f *fakeSlurm) settings(extra map[string]any) map[string]any {
	s := map[string]any{}
	for _, name := range slurmCommands {
		s[name+"_path"] = filepath.Join(f.dir, name)
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// executor returns an Executor configured to use the fakes.
func (f *fakeSlurm) executor(extra map[string]any) *Executor {
	f.t.Helper()
	e := New()
	e.logger = hclog.NewNullLogger()
	resp, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: f.settings(extra)})
	if err != nil || resp.Diagnostics.HasErrors() {
		f.t.Fatalf("Configure: %v %v", err, resp.Diagnostics)
	}
	f.calls() // Configure's scontrol is not what tests count
	return e
}
