package store

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// TestHandleStateStoredOnce: 2,000 elements sharing a handle with 64 KiB of
// state cost the state once, not 2,000 times, and every element (and its
// attempt record) reads back the whole handle.
func TestHandleStateStoredOnce(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	run := mustCreateRun(t, s, newClock(), "r1").ID
	state := bytes.Repeat([]byte("elem-id;"), 8<<10)
	h := pluginapi.Handle{ID: "77", State: state}
	const n = 2000
	ins := make([]Instance, n)
	for i := range ins {
		ins[i] = Instance{RunID: run, Task: "t", Index: i, State: InstancePending}
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.PutInstances(ctx, ins) }); err != nil {
		t.Fatal(err)
	}
	var atts []Attempt
	for i := range ins {
		ins[i].Attempt, ins[i].State, ins[i].Handle = 1, InstanceSubmitted, h
		atts = append(atts, ins[i].AttemptRecord())
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.UpdateInstances(ctx, ins); err != nil {
			return err
		}
		return tx.AppendAttempts(ctx, atts...)
	}); err != nil {
		t.Fatal(err)
	}
	err := s.View(ctx, func(tx *Tx) error {
		got, err := tx.ListInstances(ctx, run, InstanceFilter{})
		if err != nil {
			return err
		}
		for _, in := range got {
			if in.Handle.ID != "77" || !bytes.Equal(in.Handle.State, state) {
				t.Fatalf("instance %d: handle %q with %d bytes of state, want 77 with %d", in.Index, in.Handle.ID, len(in.Handle.State), len(state))
			}
		}
		one, err := tx.GetInstance(ctx, run, "t", 1234)
		if err != nil {
			return err
		}
		if !bytes.Equal(one.Handle.State, state) {
			t.Errorf("GetInstance: %d bytes of state", len(one.Handle.State))
		}
		as, err := tx.ListAttempts(ctx, run, "t", 7)
		if err != nil {
			return err
		}
		if len(as) != 1 || !bytes.Equal(as[0].Handle.State, state) {
			t.Errorf("attempts: %d, state of %d bytes", len(as), len(as[0].Handle.State))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 copies of 64 KiB would be 128 MiB.
	var size int64
	for _, suf := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.Path() + suf); err == nil {
			size += fi.Size()
		}
	}
	if size > 8<<20 {
		t.Errorf("store holds %d bytes for one 64 KiB handle state shared by %d elements", size, n)
	}
}
