package localexec

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

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

// BenchmarkTinyArray runs one array of 1,000 elements of `true` on 2 slots,
// in-process, and beside it the same 1,000 commands through
// `xargs -P2 bash -c`, the floor a plugin that starts one bash per task can
// hope for. One op is the whole array; ms/elem is wall time per element and
// cpu-ms/elem the CPU of this process and all its descendants per element,
// which a loaded machine disturbs less than wall time.
func BenchmarkTinyArray(b *testing.B) {
	const n = 1000
	b.Run("executor", func(b *testing.B) {
		measure(b, n, func() {
			e := New()
			ctx := context.Background()
			_, _ = e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: map[string]any{
				"state_dir": b.TempDir(), "slots": 2.0}})
			r, err := e.Submit(ctx, &pluginapi.SubmitRequest{Job: pluginapi.JobSpec{
				WorkDir: b.TempDir(), Script: "true", Array: &pluginapi.ArraySpec{Size: n}}})
			if err != nil || r.Diagnostics.HasErrors() {
				b.Fatal(err, r.Diagnostics)
			}
			req := &pluginapi.PollRequest{Handles: []pluginapi.Handle{r.Handle}}
			for {
				p, _ := e.Poll(ctx, req)
				if st := p.Jobs[0].Status; st.State.Terminal() {
					if st.State != pluginapi.StateCompleted {
						b.Fatalf("%+v", st)
					}
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			e.Close()
			e.runnerWG.Wait() // the runners' CPU counts once they are reaped
		})
	})
	b.Run("xargs", func(b *testing.B) {
		measure(b, n, func() {
			cmd := exec.Command("bash", "-c", fmt.Sprintf(`seq %d | xargs -P2 -I{} bash -c 'echo {} > /dev/null'`, n))
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		})
	})
}

// measure runs one op b.N times and reports wall and CPU time per element.
func measure(b *testing.B, n int, op func()) {
	cpu := func() time.Duration {
		var self, kids syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
		var d time.Duration
		for _, ru := range []syscall.Rusage{self, kids} {
			d += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		return d
	}
	b.ResetTimer()
	c0, t0 := cpu(), time.Now()
	for i := 0; i < b.N; i++ {
		op()
	}
	wall, used := time.Since(t0), cpu()-c0
	per := float64(b.N * n)
	b.ReportMetric(float64(wall.Microseconds())/1000/per, "ms/elem")
	b.ReportMetric(float64(used.Microseconds())/1000/per, "cpu-ms/elem")
}
