package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// invoke runs one command of the double in-process (nothing is started in
// the background: env.exe is empty) and returns its exit status and output.
func invoke(t *testing.T, state string, vars map[string]string, cmd string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	getenv := func(k string) string { return vars[k] }
	e := env{state: state, getenv: getenv, cwd: state, environ: []string{"PATH=/usr/bin:/bin"}}
	var out, errb bytes.Buffer
	code := run(cmd, args, e, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const okScript = "#!/bin/bash\necho hello\n"

// TestBsubChecklist feeds bsub one known-bad command line per rule of the
// facts page's checklist (§6) and checks the text and exit status; the
// grammar itself is tested in lsfsyntax, this is the command around it.
func TestBsubChecklist(t *testing.T) {
	state := t.TempDir()
	// A job to depend on.
	if code, out, errs := invoke(t, state, nil, "bsub", okScript); code != 0 || out != "Job <101> is submitted to default queue <normal>.\n" {
		t.Fatalf("first submission: %d %q %q", code, out, errs)
	}
	tests := []struct {
		name  string
		vars  map[string]string
		stdin string
		args  []string
		want  string
	}{
		{"1 missing value", nil, okScript, []string{"-o"}, "Job not submitted."},
		{"1 missing value in #BSUB", nil, "#BSUB -n\necho\n", nil, "Job not submitted."},
		{"1 unknown flag", nil, okScript, []string{"--time", "5"}, "invalid option"},
		{"2 walltime seconds", nil, okScript, []string{"-W", "0:10:00"}, "0:10:00: Bad RUNLIMIT specification. Job not submitted."},
		{"2 walltime in #BSUB", nil, "#BSUB -W 1d\necho\n", nil, "Bad RUNLIMIT specification"},
		{"3 memory decimal", nil, okScript, []string{"-M", "0.5G"}, "Bad memory limit specification. Job not submitted."},
		{"3 rusage decimal", nil, okScript, []string{"-R", "rusage[mem=0.5G]"}, "Bad resource requirement syntax. Job not submitted."},
		{"4 array from 0", nil, okScript, []string{"-J", "x[0-9]"}, "Job array index error. Job not submitted."},
		{"4 array too large", map[string]string{"MAX_JOB_ARRAY_SIZE": "10"}, okScript, []string{"-J", "x[1-11]"}, "Job array index too large. Job not submitted."},
		{"5 dependency syntax", nil, okScript, []string{"-w", "done(101"}, "done(101: Dependency condition syntax error. Job not submitted."},
		{"5 unknown parent", nil, okScript, []string{"-w", "done(101) && ended(4242)"}, "4242: No matching job found. Job not submitted."},
		{"5 unknown parent name", nil, okScript, []string{"-w", "done(nosuchname)"}, "nosuchname: No matching job found. Job not submitted."},
		{"5 element-wise on a plain job", nil, okScript, []string{"-J", "b[1-2]", "-w", "done(101[*])"}, "Job not submitted."},
		{"6 slots", nil, okScript, []string{"-n", "2,1"}, "Bad argument for option -n"},
		{"6 resreq brackets", nil, okScript, []string{"-R", "span[hosts=1"}, "Bad resource requirement syntax. Job not submitted."},
		{"7 empty script", nil, "#!/bin/bash\n#BSUB -q normal\n", nil, "No command is specified. Job not submitted."},
		{"queue", nil, okScript, []string{"-q", "badq"}, "badq: No such queue. Job not submitted."},
		{"pending threshold", map[string]string{"REFLOW_DOUBLE_MAX_PEND": "1", "LSB_NTRIES": "1"}, okScript, nil, "Pending job threshold reached. Job not submitted."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := invoke(t, state, tc.vars, "bsub", tc.stdin, tc.args...)
			if code != 255 || out != "" || !strings.Contains(errs, tc.want) {
				t.Errorf("bsub %q: exit %d, stdout %q, stderr %q; want 255 and stderr containing %q", tc.args, code, out, errs, tc.want)
			}
		})
	}
	// No rejected line took a job id: the next one is 102.
	if code, out, _ := invoke(t, state, nil, "bsub", okScript, "-q", "normal"); code != 0 || out != "Job <102> is submitted to queue <normal>.\n" {
		t.Errorf("submission after rejections: %d %q", code, out)
	}
}

// TestBsubDirectivesOnlyFromStdin is checklist item 7: #BSUB lines in a
// script named on the command line are a plain command's comments unless
// LSB_BSUB_PARSE_SCRIPT=Y.
func TestBsubDirectivesOnlyFromStdin(t *testing.T) {
	state := t.TempDir()
	path := state + "/job.sh"
	if err := os.WriteFile(path, []byte("#!/bin/bash\n#BSUB -J fromscript\necho\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	invoke(t, state, nil, "bsub", "", path)
	invoke(t, state, map[string]string{"LSB_BSUB_PARSE_SCRIPT": "Y"}, "bsub", "", path)
	_, out, _ := invoke(t, state, nil, "bjobs", "", "-noheader", "-o", "jobid job_name delimiter='|'", "101", "102")
	want := fmt.Sprintf("101|%s\n102|fromscript\n", path)
	if out != want {
		t.Errorf("job names: got %q, want %q", out, want)
	}
}

func TestBsubStderrAndNames(t *testing.T) {
	state := t.TempDir()
	code, out, errs := invoke(t, state, map[string]string{"BSUB_STDERR": "y"}, "bsub", okScript, "-J", "arr[1-4]%2")
	if code != 0 || out != "" || errs != "Job <101> is submitted to default queue <normal>.\n" {
		t.Errorf("BSUB_STDERR: %d %q %q", code, out, errs)
	}
	_, out, _ = invoke(t, state, nil, "bjobs", "", "-noheader", "-o", "jobid jobindex stat job_name delimiter=','", "101")
	want := "101,1,PEND,arr[1]\n101,2,PEND,arr[2]\n101,3,PEND,arr[3]\n101,4,PEND,arr[4]\n"
	if out != want {
		t.Errorf("array elements: got %q, want %q", out, want)
	}
}

// TestBjobsBkillPerIDErrors is checklist item 9.
func TestBjobsBkillPerIDErrors(t *testing.T) {
	state := t.TempDir()
	invoke(t, state, nil, "bsub", okScript)
	invoke(t, state, nil, "bsub", okScript, "-J", "a[1-3]")

	code, out, errs := invoke(t, state, nil, "bjobs", "", "-a", "-noheader", "-o", "jobid jobindex stat delimiter='|'", "999", "101", "102[2]", "102[7]", "998[1]")
	if code != 0 || out != "101|0|PEND\n102|2|PEND\n" || errs != "Job <999> is not found\nJob <102[7]> is not found\nJob array <998> is not found\n" {
		t.Errorf("bjobs with missing ids: %d %q %q", code, out, errs)
	}
	code, _, _ = invoke(t, state, map[string]string{"LSB_BJOBS_CONSISTENT_EXIT_CODE": "Y"}, "bjobs", "", "101", "999")
	if code != 255 {
		t.Errorf("bjobs with a missing id under LSB_BJOBS_CONSISTENT_EXIT_CODE=Y: exit %d, want 255", code)
	}
	code, out, errs = invoke(t, state, nil, "bjobs", "", "999")
	if code != 255 || out != "" || errs != "Job <999> is not found\n" {
		t.Errorf("bjobs of an unknown id: %d %q %q", code, out, errs)
	}
	code, out, _ = invoke(t, state, nil, "bjobs", "", "-json", "-o", "jobid stat", "999", "101")
	if code != 0 || !strings.Contains(out, `"ERROR": "Job <999> is not found"`) || !strings.Contains(out, `"JOBID": "101"`) {
		t.Errorf("bjobs -json with a missing id: %d %s", code, out)
	}

	code, out, errs = invoke(t, state, nil, "bkill", "", "101", "102[1]", "999")
	if code != 255 || out != "Job <101> is being terminated\nJob <102[1]> is being terminated\n" || errs != "Job <999>: No matching job found\n" {
		t.Errorf("bkill: %d %q %q", code, out, errs)
	}
	code, _, errs = invoke(t, state, nil, "bkill", "", "101")
	if code != 255 || errs != "Job <101>: Job has already finished\n" {
		t.Errorf("second bkill: %d %q", code, errs)
	}
	_, out, _ = invoke(t, state, nil, "bjobs", "", "-noheader", "-o", "jobid jobindex stat exit_reason delimiter='|'", "101", "102")
	want := "102|2|PEND|-\n102|3|PEND|-\n101|0|EXIT|TERM_OWNER: Job killed by owner\n102|1|EXIT|TERM_OWNER: Job killed by owner\n"
	if out != want {
		t.Errorf("after bkill: got %q, want %q", out, want)
	}
	for _, args := range [][]string{nil, {"0"}, {"-s"}} {
		if code, _, errs := invoke(t, state, nil, "bkill", "", args...); code != 255 || errs == "" {
			t.Errorf("bkill %q: exit %d, stderr %q; want a refusal", args, code, errs)
		}
	}
	if code, _, errs := invoke(t, state, nil, "bjobs", "", "-o", "jobid nosuchfield"); code != 255 || !strings.Contains(errs, "nosuchfield") {
		t.Errorf("bjobs -o with a bad field: %d %q", code, errs)
	}
}

func TestRefusesWithoutState(t *testing.T) {
	var out, errb bytes.Buffer
	code := run("bjobs", nil, env{getenv: func(string) string { return "" }}, strings.NewReader(""), &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "REFLOW_DOUBLE_STATE") {
		t.Errorf("without a state dir: exit %d, %q", code, errb.String())
	}
}
