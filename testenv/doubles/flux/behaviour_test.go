package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJobLifecycle checks that jobs really run and end the way Flux
// reports them: results, return codes, exceptions and keys left out
// while unset.
func TestJobLifecycle(t *testing.T) {
	in := newInstance(t)
	ok := in.submit("--output="+in.dir+"/ok.out", "bash", "-c", `echo "id=$FLUX_JOB_ID cc=${FLUX_JOB_CC-unset} pwd=$PWD"`)
	fail := in.submit("--output="+in.dir+"/fail.out", "--error="+in.dir+"/fail.err", "bash", "-c", "echo oops >&2; exit 3")
	slow := in.submit("-t", "1s", "sleep", "30")
	long := in.submit("sleep", "30")
	held := in.submit("--urgency=hold", "true")

	if m := in.record(held); m["state"] != "SCHED" || m["result"] != nil || m["returncode"] != nil || m["waitstatus"] != nil {
		t.Errorf("a held job's record: %v; want SCHED without result, returncode, waitstatus", m)
	}
	m := in.wait(ok)
	if m["result"] != "COMPLETED" || str(m["returncode"]) != "0" || m["success"] != true {
		t.Errorf("exit 0: %v", m)
	}
	got, _ := os.ReadFile(in.dir + "/ok.out")
	if want := "id=" + ok + " cc=unset pwd=" + in.dir + "\n"; string(got) != want {
		t.Errorf("ok.out = %q, want %q", got, want)
	}
	m = in.wait(fail)
	if m["result"] != "FAILED" || str(m["returncode"]) != "3" || str(m["inactive_reason"]) != "Exit 3" {
		t.Errorf("exit 3: %v", m)
	}
	if got, _ := os.ReadFile(in.dir + "/fail.err"); string(got) != "oops\n" {
		t.Errorf("fail.err = %q", got)
	}
	m = in.wait(slow)
	x, _ := m["exception"].(map[string]any)
	if m["result"] != "TIMEOUT" || str(m["returncode"]) != "142" || x["type"] != "timeout" || x["note"] != "resource allocation expired" {
		t.Errorf("time limit: %v", m)
	}
	in.waitState(long, "RUN")
	if _, errs, code := in.flux("", "cancel", "-m", "enough", long, held); code != 0 || errs != "" {
		t.Errorf("flux cancel: exit %d %q; want silent success", code, errs)
	}
	m = in.wait(long)
	if m["result"] != "CANCELED" || str(m["returncode"]) != "143" || str(m["inactive_reason"]) != "Canceled: enough" {
		t.Errorf("cancelled while running: %v", m)
	}
	m = in.wait(held)
	if m["result"] != "CANCELED" || str(m["returncode"]) != "-128" || m["waitstatus"] != nil {
		t.Errorf("cancelled while pending: %v", m)
	}
	_, errs, code := in.flux("", "cancel", long)
	if code != 1 || !strings.Contains(errs, "flux-cancel: ERROR: "+long+": job is inactive") {
		t.Errorf("cancel of an inactive job: exit %d %q", code, errs)
	}
	infeasible := in.submit("-N", "99", "true")
	m = in.wait(infeasible)
	x, _ = m["exception"].(map[string]any)
	if m["result"] != "FAILED" || str(m["returncode"]) != "1" || x["type"] != "alloc" {
		t.Errorf("a request that never fits: %v", m)
	}
}

// TestDependencies checks dependency release, never-satisfiable
// dependents, and the refusals at submission.
func TestDependencies(t *testing.T) {
	in := newInstance(t)
	// The upstreams wait for a go file, so the dependents are submitted
	// while they still run, however slow the machine.
	gate := "while [ ! -e " + in.dir + "/go ]; do sleep 0.05; done; "
	up := in.submit("bash", "-c", gate+"date +%s.%N > "+in.dir+"/up")
	bad := in.submit("bash", "-c", gate+"exit 1")
	dn := in.submit("--dependency=afterok:"+up, "bash", "-c", "date +%s.%N > "+in.dir+"/dn")
	never := in.submit("--dependency=afterok:"+bad, "touch", in.dir+"/never")
	anyd := in.submit("--dependency=afterany:"+bad, "true")
	notok := in.submit("--dependency=afternotok:"+up, "true")
	if m := in.record(dn); m["state"] != "DEPEND" || !strings.Contains(strings.Join(list(m["dependencies"]), ","), "after-success="+up) {
		t.Errorf("a waiting dependent: %v", m)
	}
	in.write("go", "")
	if m := in.wait(dn); m["result"] != "COMPLETED" {
		t.Errorf("afterok of a good upstream: %v", m)
	}
	a, _ := os.ReadFile(in.dir + "/up")
	b, _ := os.ReadFile(in.dir + "/dn")
	if string(b) < string(a) {
		t.Errorf("the dependent ran at %s, before its upstream ended at %s", b, a)
	}
	m := in.wait(never)
	x, _ := m["exception"].(map[string]any)
	if m["result"] != "FAILED" || str(m["returncode"]) != "1" || x["type"] != "dependency" || !strings.Contains(str(x["note"]), "can never be satisfied") {
		t.Errorf("afterok of a failed upstream: %v", m)
	}
	if _, err := os.Stat(in.dir + "/never"); err == nil {
		t.Errorf("the afterok dependent of a failed job ran")
	}
	if m := in.wait(anyd); m["result"] != "COMPLETED" {
		t.Errorf("afterany of a failed upstream: %v", m)
	}
	if m := in.wait(notok); m["result"] != "FAILED" {
		t.Errorf("afternotok of a good upstream: %v", m)
	}
	// Refused at submission: the upstream already ended the wrong way.
	for _, c := range []struct{ dep, text string }{
		{"afterok:" + bad, "dependency: afterok: job " + bad + " failed or was canceled"},
		{"afternotok:" + up, "dependency: afternotok: job " + up + " succeeded"},
	} {
		if _, errs, code := in.flux("", "submit", "--dependency="+c.dep, "true"); code != 1 || !strings.Contains(errs, c.text) {
			t.Errorf("--dependency=%s: exit %d %q; want %q", c.dep, code, errs, c.text)
		}
	}
	// Any encoding of the id is accepted.
	dec, _, _ := in.flux("", "job", "id", "--to=dec", up)
	hex, _, _ := in.flux("", "job", "id", "--to=dothex", up)
	for _, id := range []string{strings.TrimSpace(dec), strings.TrimSpace(hex), "job." + strings.TrimSpace(hex), "ƒ" + up[1:]} {
		if _, errs, code := in.flux("", "submit", "--dependency=afterany:"+id, "true"); code != 0 {
			t.Errorf("--dependency=afterany:%s: exit %d %q", id, code, errs)
		}
	}
}

func list(v any) []string {
	var out []string
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			out = append(out, str(x))
		}
	}
	return out
}

// TestCC checks bulk submission: {cc} in options and the command,
// FLUX_JOB_CC for --cc only, and shuffled id lines.
func TestCC(t *testing.T) {
	in := newInstance(t)
	out, errs, code := in.flux("", "submit", "--cc=3-5", "--job-name=el-{cc}", "--output="+in.dir+"/cc.{cc}.out",
		"bash", "-c", `echo "cc=$FLUX_JOB_CC arg=$0"`, "{cc}")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ids := strings.Fields(out)
	if len(ids) != 3 {
		t.Fatalf("printed %q", out)
	}
	names := map[string]bool{}
	for _, id := range ids {
		m := in.wait(id)
		names[str(m["name"])] = true
	}
	for i := 3; i <= 5; i++ {
		n := "el-" + string(rune('0'+i))
		if !names[n] {
			t.Errorf("no job named %s among %v", n, names)
		}
		got, _ := os.ReadFile(filepath.Join(in.dir, "cc."+string(rune('0'+i))+".out"))
		if want := "cc=" + string(rune('0'+i)) + " arg=" + string(rune('0'+i)) + "\n"; string(got) != want {
			t.Errorf("cc.%d.out = %q, want %q", i, got, want)
		}
	}
	out, _, _ = in.flux("", "submit", "--bcc=0", "--output="+in.dir+"/bcc.out", "bash", "-c", `echo "cc=[$FLUX_JOB_CC]"`)
	in.wait(strings.TrimSpace(out))
	if got, _ := os.ReadFile(in.dir + "/bcc.out"); string(got) != "cc=[]\n" {
		t.Errorf("--bcc set FLUX_JOB_CC: %q", got)
	}
}

// TestBatch checks flux batch: directives apply, the command line wins,
// the script runs once with its arguments, FLUX_JOB_ID is empty, and the
// default output is flux-{{id}}.out in the working directory.
func TestBatch(t *testing.T) {
	in := newInstance(t)
	script := in.write("job.sh", "#!/bin/bash\n# flux: -n 2\n# flux: --job-name=from-directive\n# flux: -t 5m\necho \"args=$* jobid=[${FLUX_JOB_ID-}] size=$FLUX_JOB_SIZE\"\n")
	out, errs, code := in.flux("", "batch", "--job-name=from-cli", script, "a", "b")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	id := strings.TrimSpace(out)
	m := in.wait(id)
	if m["name"] != "from-cli" || str(m["ntasks"]) != "2" || str(m["duration"]) != "300" {
		t.Errorf("batch record: %v", m)
	}
	got, _ := os.ReadFile(filepath.Join(in.dir, "flux-"+id+".out"))
	if string(got) != "args=a b jobid=[] size=2\n" {
		t.Errorf("flux-%s.out = %q", id, got)
	}
	// A flux submit script's directives are ordinary comments.
	id = in.submit("--output="+in.dir+"/sub.out", "bash", in.write("sub.sh", "#!/bin/bash\n# flux: -N 99\necho ran\n"))
	if m := in.wait(id); m["result"] != "COMPLETED" {
		t.Errorf("flux submit of a script with directives: %v", m)
	}
}

// TestJobsOutput checks flux jobs: a bare object for one id, a list for
// several, unknown ids on stderr, and the exit status by release.
func TestJobsOutput(t *testing.T) {
	for _, c := range []struct {
		version  string
		noneExit int
	}{{"0.79.0", 0}, {"0.80.0", 1}} {
		t.Run(c.version, func(t *testing.T) {
			in := newInstance(t, "REFLOW_DOUBLE_FLUX_VERSION="+c.version)
			id := in.submit("true")
			in.wait(id)
			out, errs, code := in.flux("", "jobs", "--json", "123456")
			if out != "" || errs != "JobID 123456 unknown\n" || code != c.noneExit {
				t.Errorf("one unknown id: out %q err %q exit %d; want nothing, JobID 123456 unknown, exit %d", out, errs, code, c.noneExit)
			}
			out, errs, code = in.flux("", "jobs", "--json", id, "123456")
			if !strings.HasPrefix(out, `{"jobs":[{`) || errs != "JobID 123456 unknown\n" || code != 0 {
				t.Errorf("known and unknown: out %q err %q exit %d", out, errs, code)
			}
			out, _, _ = in.flux("", "jobs", "-n", "-o", "{id.f58}|{state}|{result}|{returncode}|{exception.type}", id)
			if out != id+"|INACTIVE|COMPLETED|0|\n" {
				t.Errorf("text format: %q", out)
			}
			if _, errs, code := in.flux("", "jobs", "-o", "{nosuch}", id); code != 1 || !strings.Contains(errs, "nosuch") {
				t.Errorf("unknown field: exit %d %q", code, errs)
			}
		})
	}
}

// TestHistory checks that inactive jobs are purged after
// REFLOW_DOUBLE_HISTORY, as inactive-age-limit makes Flux do.
func TestHistory(t *testing.T) {
	in := newInstance(t, "REFLOW_DOUBLE_HISTORY=1500ms")
	id := in.submit("true")
	in.wait(id)
	time.Sleep(2 * time.Second)
	if m := in.record(id); m != nil {
		t.Errorf("a job inactive for longer than the history is still listed: %v", m)
	}
	if _, errs, code := in.flux("", "submit", "--dependency=afterany:"+id, "true"); code != 1 || !strings.Contains(errs, "job not found") {
		t.Errorf("dependency on a purged job: exit %d %q", code, errs)
	}
}

// TestLimit checks the emulated flux-accounting limit on active jobs.
func TestLimit(t *testing.T) {
	in := newInstance(t, "REFLOW_DOUBLE_MAX_ACTIVE=2")
	in.submit("sleep", "5")
	out, errs, code := in.flux("", "submit", "--cc=0-2", "sleep", "5")
	if code != 1 || len(strings.Fields(out)) != 1 || !strings.Contains(errs, "user has max active jobs") {
		t.Errorf("over the limit: out %q err %q exit %d; want one id and two refusals", out, errs, code)
	}
}

// TestLostShell checks that jobs a killed broker was running fail the way
// Flux fails a job whose shell it lost.
func TestLostShell(t *testing.T) {
	in := newInstance(t)
	id := in.submit("sleep", "30")
	in.waitState(id, "RUN")
	pid, err := brokerPid(in)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
	time.Sleep(100 * time.Millisecond)
	in.submit("true") // starts a new broker, which finds the lost job
	m := in.wait(id)
	x, _ := m["exception"].(map[string]any)
	if m["result"] != "FAILED" || x["type"] != "exec" || !strings.Contains(str(x["note"]), "lost contact") {
		t.Errorf("a job whose broker died: %v", m)
	}
}

// brokerPid finds the broker from its log's last start line.
func brokerPid(in *fluxInstance) (int, error) {
	b, err := os.ReadFile(filepath.Join(in.env.State, "broker.log"))
	if err != nil {
		return 0, err
	}
	pid := 0
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "broker["); i >= 0 && strings.Contains(l, "started") {
			rest := l[i+len("broker["):]
			n := 0
			for _, c := range rest {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int(c-'0')
			}
			pid = n
		}
	}
	return pid, nil
}
