package slurmexec

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// mapped is what a record must map to; reason is a substring.
type mapped struct {
	state  pluginapi.State
	exit   int
	reason string
}

const noExit = pluginapi.NoExitCode

// TestStatesOfFactsOutputs maps every row of the facts page's literal
// squeue and sacct outputs.
func TestStatesOfFactsOutputs(t *testing.T) {
	tests := []struct {
		file string
		l    layout
		deps bool // the jobs had dependencies
		want map[string]mapped
	}{
		{"facts/squeue-states.txt", factsSqueue, false, map[string]mapped{
			"88":  {pluginapi.StateCompleted, 0, ""},
			"89":  {pluginapi.StateFailed, noExit, "failed"}, // squeue -o %r has no exit code
			"90":  {pluginapi.StateFailed, noExit, "JobLaunchFailure"},
			"136": {pluginapi.StateOutOfMemory, noExit, "memory"},
			"80":  {pluginapi.StateFailed, noExit, "JobLaunchFailure"},
			"102": {pluginapi.StateTimeout, noExit, "time limit"},
			"103": {pluginapi.StateCancelled, noExit, "cancelled"},
			"104": {pluginapi.StateCancelled, noExit, "JobHeldUser"},
			"5":   {pluginapi.StateNodeFail, noExit, "node"},
			"4":   {pluginapi.StatePending, noExit, "BeginTime"},
			"8":   {pluginapi.StateFailed, noExit, "deadline"},
			"10":  {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
			"105": {pluginapi.StateCancelled, noExit, "JobHeldUser"},
		}},
		{"facts/squeue-array.txt", factsSqueue, false, map[string]mapped{
			"39_[2-9]": {pluginapi.StatePending, noExit, "JobArrayTaskLimit"},
			"39_1":     {pluginapi.StateRunning, noExit, ""},
			"39_0":     {pluginapi.StateRunning, noExit, ""},
		}},
		{"facts/squeue-deps.txt", factsSqueueDeps, true, map[string]mapped{
			"51":       {pluginapi.StatePending, noExit, "Dependency"},
			"55":       {pluginapi.StatePending, noExit, "Dependency"},
			"56":       {pluginapi.StateFailed, noExit, "dependency can never be satisfied"}, // listed twice; the later row wins here
			"57":       {pluginapi.StatePending, noExit, "Dependency"},
			"59_[0-3]": {pluginapi.StatePending, noExit, ""},
			"52":       {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
			"59_2":     {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		}},
		{"facts/sacct-states.txt", factsSacct, false, map[string]mapped{
			"88":        {pluginapi.StateCompleted, 0, ""},
			"89":        {pluginapi.StateFailed, 3, "exit status 3"},
			"90":        {pluginapi.StateFailed, noExit, "signal 9"},
			"136":       {pluginapi.StateOutOfMemory, noExit, "memory"},
			"101":       {pluginapi.StateFailed, noExit, "SIGKILL"},
			"102":       {pluginapi.StateTimeout, noExit, "time limit"},
			"103":       {pluginapi.StateCancelled, noExit, "cancelled by uid 0"},
			"104":       {pluginapi.StateCancelled, noExit, "JobHeldUser"},
			"5":         {pluginapi.StateNodeFail, noExit, "node"},
			"91_2":      {pluginapi.StateCompleted, 0, ""},
			"52":        {pluginapi.StatePending, noExit, "Dependency"},
			"10":        {pluginapi.StateCancelled, noExit, "cancelled"}, // no deps known: a plain cancel
			"124_[1-9]": {pluginapi.StatePending, noExit, ""},
		}},
		{"facts/sacct-states.txt", factsSacct, true, map[string]mapped{
			// With dependencies, Slurm's own cancel of a job that never
			// started is --kill-on-invalid-dep at work.
			"10":  {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
			"103": {pluginapi.StateCancelled, noExit, "cancelled by uid 0"},
		}},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.deps {
			name += "/with-deps"
		}
		t.Run(name, func(t *testing.T) {
			recs, bad := parseRecords(readTestdata(t, "testdata/"+tt.file), tt.l, time.UTC)
			if len(bad) > 0 {
				t.Fatalf("unreadable rows: %q", bad)
			}
			got := map[string]pluginapi.Status{}
			for _, r := range recs {
				got[rowName(r.ID)] = toStatus(r, tt.deps)
			}
			for id, w := range tt.want {
				st, ok := got[id]
				if !ok {
					t.Errorf("%s: no row", id)
					continue
				}
				checkMapped(t, id, st, w)
			}
		})
	}
}

func checkMapped(t *testing.T, id string, st pluginapi.Status, w mapped) {
	t.Helper()
	if st.State != w.state || st.ExitCode != w.exit || !strings.Contains(st.Reason, w.reason) {
		t.Errorf("%s: got %s exit %d reason %q; want %s exit %d reason containing %q",
			id, st.State, st.ExitCode, st.Reason, w.state, w.exit, w.reason)
	}
	if st.State.Terminal() && st.NativeState == "" {
		t.Errorf("%s: terminal state without NativeState", id)
	}
}

// rowName writes a row id back as Slurm does (ranges without throttle).
func rowName(id rowID) string {
	switch id.Kind {
	case rowElement:
		return id.Job + "_" + strconv.Itoa(id.Index)
	case rowRange:
		return id.Job + "_[" + runList(id.Indices) + "]"
	}
	return id.Job
}

// TestEveryState maps every state squeue and sacct document, including
// the ones this test cluster cannot produce.
func TestEveryState(t *testing.T) {
	started := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		state  string
		reason string
		exit   exitStatus
		want   mapped
	}{
		{"PENDING", "Priority", exitStatus{}, mapped{pluginapi.StatePending, noExit, "waiting: Priority"}},
		{"PENDING", "DependencyNeverSatisfied", exitStatus{}, mapped{pluginapi.StateFailed, noExit, "dependency can never be satisfied"}},
		{"CONFIGURING", "None", exitStatus{}, mapped{pluginapi.StatePending, noExit, "configured"}},
		{"RUNNING", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, ""}},
		{"COMPLETING", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "completing"}},
		{"SUSPENDED", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "suspended"}},
		{"STOPPED", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "stopped"}},
		{"RESIZING", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "resizing"}},
		{"SIGNALING", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "signaling"}},
		{"STAGE_OUT", "None", exit(0, 0), mapped{pluginapi.StateRunning, noExit, "stage_out"}},
		{"COMPLETED", "None", exit(0, 0), mapped{pluginapi.StateCompleted, 0, ""}},
		{"FAILED", "NonZeroExitCode", exit(2, 0), mapped{pluginapi.StateFailed, 2, "exit status 2"}},
		{"FAILED", "JobLaunchFailure", exit(0, 9), mapped{pluginapi.StateFailed, noExit, "killed by signal 9 (SIGKILL"}},
		{"FAILED", "None", exitStatus{}, mapped{pluginapi.StateFailed, noExit, "failed"}},
		{"CANCELLED", "None", exit(0, 15), mapped{pluginapi.StateCancelled, noExit, "cancelled"}},
		{"CANCELLED by 0", "None", exit(0, 0), mapped{pluginapi.StateCancelled, noExit, "cancelled by uid 0"}},
		{"CANCELLED by 1234", "JobHeldUser", exit(0, 0), mapped{pluginapi.StateCancelled, noExit, "uid 1234 (Slurm: JobHeldUser)"}},
		{"CANCELLED", "DependencyNeverSatisfied", exit(0, 0), mapped{pluginapi.StateFailed, noExit, "dependency can never be satisfied"}},
		{"CANCELLED by 0", "DependencyNeverSatisfied", exit(0, 0), mapped{pluginapi.StateFailed, noExit, "dependency can never be satisfied"}},
		{"CANCELLED+", "None", exit(0, 0), mapped{pluginapi.StateCancelled, noExit, "cancelled"}},
		{"TIMEOUT", "TimeLimit", exit(0, 0), mapped{pluginapi.StateTimeout, noExit, "time limit of 00:01:00"}},
		{"OUT_OF_MEMORY", "OutOfMemory", exit(0, 125), mapped{pluginapi.StateOutOfMemory, noExit, "memory"}},
		{"NODE_FAIL", "NodeDown", exit(0, 0), mapped{pluginapi.StateNodeFail, noExit, "node"}},
		{"BOOT_FAIL", "None", exit(0, 0), mapped{pluginapi.StateNodeFail, noExit, "boot"}},
		{"PREEMPTED", "None", exit(0, 0), mapped{pluginapi.StateCancelled, noExit, "preempted"}},
		{"DEADLINE", "DeadLine", exit(1, 0), mapped{pluginapi.StateFailed, noExit, "deadline"}},
		{"REQUEUED", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, "requeued"}},
		{"REQUEUE_HOLD", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, "requeued"}},
		{"REQUEUE_FED", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, "requeued"}},
		{"RESV_DEL_HOLD", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, ""}},
		{"SPECIAL_EXIT", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, ""}},
		{"REVOKED", "None", exit(0, 0), mapped{pluginapi.StateCancelled, noExit, "revoked"}},
		{"LAUNCH_FAILED_SOMEDAY", "None", exit(0, 0), mapped{pluginapi.StatePending, noExit, "not known to this plugin"}},
	}
	for _, tt := range tests {
		t.Run(tt.state+"/"+tt.reason, func(t *testing.T) {
			r := record{ID: job("1"), State: tt.state, Reason: tt.reason, Exit: tt.exit, Start: started, End: started.Add(time.Minute), Limit: "00:01:00"}
			st := toStatus(r, false)
			checkMapped(t, tt.state, st, tt.want)
			if st.NativeState != tt.state {
				t.Errorf("NativeState %q, want Slurm's own %q", st.NativeState, tt.state)
			}
			if !st.State.Terminal() && !st.End.IsZero() {
				t.Errorf("a job that has not ended has End %v", st.End)
			}
		})
	}
}

// TestStatesOfRealOutputs maps the rows captured from the test cluster in
// the plugin's own layouts (testdata/real/README.md says what each job did).
func TestStatesOfRealOutputs(t *testing.T) {
	withDeps := map[string]bool{"906": true, "907": true, "908": true, "909": true}
	tests := []struct {
		file string
		l    layout
		want map[string]mapped
	}{
		{"real/squeue-live.txt", squeueLayout, map[string]mapped{
			"894":       {pluginapi.StateCompleted, 0, ""},
			"895":       {pluginapi.StateFailed, 3, "exit status 3"},
			"896":       {pluginapi.StateFailed, noExit, "signal 9"},
			"897":       {pluginapi.StateRunning, noExit, ""},
			"902":       {pluginapi.StateRunning, noExit, "suspended"},
			"903_[4-9]": {pluginapi.StatePending, noExit, "JobArrayTaskLimit"},
			"903_2":     {pluginapi.StateRunning, noExit, ""},
			"906":       {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
			"907":       {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
			"908_9":     {pluginapi.StatePending, noExit, "waiting: Dependency"},
			"909":       {pluginapi.StatePending, noExit, "waiting: Dependency"},
			"900":       {pluginapi.StatePending, noExit, "JobHeldUser"},
		}},
		{"real/squeue-mid.txt", squeueLayout, map[string]mapped{
			"899":   {pluginapi.StateCancelled, noExit, "cancelled"}, // exit_code 15: killed by SIGTERM
			"900":   {pluginapi.StateCancelled, noExit, "JobHeldUser"},
			"902":   {pluginapi.StateRunning, noExit, "completing"},
			"903_3": {pluginapi.StateFailed, 1, "exit status 1"},
			"908_3": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		}},
		{"real/squeue-end.txt", squeueLayout, map[string]mapped{
			"897": {pluginapi.StateOutOfMemory, noExit, "memory"},
			"898": {pluginapi.StateTimeout, noExit, "time limit of 1:00"},
			"902": {pluginapi.StateCancelled, noExit, "cancelled"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs, bad := parseRecords(readTestdata(t, "testdata/"+tt.file), tt.l, time.Local)
			if len(bad) > 0 {
				t.Fatalf("unreadable rows: %q", bad)
			}
			got := map[string]pluginapi.Status{}
			for _, r := range recs {
				got[rowName(r.ID)] = toStatus(r, withDeps[r.ID.Job])
			}
			for id, w := range tt.want {
				st, ok := got[id]
				if !ok {
					t.Errorf("%s: no row", id)
					continue
				}
				checkMapped(t, id, st, w)
			}
		})
	}
}

func TestParseScontrolJobs(t *testing.T) {
	recs, bad := parseScontrolJobs(readTestdata(t, "testdata/real/scontrol-job-array.txt"), time.UTC)
	if len(bad) > 0 || len(recs) != 10 {
		t.Fatalf("%d records, unreadable %q; want the 10 elements of array 903", len(recs), bad)
	}
	byIdx := map[int]record{}
	for _, r := range recs {
		if r.ID.Job != "903" || r.ID.Kind != rowElement {
			t.Errorf("record %+v is not an element of 903", r.ID)
		}
		byIdx[r.ID.Index] = r
	}
	if r := byIdx[3]; r.State != "FAILED" || r.Exit != exit(1, 0) || r.Reason != "NonZeroExitCode" {
		t.Errorf("903_3: %+v", r)
	}
	if r := byIdx[9]; r.State != "RUNNING" || !r.End.IsZero() || r.Start.IsZero() {
		t.Errorf("903_9: %+v", r)
	}
	recs, _ = parseScontrolJobs(readTestdata(t, "testdata/real/scontrol-job-failed.txt"), time.UTC)
	if len(recs) != 1 || recs[0].ID.Job != "895" || recs[0].ID.Kind != rowJob || recs[0].Exit != exit(3, 0) || recs[0].Limit != "UNLIMITED" {
		t.Errorf("895: %+v", recs)
	}
	// A pending remainder and a value with spaces.
	recs, bad = parseScontrolJobs([]byte("JobId=40 ArrayJobId=39 ArrayTaskId=2-9%2 JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0 WorkDir=/tmp/a b c StdOut=/dev/null\n"), time.UTC)
	if len(bad) > 0 || len(recs) != 1 || recs[0].ID.Kind != rowRange || len(recs[0].ID.Indices) != 8 {
		t.Errorf("range: %+v %q", recs, bad)
	}
}
