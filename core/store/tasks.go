package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// Task is a task spec of a run: one job block (or flow job) as planned.
type Task struct {
	RunID    string
	Name     string // "split", "qc.align" for a flow's job
	Kind     TaskKind
	Executor string
	// Spec is the engine's resolved task spec as JSON, opaque to the store.
	Spec json.RawMessage
}

// Dependency is an edge: Task depends on Upstream in the given way.
type Dependency struct {
	RunID    string
	Task     string
	Upstream string
	Kind     DepKind
}

// PutTasks stores task specs, replacing a stored spec of the same
// run and name (a dynamic fan-out may refine its spec once sized).
func (t *Tx) PutTasks(ctx context.Context, tasks []Task) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(tasks) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, `INSERT INTO tasks (run_id, name, kind, executor, spec)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (run_id, name) DO UPDATE SET kind = excluded.kind,
			executor = excluded.executor, spec = excluded.spec`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range tasks {
		if k.RunID == "" || k.Name == "" {
			return fmt.Errorf("PutTasks: task %q of run %q: RunID and Name are required", k.Name, k.RunID)
		}
		if k.Kind != TaskSingleton && k.Kind != TaskArray {
			return fmt.Errorf("PutTasks: task %s/%s: kind %q is neither singleton nor array", k.RunID, k.Name, k.Kind)
		}
		if err := checkJSON("spec of task "+k.Name, k.Spec); err != nil {
			return err
		}
		spec := string(k.Spec)
		if spec == "" {
			spec = "{}"
		}
		if _, err := st.ExecContext(ctx, k.RunID, k.Name, string(k.Kind), k.Executor, spec); err != nil {
			return fmt.Errorf("task %s/%s: %w", k.RunID, k.Name, err)
		}
	}
	return nil
}

// ListTasks returns a run's task specs by name.
func (t *Tx) ListTasks(ctx context.Context, runID string) ([]Task, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT run_id, name, kind, executor, spec FROM tasks
		WHERE run_id = ? ORDER BY name`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var (
			k    Task
			kind string
			spec string
		)
		if err := rows.Scan(&k.RunID, &k.Name, &kind, &k.Executor, &spec); err != nil {
			return nil, err
		}
		k.Kind = TaskKind(kind)
		k.Spec = json.RawMessage(spec)
		out = append(out, k)
	}
	return out, rows.Err()
}

// PutDependencies stores edges; an edge already stored is left as it is.
func (t *Tx) PutDependencies(ctx context.Context, deps []Dependency) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(deps) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, `INSERT INTO dependencies (run_id, task, upstream, kind)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range deps {
		if !d.Kind.Valid() {
			return fmt.Errorf("PutDependencies: %s → %s: unknown kind %q", d.Task, d.Upstream, d.Kind)
		}
		if d.RunID == "" || d.Task == "" || d.Upstream == "" {
			return fmt.Errorf("PutDependencies: RunID, Task and Upstream are required (%+v)", d)
		}
		if _, err := st.ExecContext(ctx, d.RunID, d.Task, d.Upstream, string(d.Kind)); err != nil {
			return fmt.Errorf("dependency %s/%s → %s: %w", d.RunID, d.Task, d.Upstream, err)
		}
	}
	return nil
}

// ListDependencies returns a run's edges ordered by task, upstream, kind.
func (t *Tx) ListDependencies(ctx context.Context, runID string) ([]Dependency, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT run_id, task, upstream, kind FROM dependencies
		WHERE run_id = ? ORDER BY task, upstream, kind`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dependency
	for rows.Next() {
		var (
			d    Dependency
			kind string
		)
		if err := rows.Scan(&d.RunID, &d.Task, &d.Upstream, &kind); err != nil {
			return nil, err
		}
		d.Kind = DepKind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}
