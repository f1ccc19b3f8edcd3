package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reflow-hpc/reflow/bench/memexec"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// buildBenchPlugin builds the memexec plugin once per benchmark binary.
func buildBenchPlugin(b *testing.B) string {
	b.Helper()
	dir, err := os.MkdirTemp("", "rfb")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "reflow-executor-bench")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/reflow-executor-bench")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building bench plugin: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkLaunch measures starting a plugin and completing the handshake
// with reflow's Ed25519 mTLS (the default), with go-plugin's AutoMTLS, and
// without TLS, beside a bare exec of the same binary (which exits at once
// without the handshake cookie): the differences are what each costs.
func BenchmarkLaunch(b *testing.B) {
	bin := buildBenchPlugin(b)
	ctx := context.Background()
	b.Run("exec-baseline", func(b *testing.B) {
		for b.Loop() {
			_ = exec.Command(bin).Run() // exits 1: no magic cookie
		}
	})
	for _, mode := range []struct {
		name string
		cfg  pluginapi.LaunchConfig
	}{
		{"reflow-mtls", pluginapi.LaunchConfig{}},
		{"go-plugin-automtls", pluginapi.LaunchConfig{GoPluginAutoMTLS: true}},
		{"no-tls", pluginapi.LaunchConfig{DisableMTLS: true}},
	} {
		b.Run("handshake/"+mode.name, func(b *testing.B) {
			for b.Loop() {
				cfg := mode.cfg
				cfg.Name, cfg.Path = "bench", bin
				c, err := pluginapi.Launch(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.Kill()
			}
		})
	}
}

// BenchmarkPoll measures one batched Poll over gRPC (with mTLS, as reflow
// runs, and without, to show what TLS costs) beside the same call
// in-process, for 1 and 10,000 handles.
func BenchmarkPoll(b *testing.B) {
	bin := buildBenchPlugin(b)
	ctx := context.Background()
	c, err := pluginapi.Launch(ctx, pluginapi.LaunchConfig{Name: "bench", Path: bin})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Kill()
	plain, err := pluginapi.Launch(ctx, pluginapi.LaunchConfig{Name: "bench", Path: bin, DisableMTLS: true})
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Kill()
	execs := []struct {
		name string
		ex   pluginapi.Executor
	}{{"inprocess", &memexec.Executor{}}, {"grpc", c.Executor()}, {"grpc-no-tls", plain.Executor()}}
	for _, n := range []int{1, 10_000} {
		req := &pluginapi.PollRequest{Handles: make([]pluginapi.Handle, n)}
		for i := range req.Handles {
			req.Handles[i] = pluginapi.Handle{ID: fmt.Sprint(1_000_000 + i), State: []byte(`{"dir":"/scratch/reflow/state/job"}`)}
		}
		for _, e := range execs {
			b.Run(fmt.Sprintf("handles=%d/%s", n, e.name), func(b *testing.B) {
				for b.Loop() {
					resp, err := e.ex.Poll(ctx, req)
					if err != nil {
						b.Fatal(err)
					}
					if len(resp.Jobs) != n {
						b.Fatalf("got %d jobs, want %d", len(resp.Jobs), n)
					}
				}
			})
		}
	}
}
