package slurmexec

// Poll when a status source fails or no longer lists a job.

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// A sacct that fails (slurmdbd down) must not make finished jobs look
// unknown, which the host would fail as vanished.
func TestPollSacctFailure(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "", "", 0)
	f.set("sacct", "", "sacct: error: Problem talking to the database: Connection refused", 1)
	e := f.executor(nil)
	hs := captured()[:2]
	resp := poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{
		"894": {pluginapi.StatePending, noExit, "accounting could not be asked"},
		"895": {pluginapi.StatePending, noExit, "accounting could not be asked"},
	})
	if len(resp.Diagnostics) == 0 || resp.Diagnostics.HasErrors() {
		t.Errorf("want a warning, got %v", resp.Diagnostics)
	}
}

// Without accounting, a job squeue no longer lists is asked about with
// scontrol, then pending for the vanish grace, then failed as vanished;
// a handle the plugin did not issue is simply unknown.
func TestPollWithoutAccounting(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "", "", 0)
	f.set("sacct", "", string(readTestdata(t, "testdata/facts/sacct-disabled.txt")), 1)
	f.set("scontrol", "", "slurm_load_jobs error: Invalid job id specified", 1)
	e := f.executor(map[string]any{"vanish_grace": "1m"})
	clock := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	e.now = func() time.Time { return clock }
	ours := pluginapi.Handle{ID: "77", State: handleState{Submitted: clock.Add(-time.Hour).Unix()}.encode()}
	foreign := pluginapi.Handle{ID: "78"}
	hs := []pluginapi.Handle{ours, foreign}

	resp := poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{
		"77": {pluginapi.StatePending, noExit, "declared vanished after 1m0s"},
		"78": {pluginapi.StateUnknown, noExit, ""},
	})
	n := f.count()
	if n["squeue"] != 1 || n["sacct"] != 1 || n["scontrol"] != 1 {
		t.Errorf("first poll: calls %v; want one squeue, one sacct (which says accounting is disabled), one scontrol for the job the plugin submitted", n)
	}

	clock = clock.Add(30 * time.Second)
	resp = poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{"77": {pluginapi.StatePending, noExit, "for 30s"}})
	if n := f.count(); n["sacct"] != 0 {
		t.Errorf("sacct asked again after it said accounting is disabled: %v", n)
	}

	clock = clock.Add(31 * time.Second)
	resp = poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{
		"77": {pluginapi.StateFailed, noExit, "vanished from the scheduler"},
		"78": {pluginapi.StateUnknown, noExit, ""},
	})
	if resp.Jobs[0].NativeState != "VANISHED" {
		t.Errorf("NativeState %q, want VANISHED", resp.Jobs[0].NativeState)
	}

	// scontrol still remembering it settles it at once.
	f.setFile("scontrol", "testdata/real/scontrol-job-failed.txt")
	resp = poll(t, e, []pluginapi.Handle{{ID: "895", State: handleState{}.encode()}})
	checkJobs(t, []pluginapi.Handle{{ID: "895"}}, resp, map[string]mapped{"895": {pluginapi.StateFailed, 3, "exit status 3"}})
}

// An array squeue lists in part while sacct fails: the unlisted elements
// wait for the next Poll rather than being concluded cancelled.
func TestPollPartialArraySacctFailure(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "60_1|RUNNING|None|0|2026-11-26T05:00:09|NONE|2026-11-26T05:00:00|UNLIMITED|\n", "", 0)
	f.set("sacct", "", "sacct: error: Problem talking to the database: Connection refused", 1)
	e := f.executor(nil)
	resp := poll(t, e, []pluginapi.Handle{{ID: "60", State: handleState{Size: 2}.encode()}})
	got := map[int]pluginapi.State{}
	resp.Jobs[0].EachElement(func(i int, st *pluginapi.Status) { got[i] = st.State })
	if diff := cmp.Diff(map[int]pluginapi.State{0: pluginapi.StatePending, 1: pluginapi.StateRunning}, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
}
