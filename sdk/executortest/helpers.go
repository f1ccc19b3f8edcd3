package executortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// stampFn is a bash function the job scripts use to record when something
// happened: `stamp FILE` writes the current time with sub-second precision.
// The suite compares these times instead of the plugin's reported Start and
// End, which a plugin may fill in coarsely or not at all.
const stampFn = `stamp() { printf '%s\n' "${EPOCHREALTIME:-$(date +%s.%N)}" > "$1"; }` + "\n"

// job returns the spec of a job with its own fresh work directory. Its
// stdout and stderr go to files in that directory.
func (s *suite) job(c *tc, name, script string) pluginapi.JobSpec {
	c.Helper()
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	dir := filepath.Join(s.root, fmt.Sprintf("%04d-%s", seq, name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.Fatal(err)
	}
	res := map[string]string{}
	maps.Copy(res, s.cfg.Resources)
	return pluginapi.JobSpec{
		RunID:   "executortest",
		Task:    name,
		WorkDir: dir,
		// The engine's Script runs the worker; here the two are the same
		// snippet, so a plugin that launches WorkerArgv itself runs it too.
		WorkerArgv: []string{"bash", "-c", script},
		Script:     script,
		Stdout:     filepath.Join(dir, "stdout"),
		Stderr:     filepath.Join(dir, "stderr"),
		Resources:  res,
	}
}

// arrayJob is job for an array; each element's stdout and stderr go to
// files named by its index.
func (s *suite) arrayJob(c *tc, name, script string, arr pluginapi.ArraySpec) pluginapi.JobSpec {
	c.Helper()
	j := s.job(c, name, script)
	j.Stdout = filepath.Join(j.WorkDir, "stdout."+pluginapi.IndexToken)
	j.Stderr = filepath.Join(j.WorkDir, "stderr."+pluginapi.IndexToken)
	j.Array = &arr
	return j
}

// submit submits spec and fails the subtest unless the plugin accepted it.
func (s *suite) submit(c *tc, ex pluginapi.Executor, spec pluginapi.JobSpec) pluginapi.Handle {
	c.Helper()
	resp, err := ex.Submit(ctx(c, s.cfg.JobTimeout), &pluginapi.SubmitRequest{Job: spec})
	c.must(err, "Submit "+spec.Task)
	if resp.RetryLater {
		c.Fatalf("Submit %s: the plugin asked to retry later (%v); the suite needs room in the queue for its jobs", spec.Task, resp.Diagnostics)
	}
	if resp.Diagnostics.HasErrors() {
		c.Fatalf("Submit %s: %v", spec.Task, resp.Diagnostics.Err())
	}
	c.check(resp.Handle.ID != "", "Submit %s: empty handle ID", spec.Task)
	return resp.Handle
}

// poll makes one Poll call and checks the shape of its answer: one status
// per handle, in request order, with the handle's ID and a valid state.
func (s *suite) poll(c *tc, ex pluginapi.Executor, hs []pluginapi.Handle) []pluginapi.JobStatus {
	c.Helper()
	// A context per call rather than ctx(): waits poll hundreds of times.
	cctx, cancel := context.WithTimeout(context.Background(), s.cfg.JobTimeout)
	defer cancel()
	resp, err := ex.Poll(cctx, &pluginapi.PollRequest{Handles: hs})
	c.must(err, fmt.Sprintf("Poll of %d handles", len(hs)))
	c.noErrorDiags(resp.Diagnostics, "Poll")
	if !c.check(len(resp.Jobs) == len(hs), "Poll of %d handles answered %d statuses", len(hs), len(resp.Jobs)) {
		c.FailNow()
	}
	ok := true
	for i, j := range resp.Jobs {
		if j.ID != hs[i].ID {
			ok = c.check(false, "Poll answer %d has ID %q, want %q: statuses must follow request order", i, j.ID, hs[i].ID) && ok
		}
		if !j.State.Valid() {
			ok = c.check(false, "Poll answer %d (%s) has invalid state %q", i, j.ID, j.State) && ok
		}
		for _, e := range j.Elements {
			if e.Count < 0 {
				ok = c.check(false, "Poll answer %d (%s) element %d has a negative run length %d", i, j.ID, e.Index, e.Count) && ok
			}
			if !e.State.Valid() {
				ok = c.check(false, "Poll answer %d (%s) element %d has invalid state %q", i, j.ID, e.Index, e.State) && ok
			}
		}
	}
	c.check(ok, "Poll answer is well formed")
	if !ok {
		c.FailNow()
	}
	return resp.Jobs
}

// wait polls hs until every job is terminal and returns the final statuses.
// On timeout it fails the subtest listing the last statuses it saw.
func (s *suite) wait(c *tc, ex pluginapi.Executor, hs []pluginapi.Handle, timeout time.Duration) []pluginapi.JobStatus {
	c.Helper()
	return s.waitFor(c, ex, hs, timeout, "every job to reach a terminal state", func(js []pluginapi.JobStatus) bool {
		for _, j := range js {
			if !j.State.Terminal() {
				return false
			}
		}
		return true
	})
}

// waitFor polls hs until done holds for the answer, failing the subtest
// after timeout with the last statuses.
func (s *suite) waitFor(c *tc, ex pluginapi.Executor, hs []pluginapi.Handle, timeout time.Duration, what string, done func([]pluginapi.JobStatus) bool) []pluginapi.JobStatus {
	c.Helper()
	deadline := time.Now().Add(timeout)
	for {
		js := s.poll(c, ex, hs)
		if done(js) {
			return js
		}
		if time.Now().After(deadline) {
			c.Fatalf("waited %v for %s; last statuses:\n%s", timeout, what, formatStatuses(js))
		}
		time.Sleep(s.cfg.PollInterval)
	}
}

func formatStatuses(js []pluginapi.JobStatus) string {
	var b strings.Builder
	for _, j := range js {
		fmt.Fprintf(&b, "  %s\n", formatStatus(j))
	}
	return b.String()
}

func formatStatus(j pluginapi.JobStatus) string {
	s := fmt.Sprintf("id=%s %s", j.ID, formatOne(j.Status))
	for _, e := range j.Elements {
		if e.Len() > 1 {
			s += fmt.Sprintf("\n    [%d-%d] %s", e.Index, e.Index+e.Len()-1, formatOne(e.Status))
			continue
		}
		s += fmt.Sprintf("\n    [%d] %s", e.Index, formatOne(e.Status))
	}
	return s
}

func formatOne(st pluginapi.Status) string {
	s := fmt.Sprintf("state=%s exit=%d", st.State, st.ExitCode)
	if st.NativeState != "" {
		s += " native=" + st.NativeState
	}
	if st.Reason != "" {
		s += fmt.Sprintf(" reason=%q", st.Reason)
	}
	return s
}

// readFile returns the content of a file a job wrote and whether it exists.
func readFile(c *tc, path string) (string, bool) {
	c.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		c.Fatal(err)
	}
	return string(b), true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// stamp reads a time written by the script function stamp. It fails the
// subtest when the file is missing: the job did not get that far.
func stamp(c *tc, path string) time.Time {
	c.Helper()
	s, ok := readFile(c, path)
	if !c.check(ok, "timestamp file %s missing: the job did not run, or not in its work dir", path) {
		c.FailNow()
	}
	t, err := parseStamp(s)
	if !c.check(err == nil, "timestamp file %s: %v", path, err) {
		c.FailNow()
	}
	return t
}

// parseStamp parses "SECONDS.FRACTION"; the separator follows the locale
// in bash's EPOCHREALTIME, so a comma is accepted too.
func parseStamp(s string) (time.Time, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad timestamp %q", s)
	}
	frac = (frac + "000000000")[:9]
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad timestamp %q", s)
	}
	return time.Unix(n, ns), nil
}

// quote makes s one bash word.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cloneHandle copies a handle the way a store round trip would, so no test
// relies on sharing memory with what Submit returned.
func cloneHandle(h pluginapi.Handle) pluginapi.Handle {
	return pluginapi.Handle{ID: h.ID, State: append([]byte(nil), h.State...)}
}
