package sgeexec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestPollSingleJobs(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.qstat = qstatDoc([3]string{"1", "r", ""}, [3]string{"2", "qw", ""}, [3]string{"3", "hqw", ""})
	f.acctLines = []string{acct(4, 0, 0, 0, submitted+50), acct(5, 0, 0, 3, submitted+60), acct(6, 0, 37, 137, submitted+70)}
	f.writeAccounting(t)
	js := poll(t, e, handle(1, handleState{}), handle(2, handleState{}), handle(3, handleState{}),
		handle(4, handleState{}), handle(5, handleState{}), handle(6, handleState{TimeLimit: 7}))
	var got []string
	for _, j := range js {
		got = append(got, fmt.Sprintf("%s %s %d", j.ID, j.State, j.ExitCode))
	}
	want := []string{"1 running -1", "2 pending -1", "3 pending -1", "4 completed 0", "5 failed 3", "6 timeout 137"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	if n := len(f.called("qstat -xml")); n != 1 {
		t.Errorf("%d qstat calls, want 1", n)
	}
	// Settled jobs cost nothing at the next Poll.
	f.reset()
	poll(t, e, handle(4, handleState{}), handle(5, handleState{}))
	if len(f.calls) != 0 {
		t.Errorf("a Poll of settled jobs ran %q", f.calls)
	}
}

func TestPollQacctSource(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingQacct)
	f.qacct[58] = string(readTestdata(t, "qacct/single-ok.txt"))
	f.qacct[65] = string(readTestdata(t, "qacct/eqw-array.txt"))
	sub := qacctTime("Thu Nov 26 05:42:00 2026").Unix()
	h58 := encodeHandle(58, handleState{Submitted: sub})
	h65 := encodeHandle(65, handleState{Submitted: sub, Size: 2})
	js := poll(t, e, h58, h65, pluginapi.Handle{ID: "9999"})
	if js[0].State != pluginapi.StateCompleted || js[1].State != pluginapi.StateFailed || js[2].State != pluginapi.StateUnknown {
		t.Errorf("got %s, %s, %s", js[0].State, js[1].State, js[2].State)
	}
	if len(js[1].Elements) != 2 || !strings.Contains(js[1].Elements[1].Reason, "opening input/output file") {
		t.Errorf("array elements: %+v", js[1].Elements)
	}
	if d := cmp.Diff([]string{"qacct -j 58", "qacct -j 65", "qacct -j 9999"}, sortedCalls(f, "qacct")); d != "" {
		t.Errorf("qacct calls (-want +got):\n%s", d)
	}
}

// sortedCalls is called for commands a Poll runs concurrently.
func sortedCalls(f *fakeSGE, prefix string) []string {
	c := f.called(prefix)
	slices.Sort(c)
	return c
}

func TestPollIgnoresRecordsOfAnEarlierJob(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.acctLines = []string{acct(7, 0, 0, 0, submitted-3600)} // job 7 of a reinstalled cell
	f.writeAccounting(t)
	js := poll(t, e, handle(7, handleState{}))
	if js[0].State != pluginapi.StatePending {
		t.Errorf("an old record of the same number was taken: %s %q", js[0].State, js[0].Reason)
	}
}

func TestPollMissing(t *testing.T) {
	e, f, now := newFakeExecutor(t, accountingFile)
	f.qstat = qstatDoc([3]string{"8", "r", ""})
	h := handle(8, handleState{})
	if js := poll(t, e, h); js[0].State != pluginapi.StateRunning {
		t.Fatalf("in qstat: %s", js[0].State)
	}
	// Gone from qstat, no record yet: still running while accounting lags.
	f.qstat = qstatDoc()
	*now = now.Add(10 * time.Second)
	js := poll(t, e, h)
	if js[0].State != pluginapi.StateRunning || !strings.Contains(js[0].Reason, "accounting") {
		t.Errorf("within the grace: %s %q", js[0].State, js[0].Reason)
	}
	// The record arrives.
	f.acctLines = []string{acct(8, 0, 0, 0, submitted+110)}
	f.writeAccounting(t)
	if js := poll(t, e, h); js[0].State != pluginapi.StateCompleted {
		t.Errorf("with its record: %s", js[0].State)
	}
	// Another one never gets a record.
	h9 := handle(9, handleState{})
	poll(t, e, h9)
	*now = now.Add(2 * time.Minute)
	js = poll(t, e, h9)
	if js[0].State != pluginapi.StateFailed || !strings.Contains(js[0].Reason, "vanished") {
		t.Errorf("past the grace: %s %q", js[0].State, js[0].Reason)
	}
}

func TestPollCancelled(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.qstat = qstatDoc([3]string{"10", "qw", ""}, [3]string{"11", "r", ""}, [3]string{"12", "qw", "1-3:1"})
	hs := []pluginapi.Handle{handle(10, handleState{}), handle(11, handleState{}), handle(12, handleState{Size: 3})}
	poll(t, e, hs...)
	r, err := e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: append(hs, pluginapi.Handle{ID: "junk"})})
	if err != nil || len(r.Diagnostics) != 0 {
		t.Fatalf("Cancel: %v %v", err, r.Diagnostics)
	}
	if d := cmp.Diff([]string{"qdel 10 11 12"}, f.called("qdel")); d != "" {
		t.Errorf("qdel (-want +got):\n%s", d)
	}
	// Pending ones leave no record; the running one does.
	f.qstat = qstatDoc()
	f.acctLines = []string{acct(11, 0, 100, 137, submitted+90)}
	f.writeAccounting(t)
	js := poll(t, e, hs...)
	for i, j := range js {
		if j.State != pluginapi.StateCancelled {
			t.Errorf("job %d: %s %q", i, j.State, j.Reason)
		}
	}
	if len(js[2].Elements) != 3 {
		t.Errorf("array elements: %d", len(js[2].Elements))
	}
}

func TestPollSeenDeleted(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.qstat = qstatDoc([3]string{"13", "dqw", ""})
	h := handle(13, handleState{})
	poll(t, e, h)
	f.qstat = qstatDoc()
	if js := poll(t, e, h); js[0].State != pluginapi.StateCancelled {
		t.Errorf("deleted by someone while pending: %s %q", js[0].State, js[0].Reason)
	}
}

func TestPollEqw(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.qstat = string(readTestdata(t, "qstat/eqw-array.xml"))
	f.reasons = string(readTestdata(t, "qstat-j/eqw-multi.txt"))
	js := poll(t, e, handle(64, handleState{}), handle(65, handleState{Size: 2}))
	for i, j := range js {
		if j.State != pluginapi.StateFailed || !strings.Contains(j.Reason, "can't open output file") {
			t.Errorf("job %d in Eqw: %s %q", i, j.State, j.Reason)
		}
	}
	if d := cmp.Diff([]string{"qstat -j 64,65"}, f.called("qstat -j")); d != "" {
		t.Errorf("qstat -j (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"qdel 64 65.1-2"}, f.called("qdel")); d != "" {
		t.Errorf("qdel (-want +got):\n%s", d)
	}
	// Still there at the next Poll (qdel did not take): deleted again,
	// without asking for the reasons again.
	f.reset()
	js = poll(t, e, handle(64, handleState{}))
	if js[0].State != pluginapi.StateFailed || len(f.called("qstat -j")) != 0 || len(f.called("qdel 64")) != 1 {
		t.Errorf("second Poll: %s, calls %q", js[0].State, f.calls)
	}
	// Gone, with no record yet: settled with the error reason.
	f.qstat = qstatDoc()
	js = poll(t, e, handle(64, handleState{}), handle(65, handleState{Size: 2}))
	for i, j := range js {
		if j.State != pluginapi.StateFailed || !strings.Contains(j.Reason, "can't open output file") {
			t.Errorf("job %d gone from Eqw: %s %q", i, j.State, j.Reason)
		}
	}
	f.reset()
	poll(t, e, handle(64, handleState{}))
	if len(f.calls) != 0 {
		t.Errorf("a settled job cost %q", f.calls)
	}
}

func TestPollAfterOK(t *testing.T) {
	for _, tc := range []struct {
		name     string
		upExit   int
		upInQ    bool
		state    pluginapi.State
		released bool
		deleted  bool
	}{
		{"upstream running", 0, true, pluginapi.StatePending, false, false},
		{"upstream completed", 0, false, pluginapi.StatePending, true, false},
		{"upstream failed", 1, false, pluginapi.StateFailed, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, f, _ := newFakeExecutor(t, accountingFile)
			if tc.upInQ {
				f.qstat = qstatDoc([3]string{"20", "r", ""}, [3]string{"21", "hqw", ""})
			} else {
				f.qstat = qstatDoc([3]string{"21", "hqw", ""})
				f.acctLines = []string{acct(20, 0, 0, tc.upExit, submitted+50)}
				f.writeAccounting(t)
			}
			dn := dependent(21, pluginapi.AfterOK, 20, handleState{}, handleState{})
			js := poll(t, e, dn)
			if js[0].State != tc.state {
				t.Errorf("dependent: %s %q, want %s", js[0].State, js[0].Reason, tc.state)
			}
			if got := len(f.called("qrls 21")) == 1; got != tc.released {
				t.Errorf("released %v, want %v (calls %q)", got, tc.released, f.calls)
			}
			if got := len(f.called("qdel 21")) == 1; got != tc.deleted {
				t.Errorf("deleted %v, want %v (calls %q)", got, tc.deleted, f.calls)
			}
			if tc.deleted && !strings.Contains(js[0].Reason, "never be satisfied: upstream job 20 ended failed") {
				t.Errorf("reason %q", js[0].Reason)
			}
			if tc.deleted {
				// qdel did not take (Grid Engine can answer "does not
				// exist" for a task it is just releasing): again.
				f.reset()
				if js := poll(t, e, dn); js[0].State != pluginapi.StateFailed || len(f.called("qdel 21")) != 1 {
					t.Errorf("still queued: %s, calls %q", js[0].State, f.calls)
				}
			}
			if tc.released {
				// Released once, not at every Poll.
				f.reset()
				poll(t, e, dn)
				if n := len(f.called("qrls")); n != 0 {
					t.Errorf("released again")
				}
			}
			if tc.deleted {
				// A new process, after the dependent is gone: the same
				// verdict from the upstream's record.
				e2 := NewWithRunner(f.run)
				e2.cfg, e2.now = e.cfg, e.now
				f.qstat = qstatDoc()
				js := poll(t, e2, dn)
				if js[0].State != pluginapi.StateFailed || !strings.Contains(js[0].Reason, "never be satisfied") {
					t.Errorf("a new process: %s %q", js[0].State, js[0].Reason)
				}
			}
		})
	}
}

func TestPollElementwise(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	arr := handleState{Size: 3, Offset: 10} // tasks 11..13 = engine 10..12
	// Upstream 30: task 11 completed, 12 failed, 13 running.
	f.qstat = qstatDoc([3]string{"30", "r", "13"}, [3]string{"31", "hqw", "11-13:1"})
	f.acctLines = []string{acct(30, 11, 0, 0, submitted+40), acct(30, 12, 0, 2, submitted+41)}
	f.writeAccounting(t)
	dn := dependent(31, pluginapi.Elementwise, 30, arr, arr)
	js := poll(t, e, dn)
	byIndex := map[int]pluginapi.ElementStatus{}
	for _, el := range js[0].Elements {
		byIndex[el.Index] = el
	}
	if byIndex[10].State != pluginapi.StatePending || byIndex[11].State != pluginapi.StateFailed || byIndex[12].State != pluginapi.StatePending {
		t.Errorf("elements: %+v", js[0].Elements)
	}
	if !strings.Contains(byIndex[11].Reason, "job 30 element 11 ended failed") {
		t.Errorf("element 11's reason: %q", byIndex[11].Reason)
	}
	if d := cmp.Diff([]string{"qrls 31.11"}, f.called("qrls")); d != "" {
		t.Errorf("qrls (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"qdel 31.12"}, f.called("qdel")); d != "" {
		t.Errorf("qdel (-want +got):\n%s", d)
	}
	if js[0].State != pluginapi.StatePending {
		t.Errorf("the array: %s", js[0].State)
	}
}

func TestPollQstatFails(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	f.qstat = qstatDoc([3]string{"40", "r", ""})
	h := handle(40, handleState{})
	poll(t, e, h)
	f.qstatErr = true
	r, err := e.Poll(context.Background(), &pluginapi.PollRequest{Handles: []pluginapi.Handle{h, handle(41, handleState{})}})
	if err != nil {
		t.Fatal(err)
	}
	if !hasError(r.Diagnostics, "settings.qstat") {
		t.Errorf("diagnostics %v", r.Diagnostics)
	}
	if r.Jobs[0].State != pluginapi.StateRunning || r.Jobs[1].State != pluginapi.StatePending {
		t.Errorf("last known states: %s, %s", r.Jobs[0].State, r.Jobs[1].State)
	}
}

func TestPollUnknownHandles(t *testing.T) {
	e, f, _ := newFakeExecutor(t, accountingFile)
	js := poll(t, e, pluginapi.Handle{ID: "executortest-1", State: []byte("junk")}, pluginapi.Handle{ID: "424242"})
	for _, j := range js {
		if j.State != pluginapi.StateUnknown || j.ExitCode != pluginapi.NoExitCode {
			t.Errorf("%s: %s", j.ID, j.State)
		}
	}
	if d := cmp.Diff([]string{"qacct -j 424242"}, f.called("qacct")); d != "" {
		t.Errorf("a foreign id goes to qacct (-want +got):\n%s", d)
	}
	if js := poll(t, e); len(js) != 0 {
		t.Error("an empty Poll answered")
	}
}
