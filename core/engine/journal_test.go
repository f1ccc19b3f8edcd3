package engine

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// TestJournalReplay: what a dispatcher submitted but never committed is
// reattached by the next one; what the store already holds, a retry's
// older attempt and a line cut short by the kill are left alone; after a
// commit (reset) nothing is replayed.
func TestJournalReplay(t *testing.T) {
	runDir := t.TempDir()
	pending := func(index, attempt int) *inst {
		return &inst{Instance: store.Instance{Task: "t", Index: index, Attempt: attempt, State: store.InstancePending}}
	}
	newModel := func() *model {
		j := &job{size: 4, insts: []*inst{pending(0, 0), pending(1, 0), pending(2, 1), {Instance: store.Instance{Task: "t", Index: 3, Attempt: 1, State: store.InstanceSubmitted, Handle: pluginapi.Handle{ID: "old"}}}}}
		return &model{run: store.Run{RunDir: runDir}, jobs: map[string]*job{"t": j}}
	}
	jl := &journal{path: runspec.SubmissionsPath(runDir)}
	defer jl.close()
	at := time.Unix(1700000000, 0).UTC()
	for _, l := range []journalLine{
		{Task: "t", Attempt: 1, Indices: []int{0, 1}, Handle: pluginapi.Handle{ID: "42", State: []byte("s")}, At: at},
		{Task: "t", Attempt: 1, Indices: []int{2}, Handle: pluginapi.Handle{ID: "stale"}, At: at}, // the store has attempt 1 already
		{Task: "t", Attempt: 2, Indices: []int{3}, Handle: pluginapi.Handle{ID: "43"}, At: at},    // not pending in the store
		{Task: "nosuch", Attempt: 1, Indices: []int{0}, Handle: pluginapi.Handle{ID: "44"}, At: at},
	} {
		if err := jl.append(l); err != nil {
			t.Fatal(err)
		}
	}
	// A line the kill cut short.
	if _, err := jl.f.WriteString(`{"task":"t","attempt":1,"indi`); err != nil {
		t.Fatal(err)
	}

	m := newModel()
	n, err := replayJournal(m)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		State   store.InstanceState
		Attempt int
		Handle  string
	}
	var got []row
	for _, in := range m.jobs["t"].insts {
		got = append(got, row{in.State, in.Attempt, in.Handle.ID})
	}
	want := []row{{store.InstanceSubmitted, 1, "42"}, {store.InstanceSubmitted, 1, "42"}, {store.InstancePending, 1, ""}, {store.InstanceSubmitted, 1, "old"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after replay (-want +got):\n%s", diff)
	}
	if n != 2 || !m.jobs["t"].insts[0].dirty || !m.jobs["t"].insts[0].Submitted.Equal(at) {
		t.Errorf("replayed %d (want 2), dirty %v, submitted %v", n, m.jobs["t"].insts[0].dirty, m.jobs["t"].insts[0].Submitted)
	}

	if err := jl.reset(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(jl.path); err != nil || fi.Size() != 0 {
		t.Fatalf("journal after reset: %v, %v", fi, err)
	}
	if n, err := replayJournal(newModel()); n != 0 || err != nil {
		t.Errorf("replay after reset moved %d instances (err %v), want none", n, err)
	}
}
