package slurmexec

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// captured are handles for the jobs of testdata/real (see its README), as
// the plugin would have issued them.
func captured() []pluginapi.Handle {
	h := func(id string, st handleState) pluginapi.Handle { return pluginapi.Handle{ID: id, State: st.encode()} }
	plain := handleState{}
	deps := handleState{Deps: true}
	return []pluginapi.Handle{
		h("894", plain), h("895", plain), h("896", plain), h("897", plain), h("898", plain),
		h("899", plain), h("900", plain), h("901", plain), h("902", plain),
		h("903", handleState{Size: 10}),
		h("906", deps), h("907", deps),
		h("908", handleState{Size: 10, Deps: true}),
		h("909", deps),
	}
}

func poll(t *testing.T, e *Executor, hs []pluginapi.Handle) *pluginapi.PollResponse {
	t.Helper()
	resp, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: hs})
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return resp
}

// checkJobs compares a Poll answer with want by job id.
func checkJobs(t *testing.T, hs []pluginapi.Handle, resp *pluginapi.PollResponse, want map[string]mapped) {
	t.Helper()
	if len(resp.Jobs) != len(hs) {
		t.Fatalf("%d answers for %d handles (diagnostics %v)", len(resp.Jobs), len(hs), resp.Diagnostics)
	}
	for i, j := range resp.Jobs {
		if j.ID != hs[i].ID {
			t.Errorf("answer %d is for %s, want %s", i, j.ID, hs[i].ID)
		}
		if w, ok := want[j.ID]; ok {
			checkMapped(t, j.ID, j.Status, w)
		}
	}
}

func TestPollRealOutputsFromSqueue(t *testing.T) {
	f := newFakeSlurm(t)
	f.setFile("squeue", "testdata/real/squeue-end.txt")
	f.set("sacct", "", "sacct must not be asked about jobs squeue lists", 1)
	e := f.executor(nil)
	hs := captured()
	resp := poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{
		"894": {pluginapi.StateCompleted, 0, ""},
		"895": {pluginapi.StateFailed, 3, "exit status 3"},
		"896": {pluginapi.StateFailed, noExit, "signal 9"},
		"897": {pluginapi.StateOutOfMemory, noExit, "memory"},
		"898": {pluginapi.StateTimeout, noExit, "time limit of 1:00"},
		"899": {pluginapi.StateCancelled, noExit, "cancelled"},
		"900": {pluginapi.StateCancelled, noExit, "JobHeldUser"},
		"901": {pluginapi.StatePending, noExit, "JobHeldUser"},
		"902": {pluginapi.StateCancelled, noExit, "cancelled"},
		"903": {pluginapi.StateFailed, 1, "1 of 10 elements did not complete; element 3: exit status 1"},
		"906": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		"907": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		"908": {pluginapi.StateFailed, noExit, "element 3: dependency can never be satisfied"},
		"909": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
	})
	if resp.Diagnostics.HasErrors() {
		t.Errorf("diagnostics: %v", resp.Diagnostics)
	}
	calls := f.calls()
	var squeue, scancel []string
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "squeue "):
			squeue = append(squeue, c)
		case strings.HasPrefix(c, "scancel "):
			scancel = append(scancel, c)
		case strings.HasPrefix(c, "sacct "):
			t.Errorf("sacct was asked although squeue listed every job: %s", c)
		}
	}
	if len(squeue) != 1 || !strings.Contains(squeue[0], "--jobs=894,895,896,897,898,899,900,901,902,903,906,907,908,909") {
		t.Errorf("want one squeue for all jobs, got %q", squeue)
	}
	// The two jobs still pending on a dependency that failed are cancelled,
	// in one call.
	if diff := cmp.Diff([]string{"scancel 906 909"}, scancel); diff != "" {
		t.Errorf("scancel calls (-want +got):\n%s", diff)
	}

	// Element by element, with engine indices.
	var arr pluginapi.JobStatus
	for _, j := range resp.Jobs {
		if j.ID == "903" {
			arr = j
		}
	}
	got := map[int]pluginapi.State{}
	arr.EachElement(func(i int, st *pluginapi.Status) { got[i] = st.State })
	for i := 0; i < 10; i++ {
		want := pluginapi.StateCompleted
		if i == 3 {
			want = pluginapi.StateFailed
		}
		if got[i] != want {
			t.Errorf("903 element %d: %s, want %s", i, got[i], want)
		}
	}
}

func TestPollRealOutputsFromSacct(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "", "", 0) // Slurm forgot them all
	f.setFile("sacct", "testdata/real/sacct-end.txt")
	e := f.executor(nil)
	hs := captured()
	resp := poll(t, e, hs)
	checkJobs(t, hs, resp, map[string]mapped{
		"894": {pluginapi.StateCompleted, 0, ""},
		"895": {pluginapi.StateFailed, 3, "exit status 3"},
		"896": {pluginapi.StateFailed, noExit, "SIGKILL"},
		"897": {pluginapi.StateOutOfMemory, noExit, "memory"},
		"898": {pluginapi.StateTimeout, noExit, "00:01:00"},
		"899": {pluginapi.StateCancelled, noExit, "cancelled by uid 0"},
		"900": {pluginapi.StateCancelled, noExit, "JobHeldUser"},
		// Accounting says pending, but slurmctld no longer has it: stale,
		// so it is pending only for the vanish grace.
		"901": {pluginapi.StatePending, noExit, "accounting last saw it PENDING"},
		"902": {pluginapi.StateCancelled, noExit, "cancelled by uid 0"},
		"903": {pluginapi.StateFailed, 1, "element 3: exit status 1"},
		"906": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		// Slurm's own cancel (--kill-on-invalid-dep): sacct says plain
		// CANCELLED, None.
		"907": {pluginapi.StateFailed, noExit, "dependency can never be satisfied"},
		"908": {pluginapi.StateFailed, noExit, "element 3: dependency can never be satisfied"},
		"909": {pluginapi.StatePending, noExit, "accounting last saw it PENDING"},
	})
	n := f.count()
	if n["squeue"] != 1 || n["sacct"] != 1 || n["scancel"] != 0 {
		t.Errorf("calls: %v; want 1 squeue, 1 sacct, no scancel", n)
	}
}

func TestPollAsksSacctOnlyAboutJobsSqueueLacks(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "894|COMPLETED|None|0|2026-11-26T05:51:44|2026-11-26T05:51:45|2026-11-26T05:51:44|365-00:00:00|\n", "", 0)
	f.setFile("sacct", "testdata/real/sacct-end.txt")
	e := f.executor(nil)
	hs := captured()[:3] // 894 (in squeue), 895, 896
	poll(t, e, hs)
	var sacct []string
	for _, c := range f.calls() {
		if strings.HasPrefix(c, "sacct ") {
			sacct = append(sacct, c)
		}
	}
	if len(sacct) != 1 || !strings.HasSuffix(sacct[0], "--jobs=895,896") {
		t.Errorf("want one sacct for 895,896 only, got %q", sacct)
	}
}

// An array squeue lists in part: the elements it no longer lists come
// from accounting, the rest from squeue.
func TestPollMergesPartialArray(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "50_[3-4]|PENDING|JobArrayTaskLimit|0|N/A|N/A|2026-11-26T05:00:00|UNLIMITED|\n"+
		"50_2|RUNNING|None|0|2026-11-26T05:00:09|NONE|2026-11-26T05:00:00|UNLIMITED|\n", "", 0)
	// Accounting lags: its range record is stale for 2 and 3.
	f.set("sacct", "50_0|COMPLETED|0:0|None|2026-11-26T05:00:01|2026-11-26T05:00:02|2026-11-26T05:00:00|UNLIMITED\n"+
		"50_1|FAILED|2:0|None|2026-11-26T05:00:01|2026-11-26T05:00:02|2026-11-26T05:00:00|UNLIMITED\n"+
		"50_[1-4]|PENDING|0:0|None|Unknown|Unknown|2026-11-26T05:00:00|UNLIMITED\n", "", 0)
	e := f.executor(nil)
	// Engine indices 100..104, native 0..4 (a shifted chunk).
	hs := []pluginapi.Handle{{ID: "50", State: handleState{Size: 5, Offset: 100, Base: 0}.encode()}}
	resp := poll(t, e, hs)
	got := map[int]string{}
	resp.Jobs[0].EachElement(func(i int, st *pluginapi.Status) { got[i] = fmt.Sprintf("%s/%d", st.State, st.ExitCode) })
	want := map[int]string{100: "completed/0", 101: "failed/2", 102: "running/-1", 103: "pending/-1", 104: "pending/-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
	if s := resp.Jobs[0].State; s != pluginapi.StateRunning {
		t.Errorf("array state %s, want running", s)
	}
}

func TestPollUnknownAndInvalidIDs(t *testing.T) {
	f := newFakeSlurm(t)
	// squeue's answer to a single unknown id.
	f.set("squeue", "", string(readTestdata(t, "testdata/facts/squeue-unknown-id.txt")), 1)
	f.set("sacct", "", "", 0)
	e := f.executor(nil)
	hs := []pluginapi.Handle{{ID: "999999"}, {ID: "executortest-abc", State: []byte("\x00garbage")}, {ID: "--all"}}
	resp := poll(t, e, hs)
	for i, j := range resp.Jobs {
		if j.State != pluginapi.StateUnknown {
			t.Errorf("handle %q: %s, want unknown", hs[i].ID, j.State)
		}
	}
	for _, c := range f.calls() {
		if strings.Contains(c, "executortest") || strings.Contains(c, "--all,") || strings.HasSuffix(c, "=--all") {
			t.Errorf("an invalid id reached a Slurm command line: %s", c)
		}
	}
}

func TestPollSqueueFailure(t *testing.T) {
	f := newFakeSlurm(t)
	f.set("squeue", "", "squeue: error: Unable to contact slurm controller (connect failure)", 1)
	e := f.executor(nil)
	resp := poll(t, e, captured())
	if len(resp.Jobs) != 0 || !resp.Diagnostics.HasErrors() {
		t.Fatalf("want no statuses and an error diagnostic when squeue fails, got %d statuses, %v", len(resp.Jobs), resp.Diagnostics)
	}
	if !strings.Contains(resp.Diagnostics.Err().Error(), "Unable to contact slurm controller") {
		t.Errorf("the diagnostic should carry squeue's complaint: %v", resp.Diagnostics)
	}
}

func TestPollChunksLongIDLists(t *testing.T) {
	old := maxIDListBytes
	maxIDListBytes = 20
	defer func() { maxIDListBytes = old }()
	f := newFakeSlurm(t)
	f.set("squeue", "", "", 0)
	f.set("sacct", "", "", 0)
	e := f.executor(nil)
	var hs []pluginapi.Handle
	for i := 0; i < 10; i++ {
		hs = append(hs, pluginapi.Handle{ID: fmt.Sprint(1000 + i)})
	}
	poll(t, e, hs)
	n := f.count()
	// 10 ids of 4 digits: 4 per 20-byte list.
	if n["squeue"] != 3 || n["sacct"] != 3 {
		t.Errorf("calls %v; want 3 squeue and 3 sacct calls", n)
	}
}

func TestRunList(t *testing.T) {
	for in, want := range map[string]string{"": "", "3": "3", "2,3,7,8,9": "2-3,7-9", "0,2,4": "0,2,4"} {
		var idx []int
		for _, s := range strings.Split(in, ",") {
			if s != "" {
				var n int
				fmt.Sscan(s, &n)
				idx = append(idx, n)
			}
		}
		if got := runList(idx); got != want {
			t.Errorf("runList(%v) = %q, want %q", idx, got, want)
		}
	}
}
