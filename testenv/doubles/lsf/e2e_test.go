package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles"
	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsftest"
)

// cluster runs the real double binary, as the plugin does.
type lsf struct {
	t    *testing.T
	env  []string
	dir  string
	vars doubles.Env
}

func newLSF(t *testing.T, extra ...string) *lsf {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the double and runs jobs")
	}
	d := lsftest.Install(t)
	env := append(os.Environ(), d.Vars()...)
	env = append(env, "REFLOW_DOUBLE_MINUTE=1s", "REFLOW_DOUBLE_KILL_GRACE=500ms", "REFLOW_DOUBLE_TICK=20ms")
	return &lsf{t: t, env: append(env, extra...), dir: t.TempDir(), vars: d}
}

func (l *lsf) run(stdin, name string, args ...string) (int, string, string) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(l.vars.Bin, name), args...)
	cmd.Env, cmd.Dir = l.env, l.dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return code, out.String(), errb.String()
}

var submitted = regexp.MustCompile(`^Job <([0-9]+)> is submitted to (default )?queue <normal>\.\n$`)

func (l *lsf) submit(script string, args ...string) string {
	l.t.Helper()
	code, out, errs := l.run(script, "bsub", args...)
	m := submitted.FindStringSubmatch(out)
	if code != 0 || m == nil {
		l.t.Fatalf("bsub %q: exit %d, stdout %q, stderr %q", args, code, out, errs)
	}
	return m[1]
}

// states returns "index:STAT:exit:reason" per element of id, by index.
func (l *lsf) states(id string) map[string]string {
	l.t.Helper()
	_, out, _ := l.run("", "bjobs", "-a", "-noheader", "-o", "jobindex stat exit_code exit_reason delimiter='|'", id)
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Split(line, "|"); len(f) == 4 {
			reason, _, _ := strings.Cut(f[3], ":")
			got[f[0]] = f[1] + "/" + f[2] + "/" + reason
		}
	}
	return got
}

// wait polls until no element of the ids pends or runs (want lists the
// states that count as final).
func (l *lsf) wait(ids ...string) map[string]map[string]string {
	l.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		all := map[string]map[string]string{}
		done := true
		for _, id := range ids {
			all[id] = l.states(id)
			for _, s := range all[id] {
				if !strings.HasPrefix(s, "DONE") && !strings.HasPrefix(s, "EXIT") {
					done = false
				}
			}
		}
		if done {
			return all
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("jobs %v did not finish: %v", ids, all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *lsf) read(name string) string {
	b, _ := os.ReadFile(filepath.Join(l.dir, name))
	return string(b)
}

func TestArrayRunsWithLSFEnvironment(t *testing.T) {
	l := newLSF(t)
	script := `#!/bin/bash
#BSUB -J "arr[1-5:2]%1"
#BSUB -o out.%J.%I
#BSUB -e err.%J.%I
echo "index=$LSB_JOBINDEX end=$LSB_JOBINDEX_END step=$LSB_JOBINDEX_STEP id=$LSB_JOBID name=$LSB_JOBNAME pwd=$PWD"
echo oops >&2
printf '%s %s\n' "${EPOCHREALTIME}" start >> "times.$LSB_JOBINDEX"; sleep 0.2; printf '%s %s\n' "${EPOCHREALTIME}" end >> "times.$LSB_JOBINDEX"
`
	id := l.submit(script)
	got := l.wait(id)[id]
	want := map[string]string{"1": "DONE/-/-", "3": "DONE/-/-", "5": "DONE/-/-"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("states %v, want %v", got, want)
	}
	for _, i := range []string{"1", "3", "5"} {
		out := l.read("out." + id + "." + i)
		line := fmt.Sprintf("index=%s end=5 step=2 id=%s name=arr[%s] pwd=%s", i, id, i, l.dir)
		if !strings.HasPrefix(out, line+"\n") || !strings.Contains(out, "Successfully completed.") {
			t.Errorf("out.%s.%s = %q, want it to start with %q and end with the job report", id, i, out, line)
		}
		if e := l.read("err." + id + "." + i); e != "oops\n" {
			t.Errorf("err.%s.%s = %q", id, i, e)
		}
	}
	// %1: never two elements at once.
	var spans [][2]float64
	for _, i := range []string{"1", "3", "5"} {
		f := strings.Fields(l.read("times." + i))
		a, _ := strconv.ParseFloat(f[0], 64)
		b, _ := strconv.ParseFloat(f[2], 64)
		spans = append(spans, [2]float64{a, b})
	}
	for i := range spans {
		for k := range spans {
			if i != k && spans[i][0] < spans[k][0] && spans[k][0] < spans[i][1] {
				t.Errorf("elements overlap under %%1: %v", spans)
			}
		}
	}
}

func TestDependencies(t *testing.T) {
	l := newLSF(t)
	stamp := "#!/bin/bash\nprintf '%s' \"${EPOCHREALTIME}\" > \"$1stamp.$LSB_JOBID.$LSB_JOBINDEX\"\n"
	ok := l.submit("#!/bin/bash\nsleep 0.3\n")
	bad := l.submit("#!/bin/bash\nsleep 0.3\nexit 4\n")
	afterOK := l.submit(stamp, "-w", "done("+ok+")")
	never := l.submit(stamp, "-w", "done("+bad+")")
	afterAny := l.submit(stamp, "-w", "ended("+bad+")")
	anyOf := l.submit(stamp, "-w", "done("+bad+") || done("+ok+")")
	up := l.submit("#!/bin/bash\nsleep 0.$((4 - LSB_JOBINDEX))\nexit $((LSB_JOBINDEX == 2))\n", "-J", "up[1-3]")
	ew := l.submit(stamp, "-J", "down[1-3]", "-w", "done(up[*])")

	got := l.wait(ok, bad, afterOK, afterAny, anyOf, up)
	if got[bad]["0"] != "EXIT/4/-" || got[afterAny]["0"] != "DONE/-/-" || got[afterOK]["0"] != "DONE/-/-" || got[anyOf]["0"] != "DONE/-/-" {
		t.Errorf("states: %v", got)
	}
	time.Sleep(300 * time.Millisecond)
	if s := l.states(never)["0"]; s != "PEND/-/-" {
		t.Errorf("done() of a failed job: %s, want PEND (LSF never ends it by itself)", s)
	}
	_, out, _ := l.run("", "bjobs", "-noheader", "-o", "pend_reason delimiter='|'", never)
	if strings.TrimSpace(out) != "Dependency condition invalid or never satisfied" {
		t.Errorf("pend_reason %q", out)
	}
	// Element-wise: elements 1 and 3 ran, 2 (its upstream failed) pends.
	if s := l.states(ew); s["1"] != "DONE/-/-" || s["3"] != "DONE/-/-" || s["2"] != "PEND/-/-" {
		t.Errorf("element-wise states %v", s)
	}
	l.run("", "bkill", never, ew+"[2]")
}

func TestRunLimitAndBkill(t *testing.T) {
	l := newLSF(t)
	slow := l.submit("#!/bin/bash\nsleep 30\n", "-W", "1")
	long := l.submit("#!/bin/bash\nsleep 30\n")
	pend := l.submit("#!/bin/bash\ntrue\n", "-H")
	deadline := time.Now().Add(10 * time.Second)
	for l.states(long)["0"] != "RUN/-/-" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if code, out, _ := l.run("", "bkill", long, pend); code != 0 || out != fmt.Sprintf("Job <%s> is being terminated\nJob <%s> is being terminated\n", long, pend) {
		t.Errorf("bkill: %d %q", code, out)
	}
	got := l.wait(slow, long, pend)
	if got[slow]["0"] != "EXIT/140/TERM_RUNLIMIT" {
		t.Errorf("job past -W 1: %s, want EXIT/140/TERM_RUNLIMIT", got[slow]["0"])
	}
	if s := got[long]["0"]; s != "EXIT/130/TERM_OWNER" && s != "EXIT/143/TERM_OWNER" {
		t.Errorf("killed running job: %s, want EXIT/130 or 143/TERM_OWNER", s)
	}
	if s := got[pend]["0"]; s != "EXIT/-/TERM_OWNER" {
		t.Errorf("killed pending job: %s, want EXIT/-/TERM_OWNER", s)
	}
}

func TestMemLimit(t *testing.T) {
	l := newLSF(t)
	id := l.submit("#!/bin/bash\nx=$(head -c 80000000 /dev/zero | tr '\\0' a)\nsleep 30\n", "-M", "20M")
	got := l.wait(id)[id]["0"]
	if !strings.HasPrefix(got, "EXIT/") || !strings.HasSuffix(got, "/TERM_MEMLIMIT") {
		t.Errorf("job over -M: %s, want EXIT with TERM_MEMLIMIT", got)
	}
}

func TestHistoryAgesOut(t *testing.T) {
	l := newLSF(t, "REFLOW_DOUBLE_HISTORY=1s")
	id := l.submit("#!/bin/bash\ntrue\n")
	l.wait(id)
	time.Sleep(1500 * time.Millisecond)
	code, out, errs := l.run("", "bjobs", "-a", id)
	if code != 255 || out != "" || errs != "Job <"+id+"> is not found\n" {
		t.Errorf("bjobs of an aged-out job: %d %q %q", code, out, errs)
	}
	if code, _, errs := l.run("#!/bin/bash\ntrue\n", "bsub", "-w", "done("+id+")"); code != 255 || !strings.Contains(errs, "No matching job found") {
		t.Errorf("dependency on an aged-out job: %d %q", code, errs)
	}
}

// TestPendingThresholdRetries: without LSB_NTRIES, bsub keeps retrying a
// submission a limit refuses, as LSF does: a client that does not set it
// hangs.
func TestPendingThresholdRetries(t *testing.T) {
	l := newLSF(t, "REFLOW_DOUBLE_MAX_PEND=1")
	l.submit("#!/bin/bash\ntrue\n", "-H")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(l.vars.Bin, "bsub"))
	cmd.Env, cmd.Stdin = l.env, strings.NewReader("#!/bin/bash\ntrue\n")
	out, _ := cmd.CombinedOutput()
	if ctx.Err() == nil {
		t.Errorf("bsub over the pending threshold returned: %q", out)
	}
	l.env = append(l.env, "LSB_NTRIES=2")
	if code, _, errs := l.run("#!/bin/bash\ntrue\n", "bsub"); code != 255 || !strings.Contains(errs, "Pending job threshold reached. Job not submitted.") {
		t.Errorf("with LSB_NTRIES=2: %d %q", code, errs)
	}
}
