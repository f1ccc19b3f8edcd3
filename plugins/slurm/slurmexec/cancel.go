package slurmexec

import (
	"context"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Cancel cancels many jobs with one scancel call (per cluster). Ids that
// are not Slurm job ids are skipped: there is nothing to cancel. scancel is
// silent, and exits 0, for jobs that ended or that Slurm does not know, so
// cancelling again is not an error.
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	cfg, _ := e.snapshot(ctx)
	byCluster := map[string][]string{}
	seen := map[string]bool{}
	for _, h := range req.Handles {
		if !validJobID(h.ID) || seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		hs, _ := decodeHandle(h)
		byCluster[hs.Cluster] = append(byCluster[hs.Cluster], h.ID)
	}
	var diags pluginapi.Diagnostics
	for cluster, ids := range byCluster {
		diags = append(diags, e.scancel(ctx, cfg, cluster, ids)...)
	}
	return &pluginapi.CancelResponse{Diagnostics: diags}, nil
}

// scancel cancels ids (jobs, elements "123_4" or ranges "123_[5-9]") in as
// few calls as the command line allows, and remembers the jobs it
// cancelled.
func (e *Executor) scancel(ctx context.Context, cfg config, cluster string, ids []string) pluginapi.Diagnostics {
	var diags pluginapi.Diagnostics
	for _, chunk := range chunkArgs(ids) {
		args := append(clusterArgs(cluster), chunk...)
		if _, err := e.run(ctx, cfg, cfg.Scancel, args, nil); err != nil {
			diags = diags.Errorf("handles", "scancel of %d jobs failed: %s", len(chunk), stderrOf(err))
			continue
		}
		e.mu.Lock()
		for _, id := range chunk {
			e.cancelled[id] = true
		}
		e.mu.Unlock()
	}
	return diags
}
