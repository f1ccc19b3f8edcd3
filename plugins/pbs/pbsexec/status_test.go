package pbsexec

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// TestMapRecord checks how each PBS state and Exit_status becomes a reflow
// state, exit code and reason, record by record from the testdata.
func TestMapRecord(t *testing.T) {
	recs, err := parseQstatJSON(readTestdata(t, "qstat_walltime.json"))
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]record{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	torque := parseQstatFull(readTestdata(t, "torque_full.txt"))
	for _, r := range torque {
		byKey[r.Key] = r
	}
	type want struct {
		state  pluginapi.State
		exit   int
		reason string // a substring the reason must contain
	}
	open := mapCtx{dialect: dialectOpenPBS}
	tor := mapCtx{dialect: dialectTorque}
	withDeps := mapCtx{dialect: dialectOpenPBS, state: handleState{Deps: []string{"1200.pbs01"}}}
	tests := []struct {
		name string
		rec  record
		mc   mapCtx
		want want
	}{
		{"walltime -29", byKey["1240.pbs01"], open, want{pluginapi.StateTimeout, pluginapi.NoExitCode, "walltime limit 00:10:00"}},
		{"SIGTERM after its walltime (before 22.05)", byKey["1241.pbs01"], open, want{pluginapi.StateTimeout, 143, "signal 15"}},
		{"SIGTERM with substate 91 (qdel)", byKey["1242.pbs01"], open, want{pluginapi.StateCancelled, 143, "qdel"}},
		{"mem -27", byKey["1243.pbs01"], open, want{pluginapi.StateOutOfMemory, pluginapi.NoExitCode, "mem limit"}},
		{"deleted before it ran, no deps", byKey["1244.pbs01"], open, want{pluginapi.StateCancelled, pluginapi.NoExitCode, "before it ran"}},
		{"deleted before it ran, with deps", byKey["1244.pbs01"], withDeps, want{pluginapi.StateFailed, pluginapi.NoExitCode, "dependency can never be satisfied"}},
		{"held for dependencies", byKey["1245.pbs01"], open, want{pluginapi.StatePending, pluginapi.NoExitCode, "dependencies"}},
		{"torque exit 3", byKey["2001.torque01.example.org"], tor, want{pluginapi.StateFailed, 3, "exit status 3"}},
		{"torque walltime -11", byKey["2003.torque01.example.org"], tor, want{pluginapi.StateTimeout, pluginapi.NoExitCode, "walltime"}},
		{"torque running subjob", byKey["2002[1].torque01.example.org"], tor, want{pluginapi.StateRunning, pluginapi.NoExitCode, ""}},
		{"exit 0", record{State: "F", Exit: 0, HasExit: true}, open, want{pluginapi.StateCompleted, 0, ""}},
		{"exit 137", record{State: "F", Exit: 137, HasExit: true}, open, want{pluginapi.StateFailed, 137, "signal 9"}},
		{"265: the shell got SIGKILL", record{State: "F", Exit: 265, HasExit: true}, open, want{pluginapi.StateFailed, 137, "signal 9"}},
		{"we cancelled it", record{State: "F", Exit: 271, HasExit: true}, mapCtx{dialect: dialectOpenPBS, cancelled: true}, want{pluginapi.StateCancelled, 143, "qdel"}},
		{"node failure -20", record{State: "F", Exit: -20, HasExit: true}, open, want{pluginapi.StateNodeFail, pluginapi.NoExitCode, "mother superior"}},
		{"guard exit", record{State: "F", Exit: guardExit, HasExit: true}, mapCtx{dialect: dialectOpenPBS, state: handleState{Guard: []string{"7[].s"}}},
			want{pluginapi.StateFailed, guardExit, "7[].s"}},
		{"125 without a guard is an exit status", record{State: "F", Exit: guardExit, HasExit: true}, open, want{pluginapi.StateFailed, guardExit, "exit status 125"}},
		{"queued", record{State: "Q"}, open, want{pluginapi.StatePending, pluginapi.NoExitCode, ""}},
		{"array begun", record{State: "B"}, open, want{pluginapi.StateRunning, pluginapi.NoExitCode, ""}},
		{"exiting", record{State: "E"}, open, want{pluginapi.StateRunning, pluginapi.NoExitCode, ""}},
		{"suspended", record{State: "S"}, open, want{pluginapi.StateRunning, pluginapi.NoExitCode, "suspended"}},
		{"waiting for -a", record{State: "W"}, open, want{pluginapi.StatePending, pluginapi.NoExitCode, "start time"}},
		{"started, no exit status", record{State: "F", Start: time.Unix(1, 0)}, open, want{pluginapi.StateFailed, pluginapi.NoExitCode, "without an exit status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mapRecord(tt.rec, tt.mc)
			got := want{st.State, st.ExitCode, tt.want.reason}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("state/exit (-want +got):\n%s\nreason %q", diff, st.Reason)
			}
			if !strings.Contains(st.Reason, tt.want.reason) {
				t.Errorf("reason %q does not contain %q", st.Reason, tt.want.reason)
			}
			if st.State != pluginapi.StateCompleted && st.State.Terminal() && st.Reason == "" {
				t.Errorf("final state %s without a reason", st.State)
			}
		})
	}
}

// TestFromRecordsArray checks an array's elements and summary from the
// Torque testdata: one subjob done, one running, one queued.
func TestFromRecordsArray(t *testing.T) {
	recs := map[recKey]record{}
	for _, r := range parseQstatFull(readTestdata(t, "torque_full.txt")) {
		recs[recKey{r.Seq, r.Index}] = r
	}
	hi := readHandle(pluginapi.Handle{ID: "2002[].torque01.example.org",
		State: handleState{V: stateVersion, Dialect: dialectTorque, Size: 3}.encode()})
	if !hi.ours || !hi.valid {
		t.Fatalf("handle not read back: %+v", hi)
	}
	js, found := fromRecords(hi, recs, mapCtx{dialect: dialectTorque})
	if !found {
		t.Fatal("array not found in records")
	}
	var got []pluginapi.State
	for _, e := range js.Elements {
		got = append(got, e.State)
	}
	want := []pluginapi.State{pluginapi.StateCompleted, pluginapi.StateRunning, pluginapi.StatePending}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("element states (-want +got):\n%s", diff)
	}
	if js.State != pluginapi.StateRunning {
		t.Errorf("summary %s, want running", js.State)
	}
}

func TestSummarize(t *testing.T) {
	el := func(i int, s pluginapi.State, exit int, reason string) pluginapi.ElementStatus {
		return pluginapi.ElementStatus{Index: i, Status: pluginapi.Status{State: s, ExitCode: exit, Reason: reason}}
	}
	tests := []struct {
		name  string
		elems []pluginapi.ElementStatus
		want  pluginapi.State
		exit  int
	}{
		{"all completed", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StateCompleted, 0, "")}, pluginapi.StateCompleted, 0},
		{"one failed", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StateFailed, 3, "exit status 3")}, pluginapi.StateFailed, 3},
		{"timeout beats failed", []pluginapi.ElementStatus{el(0, pluginapi.StateFailed, 1, "x"), el(1, pluginapi.StateTimeout, -1, "y")}, pluginapi.StateTimeout, -1},
		{"some done, some waiting", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StatePending, -1, "")}, pluginapi.StateRunning, -1},
		{"all waiting", []pluginapi.ElementStatus{el(0, pluginapi.StatePending, -1, ""), el(1, pluginapi.StatePending, -1, "")}, pluginapi.StatePending, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.elems, pluginapi.Status{State: pluginapi.StatePending})
			if got.State != tt.want || got.ExitCode != tt.exit {
				t.Errorf("summary %s/%d, want %s/%d (%q)", got.State, got.ExitCode, tt.want, tt.exit, got.Reason)
			}
		})
	}
}
