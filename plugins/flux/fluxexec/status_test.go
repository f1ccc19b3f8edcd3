package fluxexec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func rec(state, result string, rc *int, ran bool, exc ...string) record {
	r := record{ID: 1, State: state, Result: result, Returncode: rc}
	if ran {
		r.TRun, r.TInactive = 1700000000, 1700000010
	}
	if len(exc) > 0 {
		r.Exception.Occurred, r.Exception.Type = true, exc[0]
		if len(exc) > 1 {
			r.Exception.Note = exc[1]
		}
	}
	return r
}

func TestStatusOf(t *testing.T) {
	dir := t.TempDir()
	oom := filepath.Join(dir, "oom.err")
	os.WriteFile(oom, []byte("some output\nflux-shell[0]: ERROR: oom: Memory cgroup out of memory: killed 1 task.\n"), 0o644)
	plainKill := filepath.Join(dir, "kill.err")
	os.WriteFile(plainKill, []byte("nothing to see\n"), 0o644)
	held := rec("SCHED", "", nil, false)
	held.Urgency = ip(0)
	dep := rec("DEPEND", "", nil, false)
	dep.Dependencies = []string{"after-success=f2EET8W9RZwd"}

	tests := []struct {
		name   string
		r      record
		stderr string
		want   pluginapi.State
		exit   int
		reason string // a substring
	}{
		{"depend", dep, "", pluginapi.StatePending, -1, "after-success=f2EET8W9RZwd"},
		{"sched", rec("SCHED", "", nil, false), "", pluginapi.StatePending, -1, ""},
		{"priority", rec("PRIORITY", "", nil, false), "", pluginapi.StatePending, -1, ""},
		{"held", held, "", pluginapi.StatePending, -1, "urgency 0"},
		{"run", rec("RUN", "", nil, true), "", pluginapi.StateRunning, -1, ""},
		{"cleanup", rec("CLEANUP", "", nil, true), "", pluginapi.StateRunning, -1, ""},
		{"completed", rec("INACTIVE", "COMPLETED", ip(0), true), "", pluginapi.StateCompleted, 0, ""},
		{"exit 3", rec("INACTIVE", "FAILED", ip(3), true), "", pluginapi.StateFailed, 3, "exit status 3"},
		{"cancelled running", rec("INACTIVE", "CANCELED", ip(143), true, "cancel", "cancelled by reflow"), "", pluginapi.StateCancelled, 143, "cancelled by reflow"},
		{"cancelled pending", rec("INACTIVE", "CANCELED", ip(-128), false, "cancel"), "", pluginapi.StateCancelled, -1, "cancelled"},
		{"timeout", rec("INACTIVE", "TIMEOUT", ip(142), true, "timeout", "resource allocation expired"), "", pluginapi.StateTimeout, 142, "time limit"},
		{"dependency never", rec("INACTIVE", "FAILED", ip(1), false, "dependency", "dependency after-success=fX can never be satisfied"), "", pluginapi.StateFailed, -1, "can never be satisfied"},
		{"alloc", rec("INACTIVE", "FAILED", ip(1), false, "alloc", "unsatisfiable"), "", pluginapi.StateFailed, -1, "cannot allocate"},
		{"lost shell", rec("INACTIVE", "FAILED", ip(1), true, "exec", "lost contact with job shell on broker node7 (rank 3)"), "", pluginapi.StateNodeFail, 1, "lost contact"},
		{"node-failure", rec("INACTIVE", "FAILED", ip(143), true, "node-failure", "node3 died"), "", pluginapi.StateNodeFail, 143, "node failure"},
		{"other exception", rec("INACTIVE", "FAILED", ip(1), true, "exec", "task 0: start failed"), "", pluginapi.StateFailed, 1, "exception exec"},
		{"oom", rec("INACTIVE", "FAILED", ip(137), true), oom, pluginapi.StateOutOfMemory, 137, "out-of-memory"},
		{"sigkill not oom", rec("INACTIVE", "FAILED", ip(137), true), plainKill, pluginapi.StateFailed, 137, "signal 9"},
		{"sigkill no stderr", rec("INACTIVE", "FAILED", ip(137), true), filepath.Join(dir, "missing"), pluginapi.StateFailed, 137, "signal 9"},
		{"shell signalled", rec("INACTIVE", "FAILED", ip(-9), true), "", pluginapi.StateFailed, -1, "job shell was killed by signal 9"},
		{"odd result", rec("INACTIVE", "WEIRD", nil, true), "", pluginapi.StateFailed, -1, "WEIRD"},
		{"odd state", rec("LIMBO", "", nil, false), "", pluginapi.StateUnknown, -1, "LIMBO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := statusOf(tt.r, tt.stderr)
			if st.State != tt.want || st.ExitCode != tt.exit || !strings.Contains(st.Reason, tt.reason) {
				t.Errorf("statusOf = state %s exit %d reason %q; want %s exit %d reason containing %q",
					st.State, st.ExitCode, st.Reason, tt.want, tt.exit, tt.reason)
			}
			if st.State.Terminal() && st.State != pluginapi.StateCompleted && st.Reason == "" {
				t.Errorf("a job that ended %s has no reason", st.State)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	el := func(i int, s pluginapi.State, exit int, reason string) pluginapi.ElementStatus {
		return pluginapi.ElementStatus{Index: i, Status: pluginapi.Status{State: s, ExitCode: exit, Reason: reason}}
	}
	C, F, R, P, U := pluginapi.StateCompleted, pluginapi.StateFailed, pluginapi.StateRunning, pluginapi.StatePending, pluginapi.StateUnknown
	tests := []struct {
		name string
		els  []pluginapi.ElementStatus
		want pluginapi.Status
	}{
		{"all completed", []pluginapi.ElementStatus{el(2, C, 0, ""), el(3, C, 0, "")},
			pluginapi.Status{State: C, NativeState: "COMPLETED"}},
		{"one running", []pluginapi.ElementStatus{el(0, C, 0, ""), el(1, R, -1, ""), el(2, P, -1, "")},
			pluginapi.Status{State: R, ExitCode: -1, NativeState: "RUN", Reason: "1 of 3 elements running"}},
		{"waiting", []pluginapi.ElementStatus{el(0, C, 0, ""), el(1, P, -1, "")},
			pluginapi.Status{State: P, ExitCode: -1, NativeState: "PENDING", Reason: "1 of 2 elements waiting"}},
		{"failed wins over cancelled", []pluginapi.ElementStatus{el(0, pluginapi.StateCancelled, -1, "cancelled"), el(1, C, 0, ""), el(2, F, 4, "exit status 4")},
			pluginapi.Status{State: F, ExitCode: 4, Reason: "element 2: exit status 4 (2 of 3 elements did not complete)"}},
		{"all unknown", []pluginapi.ElementStatus{el(0, U, -1, ""), el(1, U, -1, "")},
			pluginapi.Status{State: U, ExitCode: -1, Reason: "Flux knows none of the array's jobs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.els)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(pluginapi.Status{}, "Start", "End")); diff != "" {
				t.Errorf("summarize (-want +got):\n%s", diff)
			}
		})
	}
	start := time.Unix(100, 0)
	got := summarize([]pluginapi.ElementStatus{{Index: 0, Status: pluginapi.Status{State: C, Start: start.Add(time.Second), End: start.Add(5 * time.Second)}},
		{Index: 1, Status: pluginapi.Status{State: C, Start: start, End: start.Add(3 * time.Second)}}})
	if !got.Start.Equal(start) || !got.End.Equal(start.Add(5*time.Second)) {
		t.Errorf("summary spans %v..%v, want the first start and the last end", got.Start, got.End)
	}
}
