package pluginapi

import (
	"context"
	"fmt"
	"runtime/debug"

	pb "github.com/reflow-hpc/reflow/pluginapi/internal/executorpb"
)

// grpcServer adapts an Executor to the generated gRPC service. A panic in the
// plugin becomes a Go error for that call instead of killing the plugin
// process, so one bad request cannot take a dispatcher's executor down.
type grpcServer struct {
	pb.UnimplementedExecutorServer
	impl Executor
}

func recoverErr(method string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("plugin panicked in %s: %v\n%s", method, r, debug.Stack())
	}
}

// nilResponse reports a plugin that returned neither a response nor an error.
func nilResponse(method string) error {
	return fmt.Errorf("plugin bug: %s returned a nil response and no error", method)
}

func (s *grpcServer) Info(ctx context.Context, _ *pb.InfoRequest) (_ *pb.InfoResponse, err error) {
	defer recoverErr("Info", &err)
	r, err := s.impl.Info(ctx, &InfoRequest{})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Info")
	}
	return infoToPB(r), nil
}

func (s *grpcServer) Configure(ctx context.Context, req *pb.ConfigureRequest) (_ *pb.ConfigureResponse, err error) {
	defer recoverErr("Configure", &err)
	settings, err := settingsFromJSON(req.GetSettingsJson())
	if err != nil {
		return nil, err
	}
	r, err := s.impl.Configure(ctx, &ConfigureRequest{Settings: settings})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Configure")
	}
	return &pb.ConfigureResponse{Diagnostics: diagsToPB(r.Diagnostics)}, nil
}

func (s *grpcServer) Render(ctx context.Context, req *pb.RenderRequest) (_ *pb.RenderResponse, err error) {
	defer recoverErr("Render", &err)
	r, err := s.impl.Render(ctx, &RenderRequest{Job: jobFromPB(req.GetJob())})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Render")
	}
	return &pb.RenderResponse{Argv: r.Argv, Script: r.Script, Diagnostics: diagsToPB(r.Diagnostics)}, nil
}

func (s *grpcServer) Submit(ctx context.Context, req *pb.SubmitRequest) (_ *pb.SubmitResponse, err error) {
	defer recoverErr("Submit", &err)
	r, err := s.impl.Submit(ctx, &SubmitRequest{Job: jobFromPB(req.GetJob())})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Submit")
	}
	return &pb.SubmitResponse{Handle: handleToPB(r.Handle), RetryLater: r.RetryLater, Diagnostics: diagsToPB(r.Diagnostics)}, nil
}

func (s *grpcServer) Poll(ctx context.Context, req *pb.PollRequest) (_ *pb.PollResponse, err error) {
	defer recoverErr("Poll", &err)
	r, err := s.impl.Poll(ctx, &PollRequest{Handles: handlesFromPB(req.GetHandles())})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Poll")
	}
	return pollToPB(r), nil
}

func (s *grpcServer) Cancel(ctx context.Context, req *pb.CancelRequest) (_ *pb.CancelResponse, err error) {
	defer recoverErr("Cancel", &err)
	r, err := s.impl.Cancel(ctx, &CancelRequest{Handles: handlesFromPB(req.GetHandles())})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nilResponse("Cancel")
	}
	return &pb.CancelResponse{Diagnostics: diagsToPB(r.Diagnostics)}, nil
}
