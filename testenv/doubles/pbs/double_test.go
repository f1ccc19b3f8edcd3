package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRefusesWithoutState(t *testing.T) {
	t.Setenv("REFLOW_DOUBLE_STATE", "")
	var out, errb strings.Builder
	if code := run("qstat", nil, strings.NewReader(""), &out, &errb); code == 0 || !strings.Contains(errb.String(), "REFLOW_DOUBLE_STATE") {
		t.Errorf("exit %d, stderr %q; want a refusal naming REFLOW_DOUBLE_STATE", code, errb.String())
	}
}

// TestQsubOutput is checklist rule 8: the id alone on stdout, exit 0; -z
// prints nothing.
func TestQsubOutput(t *testing.T) {
	d := install(t)
	if id := d.submit("exit 0\n"); !regexp.MustCompile(`^[0-9]+\.pbs01$`).MatchString(id) {
		t.Errorf("plain job id %q", id)
	}
	if id := d.submit("exit 0\n", "-J", "0-2"); !regexp.MustCompile(`^[0-9]+\[\]\.pbs01$`).MatchString(id) {
		t.Errorf("array id %q", id)
	}
	if r := d.run("exit 0\n", "qsub", "-z"); r.code != 0 || r.stdout != "" {
		t.Errorf("qsub -z: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := d.run("", "qsub", "--version"); !strings.HasPrefix(r.stdout, "pbs_version = ") {
		t.Errorf("qsub --version: %q", r.stdout)
	}
	if r := d.run("", "qsub", "-J", "3"); r.code != 2 || !strings.HasPrefix(r.stderr, "qsub: illegal -J value\nusage: qsub") {
		t.Errorf("bad -J: exit %d %q", r.code, r.stderr)
	}
}

func TestQsubServerRefusals(t *testing.T) {
	d := install(t, "REFLOW_DOUBLE_PBS_MAX_WALLTIME=3600", "REFLOW_DOUBLE_PBS_MAX_QUEUED=2")
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"unknown queue", []string{"-q", "nosuch"}, "qsub: Unknown queue", 170},
		{"over the queue's walltime", []string{"-l", "walltime=02:00:00"}, "qsub: Job violates queue and/or server resource limits", 188},
		{"too many queued", []string{"-J", "0-2"}, "qsub: Maximum number of jobs already in queue", 187},
	}
	for _, tt := range tests {
		r := d.run("sleep 5\n", "qsub", tt.args...)
		if r.code != tt.code || strings.TrimSpace(r.stderr) != tt.want {
			t.Errorf("%s: exit %d %q, want %d %q", tt.name, r.code, r.stderr, tt.code, tt.want)
		}
	}
	d.submit("sleep 5\n", "-q", "workq")
}

// TestJobEnvironment: jobs start in $HOME with PBS's variables, output goes
// where -o says with ^array_index^ replaced, or to the default names.
func TestJobEnvironment(t *testing.T) {
	d := install(t)
	home, _ := os.UserHomeDir()
	script := "#PBS -N envtest\necho \"$PBS_JOBID|$PBS_O_WORKDIR|$PWD|${PBS_ARRAY_INDEX-}|${PBS_ARRAY_ID-}|$PBS_ENVIRONMENT\"\necho err >&2\n"
	id := d.submit(script)
	d.wait(id, "F")
	seq := strings.Split(id, ".")[0]
	out, err := os.ReadFile(filepath.Join(d.dir, "envtest.o"+seq))
	if err != nil {
		t.Fatal(err)
	}
	want := id + "|" + d.dir + "|" + home + "|||PBS_BATCH\n"
	if string(out) != want {
		t.Errorf("plain job printed %q, want %q", out, want)
	}
	if b, _ := os.ReadFile(filepath.Join(d.dir, "envtest.e"+seq)); string(b) != "err\n" {
		t.Errorf("stderr file holds %q", b)
	}

	aid := d.submit(script, "-J", "3-4", "-o", filepath.Join(d.dir, "a.^array_index^.out"))
	d.wait(aid, "F")
	aseq := strings.Split(aid, "[")[0]
	for _, i := range []string{"3", "4"} {
		out, _ := os.ReadFile(filepath.Join(d.dir, "a."+i+".out"))
		want := aseq + "[" + i + "].pbs01|" + d.dir + "|" + home + "|" + i + "|" + aid + "|PBS_BATCH\n"
		if string(out) != want {
			t.Errorf("subjob %s printed %q, want %q", i, out, want)
		}
		if _, err := os.Stat(filepath.Join(d.dir, "envtest.e"+aseq+"."+i)); err != nil {
			t.Errorf("default stderr name for subjob %s: %v", i, err)
		}
	}
}

func TestTorqueEnvironment(t *testing.T) {
	d := install(t, "REFLOW_DOUBLE_PBS_DIALECT=torque")
	id := d.submit("#PBS -N tq\necho \"$PBS_ARRAYID $PWD\"\n", "-t", "5", "-d", "/tmp")
	seq := strings.Split(id, "[")[0]
	deadline := time.Now().Add(10 * time.Second)
	var out []byte
	for time.Now().Before(deadline) {
		if out, _ = os.ReadFile(filepath.Join(d.dir, "tq.o"+seq+"-5")); len(out) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if string(out) != "5 /tmp\n" {
		t.Errorf("Torque subjob printed %q", out)
	}
	r := d.run("", "qstat", "-f", "-t", id)
	if !strings.Contains(r.stdout, "Job Id: "+seq+"[5].pbs01") {
		t.Errorf("qstat -f -t lists no subjob:\n%s", r.stdout)
	}
	if r := d.run("", "qstat", "-f", "-F", "json", id); r.code != 2 {
		t.Errorf("Torque qstat -F: exit %d", r.code)
	}
}

// TestWalltime: the double kills a job at its walltime and reports it as
// the version does: -29 from 22.05, the signal before, -11 on Torque.
func TestWalltime(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings []string
		exit     int
		state    string
	}{
		{"23.06", nil, -29, "F"},
		{"20.0", []string{"REFLOW_DOUBLE_PBS_VERSION=20.0.1"}, 271, "F"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := install(t, tc.settings...)
			id := d.submit("sleep 30\n", "-l", "walltime=1")
			j := d.wait(id, tc.state)
			if e, _ := num(j["Exit_status"]); e != tc.exit {
				t.Errorf("Exit_status %v, want %d", j["Exit_status"], tc.exit)
			}
		})
	}
	t.Run("torque", func(t *testing.T) {
		d := install(t, "REFLOW_DOUBLE_PBS_DIALECT=torque")
		id := d.submit("sleep 30\n", "-l", "walltime=1")
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			r := d.run("", "qstat", "-f", id)
			if strings.Contains(r.stdout, "exit_status = -11") {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Error("Torque job never ended with exit_status -11")
	})
}

// TestDependencies: afterok holds a job in H until its target succeeds; a
// dependency that can never hold deletes the job (F, no Exit_status), and
// so does an unknown target, right after qsub printed the id.
func TestDependencies(t *testing.T) {
	d := install(t)
	marker := filepath.Join(d.dir, "ran")
	good := d.submit("sleep 1\n")
	bad := d.submit("sleep 0.5; exit 1\n")
	after := d.submit("date +%s.%N > "+marker+".ok\n", "-W", "depend=afterok:"+good)
	if j := d.jobs(after)[after]; j["job_state"] != "H" {
		t.Errorf("dependent of a running job is %v, want H", j["job_state"])
	}
	never := d.submit("touch "+marker+".never\n", "-W", "depend=afterok:"+bad)
	anyID := d.submit("touch "+marker+".any\n", "-W", "depend=afterany:"+bad)
	unknown := d.submit("touch "+marker+".unknown\n", "-W", "depend=afterok:99999.pbs01")

	d.wait(after, "F")
	if _, err := os.Stat(marker + ".ok"); err != nil {
		t.Errorf("afterok dependent of a good job did not run: %v", err)
	}
	j := d.wait(never, "F")
	if _, has := j["Exit_status"]; has {
		t.Errorf("dependent deleted for afterok has Exit_status %v", j["Exit_status"])
	}
	if _, err := os.Stat(marker + ".never"); err == nil {
		t.Error("afterok dependent of a failed job ran")
	}
	d.wait(anyID, "F")
	if _, err := os.Stat(marker + ".any"); err != nil {
		t.Errorf("afterany dependent of a failed job did not run: %v", err)
	}
	j = d.wait(unknown, "F")
	if sub, _ := num(j["substate"]); sub != 91 {
		t.Errorf("job with an unknown dependency: substate %v, want 91", j["substate"])
	}
}

// TestArrayExitStatus: the parent's Exit_status is the last subjob's to
// finish (as seen on 23.06), or the documented 0/1/2 with ARRAY_EXIT=doc.
func TestArrayExitStatus(t *testing.T) {
	script := "if [ \"$PBS_ARRAY_INDEX\" = 0 ]; then exit 1; fi; sleep 0.5; exit 0\n"
	for _, tc := range []struct {
		mode string
		want int
	}{{"last", 0}, {"doc", 1}} {
		t.Run(tc.mode, func(t *testing.T) {
			d := install(t, "REFLOW_DOUBLE_PBS_ARRAY_EXIT="+tc.mode)
			id := d.submit(script, "-J", "0-1")
			j := d.wait(id, "F")
			if e, _ := num(j["Exit_status"]); e != tc.want {
				t.Errorf("parent Exit_status %v, want %d", j["Exit_status"], tc.want)
			}
			seq := strings.Split(id, "[")[0]
			if e, _ := num(d.jobs(id)[seq+"[0].pbs01"]["Exit_status"]); e != 1 {
				t.Errorf("subjob 0 Exit_status %d, want 1", e)
			}
		})
	}
}

// TestThrottle: -J 0-3%1 runs one subjob at a time.
func TestThrottle(t *testing.T) {
	d := install(t)
	script := "printf '%s ' \"$EPOCHREALTIME\" >> " + filepath.Join(d.dir, "spans") + ".$PBS_ARRAY_INDEX; sleep 0.3; printf '%s\\n' \"$EPOCHREALTIME\" >> " + filepath.Join(d.dir, "spans") + ".$PBS_ARRAY_INDEX\n"
	id := d.submit(script, "-J", "0-3%1")
	d.wait(id, "F")
	type span struct{ start, end float64 }
	var spans []span
	for i := 0; i < 4; i++ {
		b, err := os.ReadFile(filepath.Join(d.dir, "spans."+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(b))
		s, _ := strconv.ParseFloat(f[0], 64)
		e, _ := strconv.ParseFloat(f[1], 64)
		spans = append(spans, span{s, e})
	}
	for i := range spans {
		for k := range spans {
			if i != k && spans[i].start < spans[k].end && spans[k].start < spans[i].end {
				t.Errorf("subjobs %d and %d overlap under %%1: %v %v", i, k, spans[i], spans[k])
			}
		}
	}
}
