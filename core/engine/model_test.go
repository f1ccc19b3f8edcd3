package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// TestSettle: the settled mark stops at the first instance that may still
// change, and the questions answered from it (done, broken, the progress
// counts, the run's end) come out as a scan of every instance says.
func TestSettle(t *testing.T) {
	const (
		ok   = store.InstanceSucceeded
		hit  = store.InstanceCached
		bad  = store.InstanceFailed
		out  = store.InstanceRunning
		wait = store.InstancePending
	)
	type spec struct {
		state       store.InstanceState
		dirty       bool
		failKind    string
		placeholder bool
	}
	tests := []struct {
		name    string
		insts   []spec
		settled int
	}{
		{"all ended", []spec{{state: ok}, {state: hit}, {state: ok}}, 3},
		{"stops at the first running", []spec{{state: ok}, {state: out}, {state: ok}}, 1},
		{"stops at the uncommitted", []spec{{state: ok}, {state: ok, dirty: true}, {state: ok}}, 1},
		{"a failure weighed for a retry settles", []spec{{state: bad}, {state: ok}}, 2},
		{"a failure not yet weighed does not", []spec{{state: ok}, {state: bad, failKind: "failed"}}, 1},
		{"a stand-in never settles", []spec{{state: bad, placeholder: true}}, 0},
		{"pending first", []spec{{state: wait}, {state: ok}}, 0},
		{"a failure in the middle", []spec{{state: ok}, {state: bad}, {state: ok}, {state: wait}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &job{hc: &hclconfig.Job{Name: "a", Kind: hclconfig.StaticArray}, size: len(tt.insts)}
			for i, s := range tt.insts {
				j.insts = append(j.insts, &inst{Instance: store.Instance{Task: "a", Index: i, State: s.state},
					dirty: s.dirty, failKind: s.failKind, placeholder: s.placeholder})
			}
			// What a scan of every instance answers, before settling.
			wantDone, wantBroken := j.done(), j.broken()
			wantCounts := map[store.InstanceState]int{}
			for _, in := range j.insts {
				wantCounts[in.State]++
			}
			m := &model{order: []*job{j}, jobs: map[string]*job{"a": j}}
			d := &dispatcher{m: m}
			wantFin, wantState, wantReason := d.finished()

			m.settle()
			m.settle() // a second call moves nothing that did not end
			if j.settled != tt.settled {
				t.Errorf("settled %d, want %d", j.settled, tt.settled)
			}
			if got := j.done(); got != wantDone {
				t.Errorf("done %v, want %v", got, wantDone)
			}
			if got := j.broken(); got != wantBroken {
				t.Errorf("broken %v, want %v", got, wantBroken)
			}
			var s Summary
			d.cfg.Progress = func(got Summary) { s = got }
			d.report(false)
			if diff := cmp.Diff(wantCounts, s.Counts); diff != "" || s.Total != len(tt.insts) {
				t.Errorf("progress total %d, counts (-want +got):\n%s", s.Total, diff)
			}
			fin, state, reason := d.finished()
			if fin != wantFin || state != wantState || reason != wantReason {
				t.Errorf("finished %v %q %q, want %v %q %q", fin, state, reason, wantFin, wantState, wantReason)
			}
			visited := 0
			m.live(func(*job, *inst) { visited++ })
			if visited != len(tt.insts)-tt.settled {
				t.Errorf("live visited %d instances, want the %d unsettled", visited, len(tt.insts)-tt.settled)
			}
		})
	}
}
