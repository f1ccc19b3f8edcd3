package fluxexec

import (
	"context"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Render shows exactly what Submit runs: the command line and the job
// script it writes to the script path the command line names. For an
// array submitted as one flux batch per element, Argv holds {index} where
// each element's engine index goes. Render does not look handles up or
// touch the file system, so `reflow plan` can show jobs of a run whose
// directories do not exist yet.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	if req == nil {
		req = &pluginapi.RenderRequest{}
	}
	p, diags := e.buildPlan(req.Job)
	if p == nil {
		return &pluginapi.RenderResponse{Diagnostics: diags}, nil
	}
	return &pluginapi.RenderResponse{Argv: p.argv, Script: p.script, Diagnostics: diags}, nil
}
