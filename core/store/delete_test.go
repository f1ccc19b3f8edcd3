package store

import (
	"context"
	"errors"
	"testing"
)

// TestDeleteInstance removes one instance and its attempts, leaves its
// neighbours, and reports a missing one as not found.
func TestDeleteInstance(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	mustCreateRun(t, s, c, "r")
	ins := []Instance{
		{RunID: "r", Task: "a", Index: SingletonIndex, State: InstanceCancelled, Attempt: 1, ExitCode: NoExitCode},
		{RunID: "r", Task: "b", Index: SingletonIndex, State: InstanceFailed, Attempt: 1, ExitCode: 1},
	}
	update(t, s, func(tx *Tx) error {
		if err := tx.PutInstances(ctx, ins); err != nil {
			return err
		}
		return tx.AppendAttempts(ctx, ins[0].AttemptRecord(), ins[1].AttemptRecord())
	})
	update(t, s, func(tx *Tx) error { return tx.DeleteInstance(ctx, "r", "a", SingletonIndex) })
	err := s.View(ctx, func(tx *Tx) error {
		if _, err := tx.GetInstance(ctx, "r", "a", SingletonIndex); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted instance: GetInstance = %v, want not found", err)
		}
		if as, _ := tx.ListAttempts(ctx, "r", "a", SingletonIndex); len(as) != 0 {
			t.Errorf("deleted instance kept %d attempts", len(as))
		}
		if as, _ := tx.ListAttempts(ctx, "r", "b", SingletonIndex); len(as) != 1 {
			t.Errorf("neighbour has %d attempts, want 1", len(as))
		}
		_, err := tx.GetInstance(ctx, "r", "b", SingletonIndex)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.DeleteInstance(ctx, "r", "a", SingletonIndex) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want not found", err)
	}
}
