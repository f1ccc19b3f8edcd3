package sgeexec

import (
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestFinalStatus(t *testing.T) {
	timed := handleState{TimeLimit: 5}
	mem := handleState{MemLimit: 300 << 20}
	both := handleState{TimeLimit: 600, MemLimit: 1 << 30}
	cases := []struct {
		name      string
		rec       acctRecord
		st        handleState
		cancelled bool
		state     pluginapi.State
		exit      int
		reason    string // a part of the reason
	}{
		{"true", acctRecord{Failed: 0, Exit: 0}, handleState{}, false, pluginapi.StateCompleted, 0, ""},
		{"exit 3", acctRecord{Failed: 0, Exit: 3}, handleState{}, false, pluginapi.StateFailed, 3, "exit status 3"},
		{"worker killed -9", acctRecord{Failed: 0, Exit: 137}, handleState{}, false, pluginapi.StateFailed, 137, "signal 9 (SIGKILL)"},
		{"worker segfault", acctRecord{Failed: 0, Exit: 139}, handleState{}, false, pluginapi.StateFailed, 139, "signal 11 (SIGSEGV)"},
		{"h_rt", acctRecord{Failed: 37, Exit: 137, Wallclock: 5}, timed, false, pluginapi.StateTimeout, 137, "time limit 5s"},
		{"h_rt, start/end only", acctRecord{Failed: 37, Exit: 137, Start: unix(100), End: unix(106)}, timed, false, pluginapi.StateTimeout, 137, "time limit"},
		{"summed h_vmem", acctRecord{Failed: 37, Exit: 137, Wallclock: 2, MaxVMem: 310 << 20}, mem, false, pluginapi.StateOutOfMemory, 137, "memory limit 300M"},
		{"h_vmem before h_rt", acctRecord{Failed: 37, Exit: 137, Wallclock: 30}, both, false, pluginapi.StateOutOfMemory, 137, "memory limit 1G"},
		{"h_cpu, time asked", acctRecord{Failed: 37, Exit: 137, Wallclock: 1}, timed, false, pluginapi.StateTimeout, 137, "h_rt, h_cpu or h_vmem"},
		{"site limit", acctRecord{Failed: 37, Exit: 137}, handleState{}, false, pluginapi.StateFailed, 137, "limit the site sets"},
		{"qdel by us", acctRecord{Failed: 100, Exit: 137}, handleState{}, true, pluginapi.StateCancelled, 137, "by reflow"},
		{"qdel by someone", acctRecord{Failed: 100, Exit: 137}, handleState{}, false, pluginapi.StateCancelled, 137, "deleted with qdel"},
		{"s_rt", acctRecord{Failed: 100, Exit: 138}, handleState{}, false, pluginapi.StateTimeout, 138, "s_rt"},
		{"s_cpu", acctRecord{Failed: 100, Exit: 152}, handleState{}, false, pluginapi.StateTimeout, 152, "CPU time"},
		{"whole job signalled", acctRecord{Failed: 100, Exit: 143}, handleState{}, false, pluginapi.StateFailed, 143, "signal 15 (SIGTERM)"},
		{"exit 100", acctRecord{Failed: 30, FailedText: "application error returned", Exit: 100}, handleState{}, false, pluginapi.StateFailed, 100, "Eqw"},
		{"output file", acctRecord{Failed: 26, FailedText: "opening input/output file"}, handleState{}, false, pluginapi.StateFailed, pluginapi.NoExitCode, "opening input/output file"},
		{"output file, from the file", acctRecord{Failed: 26}, handleState{}, false, pluginapi.StateFailed, pluginapi.NoExitCode, "failed 26 (opening input/output file)"},
		{"no shell", acctRecord{Failed: 27}, handleState{}, false, pluginapi.StateFailed, pluginapi.NoExitCode, "searching requested shell"},
		{"shepherd crash", acctRecord{Failed: 19}, handleState{}, false, pluginapi.StateNodeFail, pluginapi.NoExitCode, "lost the job"},
		{"rescheduled", acctRecord{Failed: 25}, handleState{}, false, pluginapi.StateNodeFail, pluginapi.NoExitCode, "rescheduling"},
		{"epilog", acctRecord{Failed: 15, Exit: 0}, handleState{}, false, pluginapi.StateFailed, 0, "in epilog"},
		{"unknown code", acctRecord{Failed: 77}, handleState{}, false, pluginapi.StateFailed, pluginapi.NoExitCode, "failed 77 (unknown failure)"},
		{"completed, cancel too late", acctRecord{Failed: 0, Exit: 0}, handleState{}, true, pluginapi.StateCompleted, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := finalStatus(tc.rec, tc.st, tc.cancelled)
			if got.State != tc.state || got.ExitCode != tc.exit || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("finalStatus = %s/exit %d %q; want %s/exit %d with %q", got.State, got.ExitCode, got.Reason, tc.state, tc.exit, tc.reason)
			}
			if tc.state == pluginapi.StateCompleted && got.Reason != "" {
				t.Errorf("a completed job has reason %q", got.Reason)
			}
			if tc.state != pluginapi.StateCompleted && got.Reason == "" {
				t.Error("a job that did not complete has no reason")
			}
			if got.NativeState == "" {
				t.Error("no native state")
			}
		})
	}
}

// TestFinalStatusRecorded maps the recorded qacct outputs.
func TestFinalStatusRecorded(t *testing.T) {
	for file, want := range map[string]pluginapi.State{
		"qacct/single-ok.txt":    pluginapi.StateCompleted,
		"qacct/timeout.txt":      pluginapi.StateTimeout, // -l h_rt=0:0:4
		"qacct/exit100.txt":      pluginapi.StateFailed,
		"qacct/eqw-array.txt":    pluginapi.StateFailed,
		"qacct/qdel-running.txt": pluginapi.StateCancelled,
	} {
		for _, r := range parseQacct(readTestdata(t, file)) {
			if got := finalStatus(r, handleState{TimeLimit: 4}, false); got.State != want {
				t.Errorf("%s task %d: %s (%s), want %s", file, r.Task, got.State, got.Reason, want)
			}
		}
	}
}
