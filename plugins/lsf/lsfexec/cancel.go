package lsfexec

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// bkillErrRe is one of bkill's per-id complaints on stderr, "Job <101>: Job
// has already finished" or "Job <999>: No matching job found".
var bkillErrRe = regexp.MustCompile(`(?m)^Job <([0-9]+)(?:\[[0-9]+\])?>: (.*)$`)

// Cancel kills the jobs with one bkill call (more only when the ids would
// make the command line too long). A job that already finished, or that
// LSF does not know, is not an error; handles that are not LSF job ids are
// skipped, since no such job can run. bkill is never run without an id or
// with id 0, which would kill other jobs of the user.
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	if req == nil {
		req = &pluginapi.CancelRequest{}
	}
	cfg := e.config()
	where := map[string][]int{}
	var ids []string
	for i, h := range req.Handles {
		if !validID(h.ID) {
			continue
		}
		if _, dup := where[h.ID]; !dup {
			ids = append(ids, h.ID)
		}
		where[h.ID] = append(where[h.ID], i)
	}
	var diags pluginapi.Diagnostics
	for _, chunk := range chunks(ids) {
		res, err := sdk.Run(ctx, sdk.Command{Path: cfg.Bkill, Args: chunk, Env: commandEnv(), Timeout: cfg.CommandTimeout})
		if err == nil {
			continue
		}
		problems, seen := bkillProblems(string(res.Stderr))
		if !seen {
			for _, id := range chunk {
				for _, i := range where[id] {
					diags = diags.Errorf(fmt.Sprintf("handles[%d]", i), "bkill %s failed: %v", id, err)
				}
			}
			continue
		}
		for _, p := range problems {
			for _, i := range where[p.id] {
				diags = diags.Errorf(fmt.Sprintf("handles[%d]", i), "bkill could not cancel job %s: %s", p.id, p.msg)
			}
		}
	}
	return &pluginapi.CancelResponse{Diagnostics: diags}, nil
}

// bkillProblem is a per-id complaint of bkill that is a real failure.
type bkillProblem struct{ id, msg string }

// bkillProblems reads bkill's stderr: the per-id complaints other than
// "Job has already finished" and "No matching job found" (cancelling a
// finished or unknown job is not an error). seen is false when stderr holds
// no per-id line at all, so the whole call failed.
func bkillProblems(stderr string) (problems []bkillProblem, seen bool) {
	for _, m := range bkillErrRe.FindAllStringSubmatch(stderr, -1) {
		seen = true
		low := strings.ToLower(m[2])
		if strings.Contains(low, "already finished") || strings.Contains(low, "no matching job") {
			continue
		}
		problems = append(problems, bkillProblem{id: m[1], msg: strings.TrimSpace(m[2])})
	}
	return problems, seen
}
