package localexec

import (
	"context"
	"fmt"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// BenchmarkPoll polls n pending jobs in one call, in-process. The jobs wait
// behind a blocker that holds the only slot, so every poll takes the
// uncached path (the cached path for finished jobs is cheaper still).
func BenchmarkPoll(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("handles=%d", n), func(b *testing.B) {
			e := New()
			ctx := context.Background()
			_, _ = e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: map[string]any{
				"state_dir": b.TempDir(), "slots": 1.0, "kill_grace": "0s"}})
			work := b.TempDir()
			submit := func(script string) pluginapi.Handle {
				r, err := e.Submit(ctx, &pluginapi.SubmitRequest{Job: pluginapi.JobSpec{WorkDir: work, Script: script}})
				if err != nil || r.Diagnostics.HasErrors() {
					b.Fatal(err, r.Diagnostics)
				}
				return r.Handle
			}
			blocker := submit("sleep 600")
			hs := make([]pluginapi.Handle, n)
			for i := range hs {
				hs[i] = submit("true")
			}
			req := &pluginapi.PollRequest{Handles: hs}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, _ := e.Poll(ctx, req)
				if len(r.Jobs) != n {
					b.Fatal("short answer")
				}
			}
			b.StopTimer()
			_, _ = e.Cancel(ctx, &pluginapi.CancelRequest{Handles: append(hs, blocker)})
			for {
				r, _ := e.Poll(ctx, &pluginapi.PollRequest{Handles: []pluginapi.Handle{blocker}})
				if r.Jobs[0].State.Terminal() {
					break
				}
			}
			e.Close()
		})
	}
}
