package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunsRoundTrip(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	r := testRun("r1", c)
	update(t, s, func(tx *Tx) error { return tx.CreateRun(ctx, r) })

	err := s.Update(ctx, func(tx *Tx) error { return tx.CreateRun(ctx, r) })
	if !errors.Is(err, ErrExists) {
		t.Errorf("second CreateRun = %v, want ErrExists", err)
	}
	c.Advance(time.Second)
	update(t, s, func(tx *Tx) error {
		return tx.SetRunDispatcher(ctx, "r1", "detached", json.RawMessage(`{"job":"77"}`))
	})
	c.Advance(time.Second)
	update(t, s, func(tx *Tx) error {
		return tx.SetRunDispatcher(ctx, "r1", "foreground", nil) // Started stays the first start
	})
	var got Run
	if err := s.View(ctx, func(tx *Tx) (err error) { got, err = tx.GetRun(ctx, "r1"); return }); err != nil {
		t.Fatal(err)
	}
	want := r
	want.DispatchMode = "foreground"
	want.Started = c.Now().Add(-time.Second)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetRun (-want +got):\n%s", diff)
	}
	err = s.View(ctx, func(tx *Tx) error { _, err := tx.GetRun(ctx, "nope"); return err })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRun(nope) = %v", err)
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.CreateRun(ctx, Run{ID: "bad", Workflow: "w", RunDir: "/d", Params: []byte("{")})
	}); err == nil {
		t.Error("CreateRun with invalid params JSON succeeded")
	}
}

func TestRunStateTransitions(t *testing.T) {
	tests := []struct {
		path []RunState // states entered in order after creation (running)
		ok   bool       // whether the last step is allowed
	}{
		{[]RunState{RunSucceeded}, true},
		{[]RunState{RunFailed}, true},
		{[]RunState{RunCancelled}, true},
		{[]RunState{RunFailed, RunRunning}, true},    // reflow retry
		{[]RunState{RunCancelled, RunRunning}, true}, // reflow resume
		{[]RunState{RunSucceeded, RunRunning}, false},
		{[]RunState{RunSucceeded, RunFailed}, false},
		{[]RunState{RunFailed, RunSucceeded}, false},
		{[]RunState{RunSucceeded, RunSucceeded}, true},
		{[]RunState{"bogus"}, false},
	}
	for _, tt := range tests {
		name := ""
		for _, s := range tt.path {
			name += "→" + string(s)
		}
		t.Run(name, func(t *testing.T) {
			c := newClock()
			s := openTest(t, Options{Now: c.Now})
			ctx := context.Background()
			mustCreateRun(t, s, c, "r")
			var err error
			for i, st := range tt.path {
				c.Advance(time.Minute)
				err = s.Update(ctx, func(tx *Tx) error { return tx.UpdateRunState(ctx, "r", st, "why") })
				if i < len(tt.path)-1 && err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if tt.ok != (err == nil) {
				t.Fatalf("last step err = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrInvalidTransition) {
					t.Errorf("err %v is not ErrInvalidTransition", err)
				}
				return
			}
			var r Run
			s.View(ctx, func(tx *Tx) (err error) { r, err = tx.GetRun(ctx, "r"); return })
			last := tt.path[len(tt.path)-1]
			if r.State != last {
				t.Errorf("state %s, want %s", r.State, last)
			}
			if last.Terminal() == r.Finished.IsZero() {
				t.Errorf("state %s with Finished %v", last, r.Finished)
			}
		})
	}
	t.Run("missing run", func(t *testing.T) {
		s := openTest(t, Options{})
		err := s.Update(context.Background(), func(tx *Tx) error {
			return tx.UpdateRunState(context.Background(), "nope", RunFailed, "")
		})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestListRuns(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mk := func(id, wf, cwd, runDir string, st RunState) {
		c.Advance(time.Second)
		r := testRun(id, c)
		r.Workflow, r.Cwd, r.RunDir, r.State = wf, cwd, runDir, st
		update(t, s, func(tx *Tx) error { return tx.CreateRun(ctx, r) })
	}
	mk("a", "etl", "/p1", "/p1/reflow-runs/a", RunSucceeded)
	mk("b", "etl", "/p2", "/p2/reflow-runs/b", RunFailed)
	mk("c", "qc", "/p1", "/scratch/runs/c", RunRunning) // run root elsewhere
	mk("d", "qc", "/home", "/p1/sub/reflow-runs/d", RunRunning)
	mk("e", "qc", "/p10", "/p10/reflow-runs/e", RunRunning) // "/p10" is not under "/p1"

	tests := []struct {
		name string
		f    RunFilter
		want []string
	}{
		{"all newest first", RunFilter{}, []string{"e", "d", "c", "b", "a"}},
		{"workflow", RunFilter{Workflow: "etl"}, []string{"b", "a"}},
		{"state", RunFilter{State: RunRunning}, []string{"e", "d", "c"}},
		{"limit", RunFilter{Limit: 2}, []string{"e", "d"}},
		{"dir", RunFilter{Dir: "/p1"}, []string{"d", "c", "a"}},
		{"dir trailing slash", RunFilter{Dir: "/p1/"}, []string{"d", "c", "a"}},
		{"dir and workflow", RunFilter{Dir: "/p1", Workflow: "qc", Limit: 1}, []string{"d"}},
		{"none", RunFilter{Workflow: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs []Run
			if err := s.View(ctx, func(tx *Tx) (err error) { runs, err = tx.ListRuns(ctx, tt.f); return }); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range runs {
				ids = append(ids, r.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("ListRuns(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
	t.Run("LatestRun", func(t *testing.T) {
		for dir, want := range map[string]string{"/p2": "b", "/p1": "d", "/scratch/runs": "c", "/nowhere": ""} {
			var r Run
			err := s.View(ctx, func(tx *Tx) (err error) { r, err = tx.LatestRun(ctx, dir); return })
			if want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("LatestRun(%s) = %v, %v; want ErrNotFound", dir, r.ID, err)
				}
				continue
			}
			if err != nil || r.ID != want {
				t.Errorf("LatestRun(%s) = %q, %v; want %q", dir, r.ID, err, want)
			}
		}
	})
}

func TestTasksAndDependencies(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r")
	tasks := []Task{
		{RunID: "r", Name: "split", Kind: TaskSingleton, Executor: "local", Spec: json.RawMessage(`{"v":1}`)},
		{RunID: "r", Name: "upper", Kind: TaskArray, Executor: "slurm", Spec: json.RawMessage(`{}`)},
	}
	deps := []Dependency{
		{RunID: "r", Task: "upper", Upstream: "split", Kind: DepElementwise},
		{RunID: "r", Task: "join", Upstream: "upper", Kind: DepGather},
	}
	update(t, s, func(tx *Tx) error {
		if err := tx.PutTasks(ctx, tasks); err != nil {
			return err
		}
		if err := tx.PutDependencies(ctx, deps); err != nil {
			return err
		}
		return tx.PutDependencies(ctx, deps[:1]) // again: ignored
	})
	tasks[0].Spec = json.RawMessage(`{"v":2}`)
	update(t, s, func(tx *Tx) error { return tx.PutTasks(ctx, tasks[:1]) })

	err := s.View(ctx, func(tx *Tx) error {
		gotT, err := tx.ListTasks(ctx, "r")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(tasks, gotT); diff != "" {
			t.Errorf("ListTasks (-want +got):\n%s", diff)
		}
		gotD, err := tx.ListDependencies(ctx, "r")
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]Dependency{deps[1], deps[0]}, gotD); diff != "" {
			t.Errorf("ListDependencies (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, fn := range map[string]func(*Tx) error{
		"bad kind": func(tx *Tx) error { return tx.PutTasks(ctx, []Task{{RunID: "r", Name: "x", Kind: "many"}}) },
		"bad dep kind": func(tx *Tx) error {
			return tx.PutDependencies(ctx, []Dependency{{RunID: "r", Task: "a", Upstream: "b", Kind: "x"}})
		},
		"unknown run": func(tx *Tx) error { return tx.PutTasks(ctx, []Task{{RunID: "zz", Name: "x", Kind: TaskArray}}) },
	} {
		if err := s.Update(ctx, fn); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
