package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQdel is checklist rule 10 and §5: silent on success, per-id errors,
// SIGTERM → 271 with substate 91 for a running job, no Exit_status for a
// queued one.
func TestQdel(t *testing.T) {
	d := install(t)
	running := d.submit("sleep 30\n")
	held := d.submit("sleep 30\n", "-W", "depend=afterok:"+running)
	d.wait(running, "R")
	if r := d.run("", "qdel", running, held); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("qdel: exit %d, %q %q; want silence", r.code, r.stdout, r.stderr)
	}
	j := d.wait(running, "F")
	if e, _ := num(j["Exit_status"]); e != 271 {
		t.Errorf("qdel of a running job: Exit_status %v, want 271", j["Exit_status"])
	}
	if s, _ := num(j["substate"]); s != 91 {
		t.Errorf("qdel of a running job: substate %v, want 91", j["substate"])
	}
	if j := d.wait(held, "F"); j["Exit_status"] != nil {
		t.Errorf("qdel of a queued job: Exit_status %v, want none", j["Exit_status"])
	}
	r := d.run("", "qdel", running, "424242.pbs01")
	if r.code != 153 || r.stderr != "qdel: Job has finished "+running+"\nqdel: Unknown Job Id 424242.pbs01\n" {
		t.Errorf("qdel of finished and unknown: exit %d %q", r.code, r.stderr)
	}
	if r := d.run("", "qdel", running); r.code != 35 {
		t.Errorf("qdel of a finished job: exit %d, want 35", r.code)
	}
}

// TestQstatErrors is checklist rule 9 and §4: conflicting options,
// unknown ids, finished jobs without -x, -E, and JSON without Jobs.
func TestQstatErrors(t *testing.T) {
	d := install(t)
	done := d.submit("exit 0\n")
	d.wait(done, "F")
	live := d.submit("sleep 30\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		jobs   []string // ids stdout must list
	}{
		{"-F without -f", []string{"-F", "json", live}, 2, "qstat: conflicting options.\n", nil},
		{"unknown id", []string{"-f", "777777.pbs01"}, 153, "qstat: Unknown Job Id 777777.pbs01\n", nil},
		{"finished without -x", []string{"-f", done}, 35, "qstat: " + done + " Job has finished, use -x or -H to obtain historical job information\n", nil},
		{"finished with -x", []string{"-x", "-f", done}, 0, "", []string{done}},
		{"unknown among known, without -E", []string{"-x", "-f", "777777.pbs01", live}, 153, "qstat: Unknown Job Id 777777.pbs01\n", []string{live}},
		{"unknown among known, with -E", []string{"-x", "-f", "-E", "777777.pbs01", live}, 0, "", []string{live}},
		{"malformed id", []string{"12x"}, 1, "qstat: illegally formed job identifier: 12x\n", nil},
	}
	for _, tt := range tests {
		r := d.run("", "qstat", tt.args...)
		if r.code != tt.code || r.stderr != tt.stderr {
			t.Errorf("%s: exit %d %q, want %d %q", tt.name, r.code, r.stderr, tt.code, tt.stderr)
		}
		for _, id := range tt.jobs {
			if !strings.Contains(r.stdout, "Job Id: "+id) {
				t.Errorf("%s: %s not listed:\n%s", tt.name, id, r.stdout)
			}
		}
	}
	r := d.run("", "qstat", "-f", "-F", "json", "777777.pbs01")
	if r.code != 153 || strings.Contains(r.stdout, "Jobs") || !strings.Contains(r.stdout, `"pbs_server":"pbs01"`) {
		t.Errorf("JSON for nothing: exit %d\n%s", r.code, r.stdout)
	}
	r = d.run("", "qstat", live)
	if !strings.Contains(r.stdout, "Job id") || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(live)+`\s+STDIN\s+\S+\s+\S+ R workq$`).MatchString(r.stdout) {
		t.Errorf("default format:\n%s", r.stdout)
	}
}

// TestHistory: without history -x is refused (36) and finished jobs are
// unknown at once; with a short history they vanish after it.
func TestHistory(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		d := install(t, "REFLOW_DOUBLE_PBS_HISTORY=off")
		id := d.submit("exit 0\n")
		if r := d.run("", "qstat", "-x", "-f", id); r.code != 36 || r.stderr != "qstat: PBS is not configured to maintain job history "+id+"\n" {
			t.Errorf("-x without history: exit %d %q", r.code, r.stderr)
		}
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if r := d.run("", "qstat", "-f", id); r.code == 153 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Error("a finished job stayed listed without history")
	})
	t.Run("short", func(t *testing.T) {
		d := install(t, "REFLOW_DOUBLE_HISTORY=1s")
		id := d.submit("exit 0\n")
		d.wait(id, "F")
		time.Sleep(1200 * time.Millisecond)
		if r := d.run("", "qstat", "-x", "-f", id); r.code != 153 {
			t.Errorf("after the history: exit %d %q, want 153", r.code, r.stderr)
		}
	})
}
