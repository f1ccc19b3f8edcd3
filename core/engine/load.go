package engine

import (
	"context"
	"fmt"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// Rebind loads a run's workflow file again and binds the params it was
// started with. It refuses when the file (or a flow file) changed since:
// the stored tasks and instances were planned from the old text.
func Rebind(run store.Run) (*hclconfig.Bound, error) {
	w, diags := hclconfig.Load(run.FilePath, hclconfig.Options{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("workflow %s of run %s no longer loads: %s", run.FilePath, run.ID, diags.Error())
	}
	if h := FileHash(w); h != run.FileHash {
		return nil, fmt.Errorf("workflow %s changed since run %s started; start a new run with `reflow apply` (the cache keeps what is unchanged)", run.FilePath, run.ID)
	}
	b, diags := w.Bind(hclconfig.ParamInput{VarFiles: []string{paramsFile(run.RunDir)}})
	if diags.HasErrors() {
		return nil, fmt.Errorf("binding the params of run %s: %s", run.ID, diags.Error())
	}
	return b, nil
}

// load builds the dispatcher's memory of a run from the store.
func load(ctx context.Context, st *store.Store, run store.Run, bound *hclconfig.Bound) (*model, error) {
	tasks := map[string]store.Task{}
	var rows []store.Instance
	err := st.View(ctx, func(tx *store.Tx) error {
		ts, err := tx.ListTasks(ctx, run.ID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			tasks[t.Name] = t
		}
		rows, err = tx.ListInstances(ctx, run.ID, store.InstanceFilter{})
		return err
	})
	if err != nil {
		return nil, err
	}
	m := newModel(run, bound, func(j *hclconfig.Job) string {
		if t, ok := tasks[j.Name]; ok && t.Executor != "" {
			return t.Executor
		}
		return executorFor(j, run.Executor)
	})
	byJob := map[string][]store.Instance{}
	for _, r := range rows {
		byJob[r.Task] = append(byJob[r.Task], r)
	}
	for _, j := range m.order {
		rs := byJob[j.hc.Name]
		if len(rs) == 0 {
			continue
		}
		if j.isArray() && len(rs) == 1 && rs[0].Index == store.SingletonIndex {
			// The stand-in of an array that never got a size.
			j.insts = []*inst{{Instance: rs[0], placeholder: true}}
			continue
		}
		j.size = len(rs)
		if !j.isArray() {
			j.size = 1
		}
		j.insts = make([]*inst, len(rs))
		for _, r := range rs {
			pos := r.Index
			if pos < 0 {
				pos = 0
			}
			if pos >= len(rs) {
				return nil, fmt.Errorf("run %s: task %s has instance %d of %d", run.ID, j.hc.Name, r.Index, len(rs))
			}
			j.insts[pos] = &inst{Instance: r}
		}
	}
	m.all(func(j *job, in *inst) {
		if in.State.Done() && !in.placeholder {
			m.record(j, in)
		}
	})
	return m, nil
}
