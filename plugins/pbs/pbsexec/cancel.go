package pbsexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Cancel deletes many jobs with one qdel (-W force with cancel_force on
// OpenPBS; an array by its parent id, all subjobs). qdel prints nothing on
// success and a line per id it could not delete; a job that is unknown
// (153) or already finished (35) is not an error, and one in a transitional
// state (168) is asked again once after a moment.
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	if req == nil {
		req = &pluginapi.CancelRequest{}
	}
	cfg, fl := e.snapshot()
	index := map[string]int{}
	var ids []string
	for i, h := range req.Handles {
		if _, ok := parseJobID(h.ID); !ok {
			continue // never a PBS job: nothing to cancel
		}
		if st, ok := e.remembered(h.ID); ok && st.State.Terminal() {
			continue
		}
		if _, dup := index[h.ID]; !dup {
			index[h.ID] = i
			ids = append(ids, h.ID)
		}
	}
	resp := &pluginapi.CancelResponse{}
	if len(ids) == 0 {
		return resp, nil
	}
	e.mu.Lock()
	for _, id := range ids {
		e.cancelled[id] = true
	}
	e.mu.Unlock()
	args := []string{}
	if cfg.CancelForce && fl.Dialect == dialectOpenPBS {
		args = append(args, "-W", "force")
	}
	for attempt := 0; attempt < 2 && len(ids) > 0; attempt++ {
		res, err := sdk.Run(ctx, sdk.Command{Path: cfg.Qdel, Args: append(args, ids...), Timeout: cfg.CommandTimeout})
		if err == nil {
			return resp, nil
		}
		var ce *sdk.CommandError
		if !errors.As(err, &ce) || ce.ExitCode < 0 {
			resp.Diagnostics = resp.Diagnostics.Errorf("", "qdel failed: %v", err)
			return resp, nil
		}
		var retry []string
		named := false
		for _, line := range strings.Split(string(res.Stderr), "\n") {
			id, fate := qdelLine(line, index)
			if id == "" {
				continue
			}
			named = true
			switch fate {
			case "gone":
			case "transition":
				retry = append(retry, id)
			default:
				resp.Diagnostics = resp.Diagnostics.Errorf(fmt.Sprintf("handles[%d]", index[id]), "qdel could not delete %s: %s", id, strings.TrimSpace(line))
			}
		}
		if !named {
			// qdel failed without naming any job: usage, server down.
			resp.Diagnostics = resp.Diagnostics.Errorf("", "qdel failed: %v", err)
			return resp, nil
		}
		ids = retry
		if len(ids) > 0 && attempt == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	for _, id := range ids {
		// Still between states after a second try: it is ending anyway.
		resp.Diagnostics = resp.Diagnostics.Warnf(fmt.Sprintf("handles[%d]", index[id]), "%s is between states (exiting); it was not deleted but is ending", id)
	}
	return resp, nil
}

// qdelLine reads one qdel complaint: which of our ids it names and what
// it means: "gone" (unknown or finished: nothing left to cancel),
// "transition" (try again), or "error".
func qdelLine(line string, index map[string]int) (id, fate string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", ""
	}
	for _, f := range strings.Fields(line) {
		if _, ok := index[f]; ok {
			id = f
		}
	}
	if id == "" {
		return "", ""
	}
	switch {
	case strings.Contains(line, "Unknown Job Id"), strings.Contains(line, "Job has finished"),
		strings.Contains(line, "COMPLETE"):
		return id, "gone"
	case strings.Contains(line, "Request invalid for state of job"):
		return id, "transition"
	}
	return id, "error"
}
