package pluginapi

import (
	"context"
	"fmt"

	pb "github.com/reflow-hpc/reflow/pluginapi/internal/executorpb"
)

// grpcClient is the host's view of a plugin: an Executor whose methods are
// RPCs. It checks the plugin's answers for the invariants the engine relies
// on, so a buggy plugin fails loudly here rather than corrupting a run.
type grpcClient struct {
	client pb.ExecutorClient
}

var _ Executor = (*grpcClient)(nil)

func (c *grpcClient) Info(ctx context.Context, _ *InfoRequest) (*InfoResponse, error) {
	r, err := c.client.Info(ctx, &pb.InfoRequest{})
	if err != nil {
		return nil, err
	}
	return infoFromPB(r), nil
}

func (c *grpcClient) Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	b, err := settingsToJSON(req.Settings)
	if err != nil {
		return nil, err
	}
	r, err := c.client.Configure(ctx, &pb.ConfigureRequest{SettingsJson: b})
	if err != nil {
		return nil, err
	}
	return &ConfigureResponse{Diagnostics: diagsFromPB(r.GetDiagnostics())}, nil
}

func (c *grpcClient) Render(ctx context.Context, req *RenderRequest) (*RenderResponse, error) {
	r, err := c.client.Render(ctx, &pb.RenderRequest{Job: jobToPB(&req.Job)})
	if err != nil {
		return nil, err
	}
	return &RenderResponse{Argv: r.GetArgv(), Script: r.GetScript(), Diagnostics: diagsFromPB(r.GetDiagnostics())}, nil
}

func (c *grpcClient) Submit(ctx context.Context, req *SubmitRequest) (*SubmitResponse, error) {
	r, err := c.client.Submit(ctx, &pb.SubmitRequest{Job: jobToPB(&req.Job)})
	if err != nil {
		return nil, err
	}
	out := &SubmitResponse{Handle: handleFromPB(r.GetHandle()), RetryLater: r.GetRetryLater(), Diagnostics: diagsFromPB(r.GetDiagnostics())}
	if !out.RetryLater && !out.Diagnostics.HasErrors() && out.Handle.ID == "" {
		return nil, fmt.Errorf("plugin bug: Submit succeeded without a job id")
	}
	return out, nil
}

func (c *grpcClient) Poll(ctx context.Context, req *PollRequest) (*PollResponse, error) {
	r, err := c.client.Poll(ctx, &pb.PollRequest{Handles: handlesToPB(req.Handles)})
	if err != nil {
		return nil, err
	}
	out := pollFromPB(r)
	if len(out.Jobs) != len(req.Handles) {
		return nil, fmt.Errorf("plugin bug: Poll of %d handles answered %d jobs", len(req.Handles), len(out.Jobs))
	}
	return out, nil
}

func (c *grpcClient) Cancel(ctx context.Context, req *CancelRequest) (*CancelResponse, error) {
	r, err := c.client.Cancel(ctx, &pb.CancelRequest{Handles: handlesToPB(req.Handles)})
	if err != nil {
		return nil, err
	}
	return &CancelResponse{Diagnostics: diagsFromPB(r.GetDiagnostics())}, nil
}
