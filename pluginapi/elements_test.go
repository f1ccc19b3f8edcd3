package pluginapi

import (
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMergeElements(t *testing.T) {
	t0 := time.Unix(100, 0)
	t1 := time.Unix(200, 0)
	done := func(i int, start time.Time) ElementStatus {
		return ElementStatus{Index: i, Status: Status{State: StateCompleted, NativeState: "EXITED", Start: start}}
	}
	run := func(i int) ElementStatus {
		return ElementStatus{Index: i, Status: Status{State: StateRunning, ExitCode: NoExitCode, Start: t0}}
	}
	tests := []struct {
		name string
		in   []ElementStatus
		want []ElementStatus
	}{
		{"empty", nil, []ElementStatus{}},
		{"same times kept", []ElementStatus{done(0, t0), done(1, t0)},
			[]ElementStatus{{Index: 0, Count: 2, Status: Status{State: StateCompleted, NativeState: "EXITED", Start: t0}}}},
		{"differing times dropped", []ElementStatus{done(0, t0), done(1, t1), done(2, t0)},
			[]ElementStatus{{Index: 0, Count: 3, Status: Status{State: StateCompleted, NativeState: "EXITED"}}}},
		{"gap splits", []ElementStatus{done(0, t0), done(2, t0)}, []ElementStatus{done(0, t0), done(2, t0)}},
		{"running stays apart", []ElementStatus{run(0), run(1)}, []ElementStatus{run(0), run(1)}},
		{"exit code splits", []ElementStatus{done(0, t0), {Index: 1, Status: Status{State: StateCompleted, NativeState: "EXITED", ExitCode: 1, Start: t0}}},
			[]ElementStatus{done(0, t0), {Index: 1, Status: Status{State: StateCompleted, NativeState: "EXITED", ExitCode: 1, Start: t0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MergeElements(tt.in)); diff != "" {
				t.Errorf("MergeElements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMergeLookupRoundTrip: whatever MergeElements makes of a random element
// list, EachElement and ElementLookup give back every element's state.
func TestMergeLookupRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	states := []State{StatePending, StateRunning, StateCompleted, StateFailed}
	for trial := 0; trial < 200; trial++ {
		n := rng.Intn(300)
		offset := rng.Intn(50)
		var els []ElementStatus
		want := map[int]State{}
		for i := 0; i < n; i++ {
			if rng.Intn(10) == 0 {
				continue // not every index is listed
			}
			s := states[rng.Intn(len(states))]
			if rng.Intn(3) > 0 && len(els) > 0 {
				s = els[len(els)-1].State // long runs, as in real arrays
			}
			els = append(els, ElementStatus{Index: offset + i, Status: Status{State: s, Start: time.Unix(int64(rng.Intn(3)), 0)}})
			want[offset+i] = s
		}
		merged := MergeElements(els)
		js := JobStatus{Elements: merged}
		got := map[int]State{}
		js.EachElement(func(i int, st *Status) { got[i] = st.State })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("trial %d: EachElement (-want +got):\n%s", trial, diff)
		}
		l := NewElementLookup(merged)
		for i := -1; i < offset+n+1; i++ {
			st, ok := l.Find(i)
			w, listed := want[i]
			if ok != listed || (ok && st.State != w) {
				t.Fatalf("trial %d: Find(%d) = %v, %v; want %v, %v", trial, i, st, ok, w, listed)
			}
		}
	}
}
