package engine

import (
	"context"

	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// executor returns the running plugin for name, starting it on first use.
func (d *dispatcher) executor(ctx context.Context, name string) (*pluginhost.Running, error) {
	if r, ok := d.executors[name]; ok {
		return r, nil
	}
	r, err := d.cfg.Host.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	d.executors[name] = r
	return r, nil
}

// cancelActive cancels every job still out, one batched Cancel per
// executor, and marks what has not ended cancelled.
func (d *dispatcher) cancelActive(ctx context.Context, reason string) {
	d.cancelled = true
	handles := map[string][]pluginapi.Handle{}
	seen := map[string]bool{}
	d.m.live(func(j *job, in *inst) {
		switch {
		case in.State.Active():
			if !seen[in.Handle.ID] {
				seen[in.Handle.ID] = true
				handles[j.executor] = append(handles[j.executor], in.Handle)
			}
			in.set(store.InstanceCancelled, reason)
			in.Finished = d.cfg.Store.Now()
			d.attempts = append(d.attempts, in.AttemptRecord())
		case in.State == store.InstancePending:
			in.set(store.InstanceCancelled, reason)
		}
	})
	for name, hs := range handles {
		ex, err := d.executor(ctx, name)
		if err != nil {
			d.cfg.logger().Error("cannot cancel jobs", "executor", name, "error", err)
			continue
		}
		resp, err := ex.Executor().Cancel(ctx, &pluginapi.CancelRequest{Handles: hs})
		if err != nil {
			d.cfg.logger().Error("cancel failed", "executor", name, "error", err)
			continue
		}
		if err := resp.Diagnostics.Err(); err != nil {
			d.cfg.logger().Warn("some jobs could not be cancelled", "executor", name, "error", err)
		}
	}
}
