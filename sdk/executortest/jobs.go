package executortest

// The subtests that run jobs.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func (s *suite) testSubmit(c *tc) {
	// Relative paths: the job must start in its WorkDir. The env value has
	// a space to catch plugins that pass Env through a shell unquoted.
	ok := s.job(c, "submit-ok", `printf '%s\n' "$EXECUTORTEST_VALUE" > out.txt
echo to-stdout
echo to-stderr >&2
`)
	ok.Env = map[string]string{"EXECUTORTEST_VALUE": "hello world"}
	fail := s.job(c, "submit-fail", "exit 3\n")
	hs := []pluginapi.Handle{s.submit(c, s.ex, ok), s.submit(c, s.ex, fail)}
	js := s.wait(c, s.ex, hs, s.cfg.JobTimeout)

	c.check(js[0].State == pluginapi.StateCompleted && js[0].ExitCode == 0, "job that exits 0: want completed/exit 0, got %s", formatStatus(js[0]))
	c.check(js[1].State == pluginapi.StateFailed && js[1].ExitCode == 3, "job that exits 3: want failed/exit 3, got %s", formatStatus(js[1]))
	c.check(js[1].Reason != "", "failed job: Reason is empty; it should tell the user why (e.g. the exit code)")
	for i, j := range js {
		c.check(len(j.Elements) == 0, "job %d is not an array but Poll lists %d elements", i, len(j.Elements))
		if !j.Start.IsZero() && !j.End.IsZero() {
			c.check(!j.End.Before(j.Start), "job %d ends (%v) before it starts (%v)", i, j.End, j.Start)
		}
	}
	got, _ := readFile(c, filepath.Join(ok.WorkDir, "out.txt"))
	c.check(got == "hello world\n", "the job should have written %q to out.txt in its work dir (with its Env), found %q", "hello world\n", got)
	got, _ = readFile(c, ok.Stdout)
	c.check(strings.Contains(got, "to-stdout"), "JobSpec.Stdout %s: want the job's stdout, found %q", ok.Stdout, got)
	got, _ = readFile(c, ok.Stderr)
	c.check(strings.Contains(got, "to-stderr"), "JobSpec.Stderr %s: want the job's stderr, found %q", ok.Stderr, got)
}

// requireArrays skips the subtest unless the plugin claims arrays of at
// least n elements.
func (s *suite) requireArrays(c *tc, n int) {
	c.Helper()
	capa := s.info.Capabilities
	if !capa.Arrays {
		s.skip(c, "Info does not claim Arrays")
	}
	if capa.MaxArraySize > 0 && capa.MaxArraySize < n {
		s.skip(c, "MaxArraySize %d is below the %d elements this test needs", capa.MaxArraySize, n)
	}
}

func (s *suite) testArray(c *tc) {
	s.requireArrays(c, 4)
	// Engine indices 2..5: an offset catches plugins that hand scripts the
	// native index, or forget the offset, or the index base.
	j := s.arrayJob(c, "array", `printf '%s' "$REFLOW_INDEX" > "idx.$REFLOW_INDEX"
echo "element $REFLOW_INDEX"
`, pluginapi.ArraySpec{Size: 4, Offset: 2})
	h := s.submit(c, s.ex, j)
	js := s.wait(c, s.ex, []pluginapi.Handle{h}, s.cfg.JobTimeout)[0]

	c.check(js.State == pluginapi.StateCompleted, "array: want completed, got %s", formatStatus(js))
	var idx []int
	js.EachElement(func(i int, st *pluginapi.Status) {
		idx = append(idx, i)
		c.check(st.State == pluginapi.StateCompleted && st.ExitCode == 0, "array element %d: want completed/exit 0, got %s", i, formatOne(*st))
	})
	slices.Sort(idx)
	c.check(slices.Equal(idx, []int{2, 3, 4, 5}), "array: Poll lists element indices %v, want engine indices [2 3 4 5]", idx)
	for i := 0; i < 8; i++ {
		got, ok := readFile(c, filepath.Join(j.WorkDir, fmt.Sprintf("idx.%d", i)))
		if i >= 2 && i <= 5 {
			c.check(ok && got == strconv.Itoa(i), "array element %d: want file idx.%d containing $REFLOW_INDEX=%d, found %q (exists %v)", i, i, i, got, ok)
			out, _ := readFile(c, strings.ReplaceAll(j.Stdout, pluginapi.IndexToken, strconv.Itoa(i)))
			c.check(strings.Contains(out, fmt.Sprintf("element %d", i)), "array element %d: stdout file (JobSpec.Stdout with %s replaced) holds %q", i, pluginapi.IndexToken, out)
		} else {
			c.check(!ok, "array with engine indices 2..5 wrote idx.%d: REFLOW_INDEX is wrong (native index or missing offset?)", i)
		}
	}
}

func (s *suite) testThrottle(c *tc) {
	s.requireArrays(c, 3)
	if !s.info.Capabilities.Throttle {
		s.skip(c, "Info does not claim Throttle")
	}
	j := s.arrayJob(c, "throttle", stampFn+`stamp "start.$REFLOW_INDEX"
sleep 0.4
stamp "end.$REFLOW_INDEX"
`, pluginapi.ArraySpec{Size: 3, Parallelism: 1})
	h := s.submit(c, s.ex, j)
	js := s.wait(c, s.ex, []pluginapi.Handle{h}, s.cfg.JobTimeout)[0]
	c.check(js.State == pluginapi.StateCompleted, "throttled array: want completed, got %s", formatStatus(js))

	type span struct {
		i          int
		start, end time.Time
	}
	var spans []span
	for i := 0; i < 3; i++ {
		spans = append(spans, span{i,
			stamp(c, filepath.Join(j.WorkDir, fmt.Sprintf("start.%d", i))),
			stamp(c, filepath.Join(j.WorkDir, fmt.Sprintf("end.%d", i)))})
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start.Before(spans[b].start) })
	for k := 1; k < len(spans); k++ {
		p, q := spans[k-1], spans[k]
		c.check(!q.start.Before(p.end), "Parallelism 1: element %d started at %v, before element %d ended at %v",
			q.i, q.start.Format(time.StampMicro), p.i, p.end.Format(time.StampMicro))
	}
}

func (s *suite) testDependency(c *tc, kind pluginapi.DependencyKind) {
	if !s.info.Capabilities.Supports(kind) {
		s.skip(c, "Info does not claim %s dependencies", kind)
	}
	dep := func(h pluginapi.Handle) []pluginapi.Dependency {
		return []pluginapi.Dependency{{Kind: kind, Handle: cloneHandle(h)}}
	}
	switch kind {
	case pluginapi.AfterOK:
		// Both cases at once, to halve the waiting.
		up := s.job(c, "afterok-up", stampFn+"sleep 1\nstamp end\n")
		upH := s.submit(c, s.ex, up)
		dn := s.job(c, "afterok-down", stampFn+"stamp start\n")
		dn.Dependencies = dep(upH)
		dnH := s.submit(c, s.ex, dn)

		badUp := s.job(c, "afterok-badup", "sleep 0.5\nexit 1\n")
		badUpH := s.submit(c, s.ex, badUp)
		never := s.job(c, "afterok-never", "touch ran\n")
		never.Dependencies = dep(badUpH)
		neverH := s.submit(c, s.ex, never)

		js := s.wait(c, s.ex, []pluginapi.Handle{upH, dnH, badUpH, neverH}, s.cfg.JobTimeout)
		c.check(js[0].State == pluginapi.StateCompleted, "upstream: want completed, got %s", formatStatus(js[0]))
		c.check(js[1].State == pluginapi.StateCompleted, "afterok dependent of a good upstream: want completed, got %s", formatStatus(js[1]))
		c.check(js[2].State == pluginapi.StateFailed, "upstream that exits 1: want failed, got %s", formatStatus(js[2]))
		c.check(js[3].State == pluginapi.StateFailed && js[3].Reason != "",
			"afterok dependent of a failed upstream: want failed with a reason (never run, never hang), got %s", formatStatus(js[3]))
		c.check(!exists(filepath.Join(never.WorkDir, "ran")), "afterok dependent of a failed upstream ran")
		s.checkOrder(c, filepath.Join(up.WorkDir, "end"), filepath.Join(dn.WorkDir, "start"))

	case pluginapi.AfterAny:
		up := s.job(c, "afterany-up", stampFn+"sleep 1\nstamp end\nexit 1\n")
		upH := s.submit(c, s.ex, up)
		dn := s.job(c, "afterany-down", stampFn+"stamp start\n")
		dn.Dependencies = dep(upH)
		dnH := s.submit(c, s.ex, dn)
		js := s.wait(c, s.ex, []pluginapi.Handle{upH, dnH}, s.cfg.JobTimeout)
		c.check(js[0].State == pluginapi.StateFailed, "upstream that exits 1: want failed, got %s", formatStatus(js[0]))
		c.check(js[1].State == pluginapi.StateCompleted, "afterany dependent of a failed upstream: want completed, got %s", formatStatus(js[1]))
		s.checkOrder(c, filepath.Join(up.WorkDir, "end"), filepath.Join(dn.WorkDir, "start"))

	case pluginapi.Elementwise:
		s.requireArrays(c, 3)
		// Upstream elements finish in reverse index order, so a plugin that
		// releases "the next element" instead of element i is caught.
		up := s.arrayJob(c, "elementwise-up", stampFn+`sleep 0.$(( 9 - 3 * REFLOW_INDEX ))
stamp "end.$REFLOW_INDEX"
`, pluginapi.ArraySpec{Size: 3})
		upH := s.submit(c, s.ex, up)
		dn := s.arrayJob(c, "elementwise-down", stampFn+`stamp "start.$REFLOW_INDEX"`+"\n", pluginapi.ArraySpec{Size: 3})
		dn.Dependencies = dep(upH)
		dnH := s.submit(c, s.ex, dn)
		js := s.wait(c, s.ex, []pluginapi.Handle{upH, dnH}, s.cfg.JobTimeout)
		c.check(js[0].State == pluginapi.StateCompleted, "upstream array: want completed, got %s", formatStatus(js[0]))
		c.check(js[1].State == pluginapi.StateCompleted, "element-wise dependent array: want completed, got %s", formatStatus(js[1]))
		for i := 0; i < 3; i++ {
			s.checkOrder(c, filepath.Join(up.WorkDir, fmt.Sprintf("end.%d", i)), filepath.Join(dn.WorkDir, fmt.Sprintf("start.%d", i)))
		}
	}
}

// checkOrder checks that the time in the file before is not after the one
// in after: a dependent did not start before its upstream ended.
func (s *suite) checkOrder(c *tc, before, after string) {
	c.Helper()
	b, a := stamp(c, before), stamp(c, after)
	c.check(!a.Before(b), "dependent started (%s, %v) before its upstream ended (%s, %v)",
		after, a.Format(time.StampMicro), before, b.Format(time.StampMicro))
}

func (s *suite) testAnyOf(c *tc) {
	capa := s.info.Capabilities
	if !capa.AnyOf {
		s.skip(c, "Info does not claim AnyOf")
	}
	kind := pluginapi.AfterAny
	if !capa.Supports(kind) {
		kind = pluginapi.AfterOK
	}
	if !capa.Supports(kind) {
		s.skip(c, "any-of groups are only tested with afterok or afterany, and the plugin claims neither")
	}
	// The slow upstream outlives the whole wait, so a dependent that
	// completes at all did not wait for it.
	slowFor := int(s.cfg.JobTimeout.Seconds()) + 60
	quick := s.job(c, "anyof-quick", stampFn+"stamp end\n")
	slow := s.job(c, "anyof-slow", fmt.Sprintf("sleep %d\n", slowFor))
	quickH, slowH := s.submit(c, s.ex, quick), s.submit(c, s.ex, slow)
	defer s.ex.Cancel(ctx(c, s.cfg.JobTimeout), &pluginapi.CancelRequest{Handles: []pluginapi.Handle{slowH}})
	dn := s.job(c, "anyof-down", stampFn+"stamp start\n")
	dn.Dependencies = []pluginapi.Dependency{
		{Kind: kind, Handle: cloneHandle(quickH), Group: "any"},
		{Kind: kind, Handle: cloneHandle(slowH), Group: "any"},
	}
	dnH := s.submit(c, s.ex, dn)
	js := s.wait(c, s.ex, []pluginapi.Handle{dnH}, s.cfg.JobTimeout)
	c.check(js[0].State == pluginapi.StateCompleted, "any-of dependent: want completed, got %s", formatStatus(js[0]))
	st := s.poll(c, s.ex, []pluginapi.Handle{slowH, quickH})
	c.check(!st[0].State.Terminal(), "the slow upstream (sleep %d) is already %s: the any-of test is meaningless", slowFor, st[0].State)
	s.checkOrder(c, filepath.Join(quick.WorkDir, "end"), filepath.Join(dn.WorkDir, "start"))
}

func (s *suite) testManyHandles(c *tc) {
	n := s.cfg.ManyJobs
	specs := make([]pluginapi.JobSpec, n)
	for i := range specs {
		specs[i] = s.job(c, "many", "true\n")
	}
	// Submit from a few goroutines: the contract lets the host call a
	// plugin concurrently, and 1000 sequential round trips are slow.
	hs := make([]pluginapi.Handle, n)
	errs := make([]string, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cctx, cancel := context.WithTimeout(context.Background(), s.cfg.JobTimeout)
				r, err := s.ex.Submit(cctx, &pluginapi.SubmitRequest{Job: specs[i]})
				cancel()
				switch {
				case err != nil:
					errs[i] = err.Error()
				case r.RetryLater || r.Diagnostics.HasErrors() || r.Handle.ID == "":
					errs[i] = fmt.Sprintf("retry later %v, handle %q, diagnostics %v", r.RetryLater, r.Handle.ID, r.Diagnostics)
				default:
					hs[i] = r.Handle
				}
			}
		}()
	}
	start := time.Now()
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, e := range errs {
		if !c.check(e == "", "Submit %d of %d: %s", i, n, e) {
			c.FailNow()
		}
	}
	c.Logf("submitted %d jobs in %v", n, time.Since(start).Round(time.Millisecond))

	// Every poll is one call with all n handles, as the dispatcher makes it.
	timeout := s.cfg.JobTimeout + time.Duration(n)*100*time.Millisecond
	js := s.waitFor(c, s.ex, hs, timeout, fmt.Sprintf("all %d jobs to complete", n), func(js []pluginapi.JobStatus) bool {
		for _, j := range js {
			if !j.State.Terminal() {
				return false
			}
		}
		return true
	})
	bad := 0
	for i, j := range js {
		if j.State != pluginapi.StateCompleted || j.ExitCode != 0 {
			if bad++; bad <= 5 {
				c.Errorf("job %d of %d: want completed/exit 0, got %s", i, n, formatStatus(j))
			}
		}
	}
	c.check(bad == 0, "%d of %d trivial jobs did not complete", bad, n)
	t0 := time.Now()
	s.poll(c, s.ex, hs)
	c.Logf("one Poll of %d handles took %v", n, time.Since(t0).Round(time.Microsecond))
}

func (s *suite) testUnknownHandles(c *tc) {
	// A purged or never-submitted id is state unknown, never an error.
	u1 := unknownHandle()
	u2 := pluginapi.Handle{ID: "9" + strconv.Itoa(int(time.Now().UnixNano()%1e8))}
	js := s.poll(c, s.ex, []pluginapi.Handle{u1})
	c.check(js[0].State == pluginapi.StateUnknown, "Poll of an unknown handle: want unknown, got %s", formatStatus(js[0]))
	js = s.poll(c, s.ex, nil)
	c.check(len(js) == 0, "Poll of no handles answered %d statuses", len(js))

	k1 := s.submit(c, s.ex, s.job(c, "known-1", "true\n"))
	k2 := s.submit(c, s.ex, s.job(c, "known-2", "exit 2\n"))
	s.wait(c, s.ex, []pluginapi.Handle{k1, k2}, s.cfg.JobTimeout)
	// s.poll checks that IDs come back in request order.
	js = s.poll(c, s.ex, []pluginapi.Handle{u1, k1, u2, k2})
	c.check(js[0].State == pluginapi.StateUnknown && js[2].State == pluginapi.StateUnknown,
		"unknown handles mixed with known ones: want unknown, got %s and %s", formatStatus(js[0]), formatStatus(js[2]))
	c.check(js[1].State == pluginapi.StateCompleted && js[3].State == pluginapi.StateFailed,
		"known handles mixed with unknown ones: want completed and failed, got %s and %s", formatStatus(js[1]), formatStatus(js[3]))
}

func (s *suite) testCancel(c *tc) {
	var hs []pluginapi.Handle
	var dirs []string
	for i := 0; i < 3; i++ {
		j := s.job(c, "cancel", "sleep 300\ntouch finished\n")
		hs = append(hs, s.submit(c, s.ex, j))
		dirs = append(dirs, j.WorkDir)
	}
	// Cancel running jobs where the scheduler lets them start soon; on a
	// busy cluster, cancelling pending ones is still a valid test.
	deadline := time.Now().Add(min(s.cfg.JobTimeout, 10*time.Second))
	for time.Now().Before(deadline) {
		js := s.poll(c, s.ex, hs)
		if !slices.ContainsFunc(js, func(j pluginapi.JobStatus) bool { return j.State != pluginapi.StateRunning }) {
			break
		}
		time.Sleep(s.cfg.PollInterval)
	}
	t0 := time.Now()
	r, err := s.ex.Cancel(ctx(c, s.cfg.JobTimeout), &pluginapi.CancelRequest{Handles: hs})
	c.must(err, "Cancel of 3 jobs")
	c.noErrorDiags(r.Diagnostics, "Cancel")
	js := s.wait(c, s.ex, hs, s.cfg.JobTimeout)
	c.Logf("3 cancelled jobs were terminal after %v", time.Since(t0).Round(time.Millisecond))
	for i, j := range js {
		c.check(j.State != pluginapi.StateCompleted, "cancelled job %d completed: %s", i, formatStatus(j))
		if j.State != pluginapi.StateCancelled {
			c.Logf("cancelled job %d ended %s rather than cancelled", i, formatStatus(j))
		}
		c.check(!exists(filepath.Join(dirs[i], "finished")), "cancelled job %d ran to its end", i)
	}

	// Cancelling again, and cancelling an unknown job, is not an error.
	r, err = s.ex.Cancel(ctx(c, s.cfg.JobTimeout), &pluginapi.CancelRequest{Handles: append(slices.Clone(hs), unknownHandle())})
	c.must(err, "second Cancel")
	c.noErrorDiags(r.Diagnostics, "Cancel of finished and unknown jobs")
	again := s.poll(c, s.ex, hs)
	for i := range again {
		c.check(again[i].State == js[i].State, "job %d changed from %s to %s after a second Cancel", i, js[i].State, again[i].State)
	}
}

func (s *suite) testReattach(c *tc) {
	capa := s.info.Capabilities
	first := s.launch(c, "reattach-1")
	s.configure(c, first.Executor())

	up := s.job(c, "reattach-up", stampFn+"sleep 2\nstamp end\nexit 7\n")
	hs := []pluginapi.Handle{s.submit(c, first.Executor(), up)}
	var kind pluginapi.DependencyKind
	switch {
	case capa.Supports(pluginapi.AfterOK):
		kind = pluginapi.AfterOK
	case capa.Supports(pluginapi.AfterAny):
		kind = pluginapi.AfterAny
	}
	var dn pluginapi.JobSpec
	if kind != "" {
		dn = s.job(c, "reattach-down", stampFn+"stamp start\n")
		dn.Dependencies = []pluginapi.Dependency{{Kind: kind, Handle: cloneHandle(hs[0])}}
		hs = append(hs, s.submit(c, first.Executor(), dn))
	}
	js := s.poll(c, first.Executor(), hs)
	c.check(!js[0].State.Terminal(), "a job running `sleep 2` is already %s", formatStatus(js[0]))

	// What the store keeps is all a new process gets.
	persisted := make([]pluginapi.Handle, len(hs))
	for i, h := range hs {
		persisted[i] = cloneHandle(h)
	}
	first.Kill()
	c.check(first.Exited(), "the first plugin process is still running after Kill")

	second := s.launch(c, "reattach-2")
	s.configure(c, second.Executor())
	js = s.wait(c, second.Executor(), persisted, s.cfg.JobTimeout)
	c.check(js[0].State == pluginapi.StateFailed && js[0].ExitCode == 7,
		"after reattaching, the job that exits 7: want failed/exit 7, got %s", formatStatus(js[0]))
	switch kind {
	case pluginapi.AfterOK:
		c.check(js[1].State == pluginapi.StateFailed && js[1].Reason != "",
			"after reattaching, the afterok dependent of a failed job: want failed with a reason, got %s", formatStatus(js[1]))
		c.check(!exists(filepath.Join(dn.WorkDir, "start")), "the afterok dependent of a failed job ran")
	case pluginapi.AfterAny:
		c.check(js[1].State == pluginapi.StateCompleted, "after reattaching, the afterany dependent: want completed, got %s", formatStatus(js[1]))
		s.checkOrder(c, filepath.Join(up.WorkDir, "end"), filepath.Join(dn.WorkDir, "start"))
	default:
		c.Logf("no afterok or afterany support: reattach tested without a dependent")
	}
	c.check(!s.main.Exited(), "the main plugin process exited")
}
