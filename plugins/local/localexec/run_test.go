package localexec

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

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// outcome is the part of a status tests compare exactly.
type outcome struct {
	State       pluginapi.State
	ExitCode    int
	NativeState string
	Reason      string
}

func outcomeOf(s pluginapi.Status) outcome {
	return outcome{s.State, s.ExitCode, s.NativeState, s.Reason}
}

func TestSingleJob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
		want   outcome
		stdout string
	}{
		{"success", "echo hello-$GREETING; pwd", outcome{pluginapi.StateCompleted, 0, "EXITED", ""}, "hello-world\n<work>\n"},
		{"exit code", "echo partial; exit 3", outcome{pluginapi.StateFailed, 3, "EXITED", "exit status 3"}, "partial\n"},
		{"killed by SIGKILL", "kill -9 $$", outcome{pluginapi.StateFailed, 137, "SIGNALED", "killed by signal 9 (killed)"}, ""},
		{"killed by SIGTERM", "kill -TERM $$", outcome{pluginapi.StateFailed, 143, "SIGNALED", "killed by signal 15 (terminated)"}, ""},
	}
	h := newHarness(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := h.spec(tc.script)
			spec.Env = map[string]string{"GREETING": "world"}
			spec.Stdout = filepath.Join(h.work, tc.name+".out")
			spec.Stderr = filepath.Join(h.work, tc.name+".err")
			hd := h.submit(spec)
			js := h.wait(h.e, 10*time.Second, hd)[0]
			if d := cmp.Diff(tc.want, outcomeOf(js.Status)); d != "" {
				t.Errorf("status (-want +got):\n%s", d)
			}
			if js.Start.IsZero() || js.End.Before(js.Start) || js.Elements != nil {
				t.Errorf("start %v end %v elements %v", js.Start, js.End, js.Elements)
			}
			out, _ := os.ReadFile(spec.Stdout)
			if d := cmp.Diff(strings.ReplaceAll(tc.stdout, "<work>", h.work), string(out)); d != "" {
				t.Errorf("stdout (-want +got):\n%s", d)
			}
		})
	}
}

// TestProcessGroup checks that each job is its own process group, led by the
// job script's bash whose pid the plugin recorded, that its parent is a
// runner in a session of its own (not the plugin's), and that stderr goes
// where it was asked to.
func TestProcessGroup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	spec := h.spec(`s=$(cat /proc/$$/stat); s=${s##*) }; set -- $s; echo "$3 $4 $PPID" > pg; echo oops >&2`)
	spec.Stderr = filepath.Join(h.work, "logs", "err.txt")
	hd := h.submit(spec)
	if js := h.wait(h.e, 10*time.Second, hd)[0]; js.State != pluginapi.StateCompleted {
		t.Fatalf("%+v", js)
	}
	b, _ := os.ReadFile(filepath.Join(h.work, "pg"))
	f := strings.Fields(string(b))
	if len(f) != 3 {
		t.Fatalf("pg = %q", b)
	}
	pid := strconv.Itoa(pidOf(t, hd, 0).pid)
	runner := f[2]
	if d := cmp.Diff([]string{pid, runner, runner}, f); d != "" {
		t.Errorf("pgrp, session, parent of the job script (-want +got):\n%s", d)
	}
	if runner == pid || runner == strconv.Itoa(os.Getpid()) {
		t.Errorf("the job script's parent is %s, not a runner", runner)
	}
	if f[0] == strconv.Itoa(syscall.Getpgrp()) {
		t.Errorf("the job shares the plugin's process group")
	}
	if sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0); f[1] == strconv.Itoa(int(sid)) {
		t.Errorf("the job shares the plugin's session")
	}
	if e, _ := os.ReadFile(spec.Stderr); string(e) != "oops\n" {
		t.Errorf("stderr = %q", e)
	}
}

func TestArray(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		size, off   int
		parallelism int
		failIndex   int // -1: none
		wantJob     pluginapi.State
	}{
		{"capped at 2", 5, 10, 2, -1, pluginapi.StateCompleted},
		{"capped at 1", 3, 0, 1, -1, pluginapi.StateCompleted},
		{"one element fails", 4, 0, 3, 2, pluginapi.StateFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, map[string]any{"slots": 8.0})
			probe := t.TempDir()
			spec := h.spec(concurrencyProbe + fmt.Sprintf(`echo "index $REFLOW_INDEX"; [ "$REFLOW_INDEX" != %d ]`, tc.failIndex))
			spec.Env = map[string]string{"PROBE": probe}
			spec.Stdout = filepath.Join(h.work, "out."+pluginapi.IndexToken)
			spec.Array = &pluginapi.ArraySpec{Size: tc.size, Offset: tc.off, Parallelism: tc.parallelism}
			hd := h.submit(spec)
			js := h.wait(h.e, 20*time.Second, hd)[0]

			var want []pluginapi.ElementStatus
			for i := tc.off; i < tc.off+tc.size; i++ {
				o := pluginapi.Status{State: pluginapi.StateCompleted, ExitCode: 0, NativeState: "EXITED"}
				if i == tc.failIndex {
					o = pluginapi.Status{State: pluginapi.StateFailed, ExitCode: 1, NativeState: "EXITED", Reason: "exit status 1"}
				}
				want = append(want, pluginapi.ElementStatus{Index: i, Status: o})
				out, _ := os.ReadFile(filepath.Join(h.work, fmt.Sprintf("out.%d", i)))
				if string(out) != fmt.Sprintf("index %d\n", i) {
					t.Errorf("element %d wrote %q", i, out)
				}
			}
			if d := cmp.Diff(want, elementsOf(js), cmpopts.IgnoreFields(pluginapi.Status{}, "Start", "End")); d != "" {
				t.Errorf("elements (-want +got):\n%s", d)
			}
			if js.State != tc.wantJob {
				t.Errorf("job state %s, want %s (%s)", js.State, tc.wantJob, js.Reason)
			}
			seen := readInts(t, filepath.Join(probe, "seen"))
			if len(seen) != tc.size {
				t.Errorf("%d elements recorded, want %d", len(seen), tc.size)
			}
			if m := maxOf(seen); m > tc.parallelism {
				t.Errorf("up to %d elements ran at once, cap %d: %v", m, tc.parallelism, seen)
			}
		})
	}
}

// TestSlots: jobs asking cpus never take more than the slots together, and
// they start in submission order: a wide job is not overtaken by narrow
// ones submitted after it.
func TestSlots(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"slots": 2.0})
	probe := t.TempDir()
	cpus := []int{1, 1, 2, 1, 1}
	var hs []pluginapi.Handle
	for i, c := range cpus {
		spec := h.spec(`echo $EPOCHREALTIME > "$PROBE/start.$NAME"` + concurrencyProbe)
		spec.Env = map[string]string{"PROBE": probe, "NAME": strconv.Itoa(i), "W": strconv.Itoa(c)}
		spec.Resources = map[string]string{"cpus": strconv.Itoa(c)}
		hs = append(hs, h.submit(spec))
	}
	for _, js := range h.wait(h.e, 20*time.Second, hs...) {
		if js.State != pluginapi.StateCompleted {
			t.Fatalf("%+v", js)
		}
	}
	seen := readInts(t, filepath.Join(probe, "seen"))
	if m := maxOf(seen); m > 2 {
		t.Errorf("%d cpus in use at once with 2 slots: %v", m, seen)
	}
	if seen["2"] != 2 {
		t.Errorf("the 2-cpu job ran beside another job: %v", seen)
	}
	start := func(i int) float64 {
		b, _ := os.ReadFile(filepath.Join(probe, fmt.Sprintf("start.%d", i)))
		f, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if start(3) < start(2) || start(4) < start(2) {
		t.Errorf("jobs 3 and 4 started before job 2: %v %v %v", start(2), start(3), start(4))
	}
}

func TestDependencies(t *testing.T) {
	t.Parallel()
	type up struct {
		script string
		array  int
	}
	tests := []struct {
		name  string
		ups   []up
		kinds []pluginapi.DependencyKind
		group string // when set, all dependencies form one any-of group
		array int    // downstream array size, 0: plain job
		// check gets the final statuses of the upstream jobs and the
		// downstream job.
		check func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus)
	}{
		{
			name: "afterok waits for success", ups: []up{{script: "sleep 0.3"}}, kinds: []pluginapi.DependencyKind{pluginapi.AfterOK},
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				startsAfter(t, down.Start, ups[0].End)
			},
		},
		{
			name: "afterok never satisfied", ups: []up{{script: "exit 1"}}, kinds: []pluginapi.DependencyKind{pluginapi.AfterOK},
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "DEPENDENCY_NEVER_SATISFIED",
					"dependency can never be satisfied: " + ups[0].ID + " ended failed"})
			},
		},
		{
			name: "afterok on an array with a failed element", ups: []up{{script: `[ $REFLOW_INDEX != 1 ]`, array: 3}},
			kinds: []pluginapi.DependencyKind{pluginapi.AfterOK},
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "DEPENDENCY_NEVER_SATISFIED",
					"dependency can never be satisfied: " + ups[0].ID + " ended failed (element 1)"})
			},
		},
		{
			name: "afterany runs after a failure", ups: []up{{script: "sleep 0.3; exit 4"}}, kinds: []pluginapi.DependencyKind{pluginapi.AfterAny},
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				startsAfter(t, down.Start, ups[0].End)
			},
		},
		{
			// Element 0 upstream is slow, 1 fails, 2 is quick: downstream 2
			// must finish long before upstream 0 does, and 1 must fail.
			name:  "elementwise",
			ups:   []up{{script: `case $REFLOW_INDEX in 0) sleep 1.5;; 1) exit 1;; esac`, array: 3}},
			kinds: []pluginapi.DependencyKind{pluginapi.Elementwise}, array: 3,
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				u, d := elementsOf(ups[0]), elementsOf(down)
				wantOutcome(t, d[0].Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				startsAfter(t, d[0].Start, u[0].End)
				wantOutcome(t, d[1].Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "DEPENDENCY_NEVER_SATISFIED",
					"dependency can never be satisfied: " + ups[0].ID + " ended failed (element 1)"})
				wantOutcome(t, d[2].Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				if !d[2].End.Before(u[0].End) {
					t.Errorf("element 2 waited for upstream element 0: ended %v, upstream 0 ended %v", d[2].End, u[0].End)
				}
				if down.State != pluginapi.StateFailed {
					t.Errorf("job state %s", down.State)
				}
			},
		},
		{
			name: "any-of starts on the first success", ups: []up{{script: "sleep 3"}, {script: "sleep 0.2"}},
			kinds: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterOK}, group: "g",
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				startsAfter(t, down.Start, ups[1].End)
				if !down.End.Before(ups[0].End) {
					t.Errorf("the any-of job waited for the slow upstream")
				}
			},
		},
		{
			name: "any-of survives one failure", ups: []up{{script: "exit 1"}, {script: "sleep 0.5"}},
			kinds: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterOK}, group: "g",
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateCompleted, 0, "EXITED", ""})
				startsAfter(t, down.Start, ups[1].End)
			},
		},
		{
			name: "any-of never satisfied", ups: []up{{script: "exit 1"}, {script: "exit 2"}},
			kinds: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterOK}, group: "g",
			check: func(t *testing.T, ups []pluginapi.JobStatus, down pluginapi.JobStatus) {
				wantOutcome(t, down.Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "DEPENDENCY_NEVER_SATISFIED",
					"dependency can never be satisfied: " + ups[0].ID + " ended failed; " + ups[1].ID + " ended failed"})
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, map[string]any{"slots": 4.0})
			var uh []pluginapi.Handle
			down := h.spec("true")
			for i, u := range tc.ups {
				spec := h.spec(u.script)
				if u.array > 0 {
					spec.Array = &pluginapi.ArraySpec{Size: u.array}
				}
				hd := h.submit(spec)
				uh = append(uh, hd)
				down.Dependencies = append(down.Dependencies, pluginapi.Dependency{Kind: tc.kinds[i], Handle: hd, Group: tc.group})
			}
			if tc.array > 0 {
				down.Array = &pluginapi.ArraySpec{Size: tc.array}
			}
			dh := h.submit(down)
			js := h.wait(h.e, 20*time.Second, append(uh, dh)...)
			tc.check(t, js[:len(uh)], js[len(uh)])
		})
	}
}

func wantOutcome(t *testing.T, s pluginapi.Status, want outcome) {
	t.Helper()
	if d := cmp.Diff(want, outcomeOf(s)); d != "" {
		t.Errorf("status (-want +got):\n%s", d)
	}
}

func startsAfter(t *testing.T, start, upEnd time.Time) {
	t.Helper()
	if upEnd.IsZero() || start.Before(upEnd) {
		t.Errorf("started %v, before its upstream ended %v", start, upEnd)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
		exit   int
	}{
		// The job dies of SIGTERM; its runner records it.
		{"dies on SIGTERM", "sleep 30", 143},
		// The job ignores SIGTERM; SIGKILL after the grace kills it,
		// and the runner, outside its process group, records that.
		{"ignores SIGTERM", "trap '' TERM; sleep 30", 137},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			spec := h.spec(tc.script)
			spec.Resources = map[string]string{"time": "1s"}
			hd := h.submit(spec)
			js := h.wait(h.e, 10*time.Second, hd)[0]
			wantOutcome(t, js.Status, outcome{pluginapi.StateTimeout, tc.exit, "TIMEOUT", "exceeded time limit 1s"})
			if el := js.End.Sub(js.Start); el < time.Second || el > 4*time.Second {
				t.Errorf("ran for %v with a 1s limit", el)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
	}{
		{"running job", "sleep 30"},
		{"running job ignoring SIGTERM", "trap '' TERM; sleep 30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, map[string]any{"slots": 1.0})
			running := h.submit(h.spec(tc.script))
			pending := h.submit(h.spec("touch started"))
			arr := h.spec("touch started.$REFLOW_INDEX")
			arr.Array = &pluginapi.ArraySpec{Size: 3}
			pendingArr := h.submit(arr)
			done := h.submit(h.spec("true"))
			h.waitState(h.e, running, pluginapi.StateRunning)
			before := time.Now()
			unknown := pluginapi.Handle{ID: "local-nope", State: []byte("junk")}
			r, err := h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{running, pending, pendingArr, unknown}})
			if err != nil || len(r.Diagnostics) > 0 {
				t.Fatalf("Cancel: %v %v", err, r.Diagnostics)
			}
			js := h.wait(h.e, 10*time.Second, running, pending, pendingArr)
			wantOutcome(t, js[0].Status, outcome{pluginapi.StateCancelled, js[0].ExitCode, "CANCELLED", "cancelled while running"})
			if time.Since(before) > 5*time.Second {
				t.Errorf("cancel took %v", time.Since(before))
			}
			wantOutcome(t, js[1].Status, outcome{pluginapi.StateCancelled, pluginapi.NoExitCode, "CANCELLED", "cancelled before it started"})
			if js[2].State != pluginapi.StateCancelled || len(elementsOf(js[2])) != 3 {
				t.Errorf("array: %+v", js[2])
			}
			if m, _ := filepath.Glob(filepath.Join(h.work, "started*")); len(m) > 0 {
				t.Errorf("cancelled jobs started: %v", m)
			}
			// The job queued behind the cancelled ones gets the slot.
			if js := h.wait(h.e, 10*time.Second, done); js[0].State != pluginapi.StateCompleted {
				t.Errorf("later job: %+v", js[0])
			}
			// Cancelling again, or a finished job, is no error.
			r, err = h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{running, done}})
			if err != nil || len(r.Diagnostics) > 0 {
				t.Fatalf("second Cancel: %v %v", err, r.Diagnostics)
			}
		})
	}
}

// TestVanished: a job killed from outside together with the runner that
// watches it leaves no exit status; it must fail with a reason rather than
// run forever.
func TestVanished(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	hd := h.submit(h.spec("sleep 30"))
	h.waitState(h.e, hd, pluginapi.StateRunning)
	pid := pidOf(t, hd, 0).pid
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	runner, _ := strconv.Atoi(f[1])
	if runner <= 1 || runner == os.Getpid() {
		t.Fatalf("the job's parent is %d, not a runner", runner)
	}
	// The runner first, so that it cannot record the job's death.
	if err := syscall.Kill(runner, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	js := h.wait(h.e, 10*time.Second, hd)[0]
	wantOutcome(t, js.Status, outcome{pluginapi.StateFailed, pluginapi.NoExitCode, "LOST", "process vanished without an exit status"})
}

// TestPollUnknownAndCached: statuses come back in request order, unknown
// handles as unknown, and a finished job is answered from memory.
func TestPollUnknownAndCached(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	a := h.submit(h.spec("exit 2"))
	b := h.submit(h.spec("true"))
	h.wait(h.e, 10*time.Second, a, b)
	hs := []pluginapi.Handle{
		{ID: "garbage"},
		b,
		{ID: "local-1", State: []byte("not json")},
		encodeHandle("local-2", filepath.Join(h.stateDir, "jobs", "local-2")),
		a,
		{},
	}
	var got []string
	for _, js := range h.poll(h.e, hs...) {
		got = append(got, js.ID+"="+string(js.State))
	}
	want := []string{"garbage=unknown", b.ID + "=completed", "local-1=unknown", "local-2=unknown", a.ID + "=failed", "=unknown"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("poll (-want +got):\n%s", d)
	}
	// Remove the state from under the executor: the cached answer stays.
	dir, _ := decodeHandle(a)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if js := h.poll(h.e, a)[0]; js.State != pluginapi.StateFailed || js.ExitCode != 2 {
		t.Errorf("after removing the files: %+v", js)
	}
}

func TestPollMany(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"slots": 1.0})
	blocker := h.submit(h.spec("sleep 30"))
	var hs []pluginapi.Handle
	for i := 0; i < 1000; i++ {
		hs = append(hs, h.submit(h.spec("true")))
	}
	start := time.Now()
	js := h.poll(h.e, hs...)
	el := time.Since(start)
	for i, j := range js {
		if j.ID != hs[i].ID || j.State != pluginapi.StatePending {
			t.Fatalf("status %d: %+v", i, j)
		}
	}
	if !strings.Contains(js[0].Reason, "free slots") {
		t.Errorf("pending reason %q", js[0].Reason)
	}
	t.Logf("Poll of %d pending handles: %v", len(hs), el)
	_, _ = h.e.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: append(hs, blocker)})
}

// TestCancelFromAnotherProcess: a plugin process that cancels a job another
// one is running (reflow cancel beside a dispatcher) stops it for good: the
// running element is killed, and the process running the job starts none
// of the pending ones afterwards.
func TestCancelFromAnotherProcess(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]any{"slots": 1.0})
	spec := h.spec(`touch started.$REFLOW_INDEX; sleep 30`)
	spec.Array = &pluginapi.ArraySpec{Size: 5}
	hd := h.submit(spec)
	h.waitState(h.e, hd, pluginapi.StateRunning)

	other := h.open()
	defer other.Close()
	if _, err := other.Cancel(context.Background(), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{hd}}); err != nil {
		t.Fatal(err)
	}
	js := h.wait(other, 10*time.Second, hd)[0]
	if js.State != pluginapi.StateCancelled {
		t.Errorf("seen by the cancelling process: %+v", js)
	}
	// The first process sees the job end too, without starting more.
	js = h.wait(h.e, 10*time.Second, hd)[0]
	if js.State != pluginapi.StateCancelled {
		t.Errorf("seen by the running process: %+v", js)
	}
	// Only the element running at the cancel may have started (it may
	// have been killed before its first command).
	if m, _ := filepath.Glob(filepath.Join(h.work, "started.*")); len(m) > 1 {
		t.Errorf("elements started: %v", m)
	}
}
