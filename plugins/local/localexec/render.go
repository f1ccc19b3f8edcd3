package localexec

import (
	"context"
	"path/filepath"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Render shows what Submit would run: the command that starts each element
// (a runner sources run.sh with the index; `bash run.sh <index>` does the
// same by hand) and the job script it runs. The job id is not known before Submit, so the
// path carries the placeholder "<id>"; everything else is exactly what
// Submit writes, and equal requests render equally.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	if req == nil {
		req = &pluginapi.RenderRequest{}
	}
	e.mu.Lock()
	cfg := e.cfg
	e.mu.Unlock()
	rec, diags := buildRecord(req.Job, cfg.Slots)
	for _, d := range req.Job.Dependencies {
		// Render does not look the handles up (that is Submit's job); it
		// shows them as given.
		rec.Deps = append(rec.Deps, depRecord{Kind: d.Kind, ID: d.Handle.ID, Group: d.Group})
	}
	index := "0"
	if rec.Array {
		index = pluginapi.IndexToken
	}
	return &pluginapi.RenderResponse{
		Argv:        []string{"bash", filepath.Join(cfg.StateDir, "jobs", "<id>", "run.sh"), index},
		Script:      renderJobScript(rec),
		Diagnostics: diags,
	}, nil
}
