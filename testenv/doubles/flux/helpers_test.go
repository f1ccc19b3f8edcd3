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

// fluxInstance is one installed double with its own state directory.
type fluxInstance struct {
	t     *testing.T
	env   doubles.Env
	extra []string
	dir   string // a scratch directory for scripts and outputs
}

func newInstance(t *testing.T, extra ...string) *fluxInstance {
	t.Helper()
	env := doubles.Install(t, "flux")
	in := &fluxInstance{t: t, env: env, extra: extra, dir: t.TempDir()}
	t.Cleanup(func() {
		cmd := exec.Command(filepath.Join(env.Bin, "flux"))
		cmd.Env = append(in.environ(), "REFLOW_DOUBLE_ROLE=shutdown")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("shutdown: %v %s", err, out)
		}
	})
	return in
}

func (in *fluxInstance) environ() []string {
	env := append(os.Environ(), in.env.Vars()...)
	env = append(env, "FLUX_F58_FORCE_ASCII=1", "REFLOW_DOUBLE_KILL_GRACE=300ms")
	return append(env, in.extra...)
}

// flux runs the double and returns stdout, stderr and the exit status.
func (in *fluxInstance) flux(stdin string, args ...string) (string, string, int) {
	in.t.Helper()
	cmd := exec.Command(filepath.Join(in.env.Bin, "flux"), args...)
	cmd.Env = in.environ()
	cmd.Dir = in.dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			in.t.Fatalf("flux %q: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errb.String(), code
}

// submit submits and returns the single id printed.
func (in *fluxInstance) submit(args ...string) string {
	in.t.Helper()
	out, errs, code := in.flux("", append([]string{"submit"}, args...)...)
	if code != 0 {
		in.t.Fatalf("flux submit %q: exit %d: %s", args, code, errs)
	}
	return strings.TrimSpace(out)
}

// record returns a job's flux jobs --json record, or nil when unknown.
func (in *fluxInstance) record(id string) map[string]any {
	in.t.Helper()
	out, errs, _ := in.flux("", "jobs", "--json", id)
	if strings.TrimSpace(out) == "" {
		if !strings.Contains(errs, "unknown") {
			in.t.Fatalf("flux jobs --json %s: %s", id, errs)
		}
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		in.t.Fatalf("flux jobs --json %s: %v: %s", id, err, out)
	}
	return m
}

// wait polls until the job is INACTIVE and returns its record.
func (in *fluxInstance) wait(id string) map[string]any {
	in.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := in.record(id)
		if m != nil && m["state"] == "INACTIVE" {
			return m
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("job %s did not end: %v", id, m)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// waitState polls until the job is in state.
func (in *fluxInstance) waitState(id, state string) {
	in.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := in.record(id); m != nil && m["state"] == state {
			return
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("job %s never reached %s", id, state)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (in *fluxInstance) write(name, content string) string {
	in.t.Helper()
	p := filepath.Join(in.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		in.t.Fatal(err)
	}
	return p
}

func str(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	s, _ := v.(string)
	return s
}
