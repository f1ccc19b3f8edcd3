// Package memexec is an executor that keeps nothing and runs nothing: every
// handle it is asked about is reported completed. Benchmarks use it to
// measure the cost of the plugin transport itself.
package memexec

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Executor is the no-op executor.
type Executor struct{ next atomic.Int64 }

var _ pluginapi.Executor = (*Executor)(nil)

func (e *Executor) Info(context.Context, *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	return &pluginapi.InfoResponse{Name: "bench", Version: "0.0.0", ProtocolVersion: pluginapi.ProtocolVersion}, nil
}

func (e *Executor) Configure(context.Context, *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	return &pluginapi.ConfigureResponse{}, nil
}

func (e *Executor) Render(_ context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	return &pluginapi.RenderResponse{Argv: []string{"bash"}, Script: req.Job.Script}, nil
}

func (e *Executor) Submit(context.Context, *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	return &pluginapi.SubmitResponse{Handle: pluginapi.Handle{ID: strconv.FormatInt(e.next.Add(1), 10)}}, nil
}

var epoch = time.Unix(1_700_000_000, 0)

// Poll answers like a scheduler whose jobs all finished: with a state, an
// exit code, a native state, and start and end times, so the payload per job
// is realistic.
func (e *Executor) Poll(_ context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	out := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(req.Handles))}
	for i, h := range req.Handles {
		out.Jobs[i] = pluginapi.JobStatus{ID: h.ID, Status: pluginapi.Status{
			State: pluginapi.StateCompleted, ExitCode: 0, NativeState: "COMPLETED",
			Start: epoch, End: epoch.Add(time.Minute),
		}}
	}
	return out, nil
}

func (e *Executor) Cancel(context.Context, *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	return &pluginapi.CancelResponse{}, nil
}
