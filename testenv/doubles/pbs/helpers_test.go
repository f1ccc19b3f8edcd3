package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles"
)

// dbl is an installed double with extra settings for one test.
type dbl struct {
	t   *testing.T
	env []string
	dir string // a scratch directory commands run in
}

// install builds the double (once per test binary) with a fresh state
// directory and the given REFLOW_DOUBLE_* settings.
func install(t *testing.T, settings ...string) *dbl {
	t.Helper()
	e := doubles.Install(t, "pbs")
	env := append(os.Environ(), e.Vars()...)
	env = append(env, "REFLOW_DOUBLE_PBS_KILL_DELAY=300ms")
	env = append(env, settings...)
	d := &dbl{t: t, env: env, dir: t.TempDir()}
	t.Cleanup(d.deleteAll)
	return d
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs a double command with stdin.
func (d *dbl) run(stdin, name string, args ...string) result {
	d.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = d.env
	for _, kv := range d.env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			if lp, err := lookPath(name, p); err == nil {
				cmd.Path = lp
			}
		}
	}
	cmd.Dir = d.dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("%s: %v", name, err)
	}
	return result{out.String(), errb.String(), code}
}

// lookPath finds name in the PATH list p (the test's env, not the process's).
func lookPath(name, p string) (string, error) {
	for _, dir := range filepath.SplitList(p) {
		f := filepath.Join(dir, name)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			return f, nil
		}
	}
	return "", os.ErrNotExist
}

// submit runs qsub with script on stdin and returns the id it printed.
func (d *dbl) submit(script string, args ...string) string {
	d.t.Helper()
	r := d.run(script, "qsub", args...)
	if r.code != 0 {
		d.t.Fatalf("qsub %v: exit %d: %s", args, r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// jobs reads qstat -x -f -F json -t for ids.
func (d *dbl) jobs(ids ...string) map[string]map[string]any {
	d.t.Helper()
	r := d.run("", "qstat", append([]string{"-x", "-f", "-F", "json", "-t"}, ids...)...)
	var doc struct {
		Jobs map[string]map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		d.t.Fatalf("qstat JSON: %v\n%s", err, r.stdout)
	}
	return doc.Jobs
}

// wait polls until job id is in one of the states, and returns its record.
func (d *dbl) wait(id string, states ...string) map[string]any {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := d.jobs(id)[id]
		if j != nil {
			for _, s := range states {
				if j["job_state"] == s {
					return j
				}
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("job %s never reached %v; last: %v", id, states, j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func num(v any) (int, bool) {
	f, ok := v.(float64)
	return int(f), ok
}

// deleteAll leaves no job running: it deletes every listed job and waits
// until qstat lists none, so the state directory can be removed.
func (d *dbl) deleteAll() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var ids []string
		for _, line := range strings.Split(d.run("", "qstat").stdout, "\n") {
			f := strings.Fields(line)
			if len(f) < 3 || f[0][0] < '0' || f[0][0] > '9' {
				continue
			}
			if st := f[len(f)-2]; st != "C" && st != "F" {
				ids = append(ids, f[0])
			}
		}
		if len(ids) == 0 {
			return
		}
		args := append([]string{"-W", "force"}, ids...)
		if strings.Contains(strings.Join(d.env, "\n"), "REFLOW_DOUBLE_PBS_DIALECT=torque") {
			args = append([]string{"-p"}, ids...)
		}
		d.run("", "qdel", args...)
		time.Sleep(100 * time.Millisecond)
	}
}
