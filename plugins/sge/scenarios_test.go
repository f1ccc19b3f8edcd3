package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Plugin-level tests on the real Grid Engine, for what the conformance
// suite does not cover: how jobs end (time limit, qdel from outside, a
// killed worker, an error state), an element-wise chain through a failed
// element, the resources a job really gets, and the qacct source.

// TestThrottledArray runs first and alone: with both slots free, a
// throttle the plugin did not pass on would let two elements overlap.
func TestThrottledArray(t *testing.T) {
	h := newHarness(t, nil)
	j := h.array("throttled", stamp+`stamp "start.$REFLOW_INDEX"
sleep 2
stamp "end.$REFLOW_INDEX"
echo "element $REFLOW_INDEX of task $SGE_TASK_ID"
`, pluginapi.ArraySpec{Size: 4, Offset: 5, Parallelism: 1})
	js := h.wait(h.submit(j))
	expect(t, "throttled array", js[0].Status, pluginapi.StateCompleted, "")
	type span struct{ start, end float64 }
	var spans []span
	for i := 5; i <= 8; i++ {
		spans = append(spans, span{readStamp(t, filepath.Join(j.WorkDir, fmt.Sprintf("start.%d", i))),
			readStamp(t, filepath.Join(j.WorkDir, fmt.Sprintf("end.%d", i)))})
		out, _ := os.ReadFile(filepath.Join(j.WorkDir, fmt.Sprintf("out.%d", i)))
		if want := fmt.Sprintf("element %d of task %d\n", i, i+1); string(out) != want {
			t.Errorf("out.%d = %q, want %q", i, out, want)
		}
	}
	for a := range spans {
		for b := range spans {
			if a != b && spans[a].start < spans[b].end && spans[b].start < spans[a].end {
				t.Errorf("elements %d and %d overlapped with -tc 1: %+v %+v", a+5, b+5, spans[a], spans[b])
			}
		}
	}
}

func TestTimeLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	j := h.job("timeout", "sleep 120\ntouch finished\n")
	j.Resources = map[string]string{"time": "3s"}
	js := h.wait(h.submit(j))
	expect(t, "a job past its h_rt", js[0].Status, pluginapi.StateTimeout, "time limit 3s")
	if _, err := os.Stat(filepath.Join(j.WorkDir, "finished")); err == nil {
		t.Error("the job ran to its end")
	}
}

func TestExternalQdel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	j := h.job("qdel", "echo started > started\nsleep 120\ntouch finished\n")
	hd := h.submit(j)
	h.waitFor("the job to run", func(js []pluginapi.JobStatus) bool { return js[0].State == pluginapi.StateRunning }, hd)
	h.waitFile(filepath.Join(j.WorkDir, "started"))
	if out, err := sgeCommand("qdel", hd.ID).CombinedOutput(); err != nil {
		t.Fatalf("qdel %s: %v: %s", hd.ID, err, out)
	}
	js := h.wait(hd)
	expect(t, "a job deleted with qdel by someone else", js[0].Status, pluginapi.StateCancelled, "qdel")
}

func TestKilledWorker(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	j := h.job("killed", "echo $$ > pid\nexec sleep 120\n")
	hd := h.submit(j)
	pid, err := strconv.Atoi(h.waitFile(filepath.Join(j.WorkDir, "pid")))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the exec happen
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	js := h.wait(hd)
	expect(t, "a job whose process was killed with -9", js[0].Status, pluginapi.StateFailed, "signal 9 (SIGKILL)")
	if js[0].ExitCode != 137 {
		t.Errorf("exit code %d, want 137", js[0].ExitCode)
	}
}

func TestErrorStateIsDeleted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	j := h.job("eqw", "touch ran\n")
	j.Stdout = filepath.Join(j.WorkDir, "no", "such", "dir", "out")
	hd := h.submit(j)
	js := h.wait(hd)
	expect(t, "a job whose -o cannot be opened", js[0].Status, pluginapi.StateFailed, "can't open output file")
	if out, _ := sgeCommand("qstat", "-j", hd.ID).CombinedOutput(); !strings.Contains(string(out), "do not exist") {
		t.Errorf("the job in error state is still in the queue:\n%s", out)
	}
}

// TestElementwiseChain runs A → B → C element by element, A's element 1
// failing: element 1 of B and of C must never run and end failed with the
// reason; elements 0 and 2 run in order.
func TestElementwiseChain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	shape := pluginapi.ArraySpec{Size: 3}
	a := h.array("chain-a", stamp+`stamp "end.$REFLOW_INDEX"
[ "$REFLOW_INDEX" != 1 ]
`, shape)
	b := h.array("chain-b", stamp+`stamp "start.$REFLOW_INDEX"`+"\n", shape)
	c := h.array("chain-c", stamp+`stamp "start.$REFLOW_INDEX"`+"\n", shape)
	ha := h.submit(a)
	b.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: ha}}
	hb := h.submit(b)
	c.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: hb}}
	hc := h.submit(c)
	js := h.wait(ha, hb, hc)
	for k, name := range []string{"A", "B", "C"} {
		els := js[k].Elements
		if len(els) != 3 {
			t.Fatalf("%s lists %d elements", name, len(els))
		}
		expect(t, name+" element 0", els[0].Status, pluginapi.StateCompleted, "")
		expect(t, name+" element 2", els[2].Status, pluginapi.StateCompleted, "")
		if k == 0 {
			expect(t, "A element 1", els[1].Status, pluginapi.StateFailed, "exit status 1")
		} else {
			expect(t, name+" element 1", els[1].Status, pluginapi.StateFailed, "dependency can never be satisfied")
		}
		expect(t, name, js[k].Status, pluginapi.StateFailed, "1 of 3 elements did not complete")
	}
	// Their element 1 is deleted from the queue, not left held forever
	// (Polls delete it again until Grid Engine lets it go).
	h.waitFor("the failed elements to leave the queue", func([]pluginapi.JobStatus) bool {
		out, _ := sgeCommand("qstat", "-u", "*").CombinedOutput()
		for _, f := range strings.Fields(string(out)) {
			if f == hb.ID || f == hc.ID {
				return false
			}
		}
		return true
	}, ha, hb, hc)
	for _, dir := range []string{b.WorkDir, c.WorkDir} {
		if _, err := os.Stat(filepath.Join(dir, "start.1")); err == nil {
			t.Errorf("%s: element 1 ran after its upstream element failed", dir)
		}
	}
	for _, i := range []int{0, 2} {
		endA := readStamp(t, filepath.Join(a.WorkDir, fmt.Sprintf("end.%d", i)))
		startB := readStamp(t, filepath.Join(b.WorkDir, fmt.Sprintf("start.%d", i)))
		startC := readStamp(t, filepath.Join(c.WorkDir, fmt.Sprintf("start.%d", i)))
		if !(endA <= startB && startB <= startC) {
			t.Errorf("element %d out of order: A ended %f, B started %f, C started %f", i, endA, startB, startC)
		}
	}
}

// TestResourcesReachTheJob checks inside the job what Grid Engine granted:
// two slots through the PE and, with memory_resource = "h_vmem", memory
// per slot (the shell's ulimit -v is the per-slot value times the slots,
// i.e. the job's mem). The job is plain bash: a Go worker would not start
// under 400M of virtual memory.
func TestResourcesReachTheJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"memory_resource": "h_vmem"})
	j := h.job("resources", `echo "slots=$NSLOTS pe=$PE vmem=$(ulimit -v) index=${REFLOW_INDEX-unset}" > granted`+"\n")
	j.Resources = map[string]string{"cpus": "2", "mem": "400M", "time": "2m"}
	js := h.wait(h.submit(j))
	expect(t, "a job with cpus, mem and time", js[0].Status, pluginapi.StateCompleted, "")
	got, _ := os.ReadFile(filepath.Join(j.WorkDir, "granted"))
	if want := "slots=2 pe=smp vmem=409600 index=unset\n"; string(got) != want {
		t.Errorf("the job saw %q, want %q", got, want)
	}
}

// TestTrickyScript: a Script with a "#$" line and the here-document's own
// delimiter must run verbatim and not change the job's options.
func TestTrickyScript(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	j := h.job("tricky", "#$ -N hijacked\ncat <<'REFLOW_SCRIPT' > heredoc\nline\nREFLOW_SCRIPT\necho \"name=$JOB_NAME\" > name\n")
	js := h.wait(h.submit(j))
	expect(t, "the tricky script", js[0].Status, pluginapi.StateCompleted, "")
	if got, _ := os.ReadFile(filepath.Join(j.WorkDir, "name")); string(got) != "name=tricky\n" {
		t.Errorf("job name %q: a #$ line of the Script was read as a directive", got)
	}
	if got, _ := os.ReadFile(filepath.Join(j.WorkDir, "heredoc")); string(got) != "line\n" {
		t.Errorf("heredoc %q", got)
	}
}

// TestQacctSource follows jobs with qacct instead of the accounting file.
func TestQacctSource(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"accounting": "qacct"})
	ok := h.submit(h.array("qacct-ok", "true\n", pluginapi.ArraySpec{Size: 2}))
	bad := h.submit(h.job("qacct-bad", "exit 3\n"))
	js := h.wait(ok, bad)
	expect(t, "an array followed with qacct", js[0].Status, pluginapi.StateCompleted, "")
	expect(t, "a failing job followed with qacct", js[1].Status, pluginapi.StateFailed, "exit status 3")
	if js[1].ExitCode != 3 {
		t.Errorf("exit code %d, want 3", js[1].ExitCode)
	}
}

// TestInfoAfterConfigure: Configure asks Grid Engine for its version and
// its max_aj_tasks, and Info reports them.
func TestInfoAfterConfigure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	info, err := h.ex.Info(context.Background(), &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sgeCommand("qconf", "-sconf").CombinedOutput()
	if err != nil {
		t.Fatalf("qconf -sconf: %v: %s", err, out)
	}
	want := 0
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "max_aj_tasks" {
			want, _ = strconv.Atoi(f[1])
		}
	}
	if info.Capabilities.MaxArraySize != want || want == 0 {
		t.Errorf("MaxArraySize %d, max_aj_tasks %d", info.Capabilities.MaxArraySize, want)
	}
	if !strings.Contains(info.Flavor, "GE") {
		t.Errorf("Flavor %q does not name a Grid Engine", info.Flavor)
	}
}
