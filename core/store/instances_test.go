package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestInstancesRoundTrip(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	now := c.Now()
	full := Instance{
		RunID: "r", Task: "upper", Index: 3, Attempt: 2, State: InstanceSucceeded,
		Handle:      pluginapi.Handle{ID: "123_[0-9]", State: []byte(`{"cluster":"a"}`)},
		NativeState: "COMPLETED", Identity: "sha256:1", Result: json.RawMessage(`{"lines":8}`),
		Outputs:  []Output{{Path: "/r/upper/3/up.txt", Size: 10, MTime: now, Digest: "sha256:2"}},
		ExitCode: 0, Reason: "", Submitted: now, Started: now.Add(time.Second), Finished: now.Add(time.Minute),
		Host: "node7", PeakMemory: 1 << 30,
	}
	single := Instance{RunID: "r", Task: "split", Index: SingletonIndex, State: InstancePending, ExitCode: 0}
	cached := Instance{RunID: "r", Task: "upper", Index: 0, State: InstanceCached, ExitCode: 0,
		Outputs: []Output{}, Result: json.RawMessage(`null`)}
	update(t, s, func(tx *Tx) error { return tx.PutInstances(ctx, []Instance{full, single, cached}) })

	// What comes back: pending has no exit code, cached is flagged.
	single.ExitCode = NoExitCode
	cached.Cached = true
	err := s.View(ctx, func(tx *Tx) error {
		all, err := tx.ListInstances(ctx, "r", InstanceFilter{})
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]Instance{single, cached, full}, all); diff != "" {
			t.Errorf("ListInstances (-want +got):\n%s", diff)
		}
		got, err := tx.GetInstance(ctx, "r", "upper", 3)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(full, got); diff != "" {
			t.Errorf("GetInstance (-want +got):\n%s", diff)
		}
		_, err = tx.GetInstance(ctx, "r", "upper", 4)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("GetInstance of a missing index = %v", err)
		}
		filtered, err := tx.ListInstances(ctx, "r", InstanceFilter{Task: "upper", States: []InstanceState{InstanceCached, InstancePending}})
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]Instance{cached}, filtered); diff != "" {
			t.Errorf("filtered (-want +got):\n%s", diff)
		}
		counts, err := tx.CountInstances(ctx, "r")
		if err != nil {
			return err
		}
		want := map[InstanceState]int{InstancePending: 1, InstanceCached: 1, InstanceSucceeded: 1}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("CountInstances (-want +got):\n%s", diff)
		}
		// Writes in a View are refused.
		if err := tx.PutInstances(ctx, []Instance{{RunID: "r", Task: "x", State: InstancePending}}); !errors.Is(err, ErrReadOnly) {
			t.Errorf("PutInstances in View = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPutInstancesErrors(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	ok := Instance{RunID: "r", Task: "a", Index: SingletonIndex, State: InstancePending}
	update(t, s, func(tx *Tx) error { return tx.PutInstances(ctx, []Instance{ok}) })
	tests := []struct {
		name string
		in   Instance
		is   error
	}{
		{"duplicate", ok, ErrExists},
		{"no task", Instance{RunID: "r", State: InstancePending}, nil},
		{"bad index", Instance{RunID: "r", Task: "b", Index: -2, State: InstancePending}, nil},
		{"bad state", Instance{RunID: "r", Task: "b", State: "waiting"}, nil},
		{"bad result", Instance{RunID: "r", Task: "b", State: InstancePending, Result: []byte("{x")}, nil},
		{"unknown run", Instance{RunID: "nope", Task: "b", State: InstancePending}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := Instance{RunID: "r", Task: "fresh", State: InstancePending}
			err := s.Update(ctx, func(tx *Tx) error { return tx.PutInstances(ctx, []Instance{fresh, tt.in}) })
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			// The whole Update rolled back, the good instance with it.
			s.View(ctx, func(tx *Tx) error {
				if _, err := tx.GetInstance(ctx, "r", "fresh", 0); !errors.Is(err, ErrNotFound) {
					t.Errorf("instance of a failed Update was kept: %v", err)
				}
				return nil
			})
		})
	}
}

// allowed is the instance state machine written out edge by edge,
// independently of the table in states.go.
var allowed = map[[2]InstanceState]bool{
	{InstancePending, InstanceSubmitted}:   true,
	{InstancePending, InstanceCached}:      true,
	{InstancePending, InstanceSkipped}:     true,
	{InstancePending, InstanceCancelled}:   true,
	{InstancePending, InstanceFailed}:      true,
	{InstancePending, InstanceRunning}:     true, // commits batched (engine)
	{InstancePending, InstanceSucceeded}:   true,
	{InstanceSubmitted, InstanceRunning}:   true,
	{InstanceSubmitted, InstanceSucceeded}: true,
	{InstanceSubmitted, InstanceFailed}:    true,
	{InstanceSubmitted, InstanceCancelled}: true,
	{InstanceSubmitted, InstancePending}:   true,
	{InstanceRunning, InstanceSucceeded}:   true,
	{InstanceRunning, InstanceFailed}:      true,
	{InstanceRunning, InstanceCancelled}:   true,
	{InstanceRunning, InstancePending}:     true,
	{InstanceFailed, InstancePending}:      true,
	{InstanceCancelled, InstancePending}:   true,
	{InstanceSkipped, InstancePending}:     true,
}

func TestInstanceTransitions(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	for _, from := range InstanceStates {
		for _, to := range InstanceStates {
			want := from == to || allowed[[2]InstanceState{from, to}]
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				if got := CanInstanceTransition(from, to); got != want {
					t.Errorf("CanInstanceTransition = %v, want %v", got, want)
				}
				in := Instance{RunID: "r", Task: string(from) + "-" + string(to), Index: 0, Attempt: 1, State: from}
				update(t, s, func(tx *Tx) error { return tx.PutInstances(ctx, []Instance{in}) })
				in.State = to
				in.Reason = "changed"
				err := s.Update(ctx, func(tx *Tx) error { return tx.UpdateInstances(ctx, []Instance{in}) })
				if want != (err == nil) {
					t.Fatalf("UpdateInstances err = %v, want allowed=%v", err, want)
				}
				if err != nil {
					var te *TransitionError
					if !errors.As(err, &te) || te.From != string(from) || te.To != string(to) {
						t.Errorf("err = %#v", err)
					}
				}
				var got Instance
				s.View(ctx, func(tx *Tx) (err error) { got, err = tx.GetInstance(ctx, "r", in.Task, 0); return })
				wantState := from
				if want {
					wantState = to
				}
				if got.State != wantState {
					t.Errorf("stored state %s, want %s", got.State, wantState)
				}
			})
		}
	}
	if CanInstanceTransition("bogus", InstancePending) || CanInstanceTransition(InstancePending, "bogus") {
		t.Error("an unknown state may transition")
	}
}

func TestUpdateInstances(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	var ins []Instance
	for i := 0; i < 5; i++ {
		ins = append(ins, Instance{RunID: "r", Task: "t", Index: i, State: InstancePending})
	}
	update(t, s, func(tx *Tx) error { return tx.PutInstances(ctx, ins) })

	// Submit all five as one array job.
	for i := range ins {
		ins[i].State, ins[i].Attempt = InstanceSubmitted, 1
		ins[i].Handle = pluginapi.Handle{ID: "900", State: []byte{byte(i)}}
		ins[i].Submitted = c.Now()
	}
	update(t, s, func(tx *Tx) error { return tx.UpdateInstances(ctx, ins) })

	t.Run("attempt never goes back", func(t *testing.T) {
		bad := ins[0]
		bad.Attempt = 0
		err := s.Update(ctx, func(tx *Tx) error { return tx.UpdateInstances(ctx, []Instance{bad}) })
		var te *TransitionError
		if !errors.As(err, &te) || te.Detail == "" {
			t.Errorf("err = %v, want a TransitionError about the attempt", err)
		}
	})
	t.Run("missing instance", func(t *testing.T) {
		err := s.Update(ctx, func(tx *Tx) error {
			return tx.UpdateInstances(ctx, []Instance{{RunID: "r", Task: "t", Index: 99, State: InstancePending}})
		})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("one bad row rolls back the batch", func(t *testing.T) {
		batch := []Instance{ins[1], ins[2]}
		batch[0].State = InstanceRunning
		batch[1].State = InstanceCached // submitted → cached is not allowed
		err := s.Update(ctx, func(tx *Tx) error { return tx.UpdateInstances(ctx, batch) })
		if !errors.Is(err, ErrInvalidTransition) {
			t.Fatalf("err = %v", err)
		}
		var got Instance
		s.View(ctx, func(tx *Tx) (err error) { got, err = tx.GetInstance(ctx, "r", "t", 1); return })
		if got.State != InstanceSubmitted {
			t.Errorf("state %s after rollback, want submitted", got.State)
		}
	})
	t.Run("retry cycle keeps history", func(t *testing.T) {
		in := ins[3]
		in.State, in.ExitCode, in.Reason, in.NativeState = InstanceFailed, 137, "out of memory", "OUT_OF_MEMORY"
		in.Finished = c.Now()
		err := s.Update(ctx, func(tx *Tx) error {
			if err := tx.AppendAttempts(ctx, in.AttemptRecord()); err != nil {
				return err
			}
			retry := in
			retry.State, retry.Reason, retry.NativeState = InstancePending, "", ""
			if err := tx.UpdateInstances(ctx, []Instance{retry}); err != nil {
				return err
			}
			retry.State, retry.Attempt, retry.Handle = InstanceSubmitted, 2, pluginapi.Handle{ID: "901"}
			if err := tx.UpdateInstances(ctx, []Instance{retry}); err != nil {
				return err
			}
			return tx.AppendAttempts(ctx, retry.AttemptRecord())
		})
		if err != nil {
			t.Fatal(err)
		}
		var att []Attempt
		s.View(ctx, func(tx *Tx) (err error) { att, err = tx.ListAttempts(ctx, "r", "t", 3); return })
		var summary []string
		for _, a := range att {
			summary = append(summary, fmt.Sprintf("%d %s %s %d %s", a.Attempt, a.State, a.Handle.ID, a.ExitCode, a.NativeState))
		}
		want := []string{"1 failed 900 137 OUT_OF_MEMORY", "2 submitted 901 -1 "}
		if diff := cmp.Diff(want, summary); diff != "" {
			t.Errorf("attempts (-want +got):\n%s", diff)
		}
		var all []Attempt
		s.View(ctx, func(tx *Tx) (err error) { all, err = tx.ListAttempts(ctx, "r", "", 0); return })
		if len(all) != 2 {
			t.Errorf("run attempts = %d, want 2", len(all))
		}
		if err := s.Update(ctx, func(tx *Tx) error { return tx.AppendAttempts(ctx, Attempt{RunID: "r", Task: "t"}) }); err == nil {
			t.Error("attempt 0 was accepted")
		}
	})
}

func TestPutInstances100k(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	ins := manyInstances("r", 100_000)
	start := time.Now()
	update(t, s, func(tx *Tx) error { return tx.PutInstances(ctx, ins) })
	took := time.Since(start)
	t.Logf("PutInstances of 100,000: %v", took)
	var n map[InstanceState]int
	s.View(ctx, func(tx *Tx) (err error) { n, err = tx.CountInstances(ctx, "r"); return })
	if n[InstancePending] != 100_000 {
		t.Errorf("stored %v", n)
	}
}

func manyInstances(run string, n int) []Instance {
	ins := make([]Instance, n)
	for i := range ins {
		ins[i] = Instance{RunID: run, Task: "upper", Index: i, State: InstancePending,
			Identity: fmt.Sprintf("sha256:%064x", i)}
	}
	return ins
}
