package pluginapi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-plugin"
)

// echoExecutor records the requests it receives and answers with canned
// responses, so a test can check that both directions cross the gRPC
// boundary unchanged.
type echoExecutor struct {
	got   any
	info  *InfoResponse
	poll  *PollResponse
	panic bool
}

func (e *echoExecutor) Info(_ context.Context, r *InfoRequest) (*InfoResponse, error) {
	e.got = r
	return e.info, nil
}

func (e *echoExecutor) Configure(_ context.Context, r *ConfigureRequest) (*ConfigureResponse, error) {
	e.got = r
	return &ConfigureResponse{Diagnostics: Diagnostics{}.Errorf("settings.account", "account %q is unknown", "x")}, nil
}

func (e *echoExecutor) Render(_ context.Context, r *RenderRequest) (*RenderResponse, error) {
	e.got = r
	if e.panic {
		panic("render exploded")
	}
	return &RenderResponse{Argv: []string{"sbatch", "--parsable"}, Script: "#!/bin/bash\n" + r.Job.Script}, nil
}

func (e *echoExecutor) Submit(_ context.Context, r *SubmitRequest) (*SubmitResponse, error) {
	e.got = r
	return &SubmitResponse{Handle: Handle{ID: "42", State: []byte{0, 1, 2, 255}}, RetryLater: true,
		Diagnostics: Diagnostics{}.Warnf("", "queue is full")}, nil
}

func (e *echoExecutor) Poll(_ context.Context, r *PollRequest) (*PollResponse, error) {
	e.got = r
	return e.poll, nil
}

func (e *echoExecutor) Cancel(_ context.Context, r *CancelRequest) (*CancelResponse, error) {
	e.got = r
	return nil, errors.New("scancel: connection refused")
}

// connect serves impl over an in-memory gRPC connection through go-plugin's
// own client and server code and returns the client-side Executor.
func connect(t *testing.T, impl Executor) Executor {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{PluginName: &grpcPlugin{impl: impl}})
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(Executor)
}

func sampleJob() JobSpec {
	return JobSpec{
		RunID: "r1", Task: "upper", WorkDir: "/scratch/run/upper",
		WorkerArgv: []string{"reflow", "worker", "--spec", "/scratch/run/.reflow/upper.json"},
		Script:     "exec reflow worker\n",
		Stdout:     "/scratch/run/upper/" + IndexToken + ".out", Stderr: "/scratch/run/upper/" + IndexToken + ".err",
		Env:       map[string]string{"A": "1", "B": "with space"},
		Resources: map[string]string{"cpus": "2", "mem": "1G", "queue": "short"},
		Options:   map[string]string{"exclusive": ""},
		Array:     &ArraySpec{Size: 500, Offset: 1000, Parallelism: 50},
		Dependencies: []Dependency{
			{Kind: AfterOK, Handle: Handle{ID: "1", State: []byte("s1")}},
			{Kind: Elementwise, Handle: Handle{ID: "2"}},
			{Kind: AfterAny, Handle: Handle{ID: "3"}, Group: "g"},
			{Kind: AfterAny, Handle: Handle{ID: "4"}, Group: "g"},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1_700_000_000, 123).UTC()
	impl := &echoExecutor{
		info: &InfoResponse{
			Name: "slurm", Version: "1.2.3", ProtocolVersion: 1, Flavor: "slurm 23.11",
			Capabilities: Capabilities{Arrays: true, MaxArraySize: 1001, ArrayIndexBase: 0, Throttle: true,
				Dependencies: []DependencyKind{AfterOK, AfterAny, Elementwise}, AnyOf: true},
			ResourceKeys: []ResourceKey{{Name: "partition", Aliases: []string{"queue"}, Description: "where"}},
			Settings:     []Setting{{Name: "account", Type: SettingString, Description: "who pays", Default: "none", Required: true}},
		},
		poll: &PollResponse{Jobs: []JobStatus{
			{ID: "1", Status: Status{State: StateCompleted, ExitCode: 0, NativeState: "COMPLETED", Start: t0, End: t0.Add(time.Second), PeakMemory: 1 << 30}},
			{ID: "2", Status: Status{State: StateRunning, ExitCode: NoExitCode}, Elements: []ElementStatus{
				{Index: 1000, Status: Status{State: StateOutOfMemory, ExitCode: NoExitCode, Reason: "OOM"}},
				{Index: 1001, Status: Status{State: StatePending, ExitCode: NoExitCode}},
			}},
		}},
	}
	ex := connect(t, impl)

	t.Run("info", func(t *testing.T) {
		got, err := ex.Info(ctx, &InfoRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(impl.info, got); diff != "" {
			t.Errorf("Info (-sent +received):\n%s", diff)
		}
	})
	t.Run("configure", func(t *testing.T) {
		settings := map[string]any{"account": "proj", "max_array_size": 1000.0, "extra_args": []any{"--x", "--y"}, "debug": true}
		resp, err := ex.Configure(ctx, &ConfigureRequest{Settings: settings})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&ConfigureRequest{Settings: settings}, impl.got); diff != "" {
			t.Errorf("settings (-sent +received):\n%s", diff)
		}
		want := Diagnostics{{Severity: Error, Summary: `account "x" is unknown`, Attribute: "settings.account"}}
		if diff := cmp.Diff(want, resp.Diagnostics); diff != "" {
			t.Errorf("diagnostics (-want +got):\n%s", diff)
		}
	})
	t.Run("render", func(t *testing.T) {
		req := &RenderRequest{Job: sampleJob()}
		resp, err := ex.Render(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(req, impl.got); diff != "" {
			t.Errorf("job spec (-sent +received):\n%s", diff)
		}
		if resp.Script != "#!/bin/bash\nexec reflow worker\n" {
			t.Errorf("script = %q", resp.Script)
		}
	})
	t.Run("submit", func(t *testing.T) {
		resp, err := ex.Submit(ctx, &SubmitRequest{Job: JobSpec{Task: "single"}})
		if err != nil {
			t.Fatal(err)
		}
		want := &SubmitResponse{Handle: Handle{ID: "42", State: []byte{0, 1, 2, 255}}, RetryLater: true,
			Diagnostics: Diagnostics{{Severity: Warning, Summary: "queue is full"}}}
		if diff := cmp.Diff(want, resp); diff != "" {
			t.Errorf("submit (-want +got):\n%s", diff)
		}
		if got := impl.got.(*SubmitRequest).Job.Array; got != nil {
			t.Errorf("a job without array arrived with array %+v", got)
		}
	})
	t.Run("poll", func(t *testing.T) {
		req := &PollRequest{Handles: []Handle{{ID: "1"}, {ID: "2", State: []byte("x")}}}
		resp, err := ex.Poll(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(req, impl.got); diff != "" {
			t.Errorf("poll request (-sent +received):\n%s", diff)
		}
		// Times cross the wire as Unix nanoseconds and come back in local
		// time; compare instants, not locations.
		if diff := cmp.Diff(impl.poll, resp, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("poll (-sent +received):\n%s", diff)
		}
	})
	t.Run("poll answering the wrong number of jobs is a plugin bug", func(t *testing.T) {
		_, err := ex.Poll(ctx, &PollRequest{Handles: []Handle{{ID: "1"}}})
		if err == nil || !strings.Contains(err.Error(), "Poll of 1 handles answered 2 jobs") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("cancel error is a transport error", func(t *testing.T) {
		_, err := ex.Cancel(ctx, &CancelRequest{Handles: []Handle{{ID: "1"}}})
		if err == nil || !strings.Contains(err.Error(), "scancel: connection refused") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("panic becomes an error and the plugin lives on", func(t *testing.T) {
		impl.panic = true
		_, err := ex.Render(ctx, &RenderRequest{})
		impl.panic = false
		if err == nil || !strings.Contains(err.Error(), "plugin panicked in Render: render exploded") {
			t.Fatalf("err = %v", err)
		}
		if _, err := ex.Render(ctx, &RenderRequest{}); err != nil {
			t.Errorf("after a panic: %v", err)
		}
	})
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name    string
		ds      Diagnostics
		wantErr string
	}{
		{"none", nil, ""},
		{"warning only", Diagnostics{}.Warnf("resources.gpus", "ignored"), ""},
		{"errors joined, warnings left out", Diagnostics{}.
			Errorf("resources.mem", "invalid memory %q", "lots").
			Warnf("", "slow").
			Errorf("", "bad request"),
			`error: resources.mem: invalid memory "lots"; error: bad request`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ds.Err()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("Err() = %q, want %q", got, tt.wantErr)
			}
			if tt.ds.HasErrors() != (tt.wantErr != "") {
				t.Errorf("HasErrors() = %v", tt.ds.HasErrors())
			}
		})
	}
}

func TestStates(t *testing.T) {
	terminal := map[State]bool{StateCompleted: true, StateFailed: true, StateCancelled: true,
		StateTimeout: true, StateOutOfMemory: true, StateNodeFail: true}
	for _, s := range States {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if s.Terminal() != terminal[s] {
			t.Errorf("%s.Terminal() = %v", s, s.Terminal())
		}
	}
	if State("bogus").Valid() {
		t.Error("bogus state valid")
	}
}
