package fluxexec

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// cancelNote is the message Flux records with the cancel exception.
const cancelNote = "cancelled by reflow"

// Cancel cancels every element of every handle with one `flux cancel`
// (split only when the command line would be too long). A job that already
// ended or that Flux does not know is not an error; any other complaint is
// a diagnostic naming handles[i].
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	if req == nil {
		req = &pluginapi.CancelRequest{}
	}
	owners := map[uint64][]int{}
	var ids []uint64
	for i, h := range req.Handles {
		t, err := parseHandle(h)
		if err != nil {
			continue // not a job of ours: nothing to cancel
		}
		for _, id := range t.ids {
			if _, ok := owners[id]; !ok {
				ids = append(ids, id)
			}
			owners[id] = append(owners[id], i)
		}
	}
	var diags pluginapi.Diagnostics
	for _, chunk := range chunks(ids) {
		args := []string{"cancel", "-m", cancelNote}
		for _, id := range chunk {
			args = append(args, dec(id))
		}
		res, err := e.runFlux(ctx, args...)
		if err == nil {
			continue
		}
		blamed := map[int]bool{}
		unexplained := false
		for line := range strings.SplitSeq(strings.TrimSpace(string(res.Stderr)), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasSuffix(line, "job is inactive") || strings.HasSuffix(line, "unknown job id") {
				continue
			}
			found := false
			for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ':' }) {
				id, perr := parseID(w)
				if perr != nil || owners[id] == nil {
					continue
				}
				found = true
				for _, i := range owners[id] {
					if !blamed[i] {
						blamed[i] = true
						diags = diags.Errorf(fmt.Sprintf("handles[%d]", i), "flux cancel: %s", line)
					}
				}
			}
			if !found {
				unexplained = true
			}
		}
		if strings.TrimSpace(string(res.Stderr)) == "" {
			unexplained = true // killed, timed out, or could not start
		}
		if unexplained {
			var hs []int
			for _, id := range chunk {
				hs = append(hs, owners[id]...)
			}
			slices.Sort(hs)
			for _, i := range slices.Compact(hs) {
				if !blamed[i] {
					diags = diags.Errorf(fmt.Sprintf("handles[%d]", i), "flux cancel failed: %v", err)
				}
			}
		}
	}
	return &pluginapi.CancelResponse{Diagnostics: diags}, nil
}

// cancelIDs cancels jobs a failed submission left, ignoring errors.
func (e *Executor) cancelIDs(ctx context.Context, ids []uint64) {
	for _, chunk := range chunks(ids) {
		args := []string{"cancel", "-m", "reflow: the submission failed part-way"}
		for _, id := range chunk {
			args = append(args, dec(id))
		}
		e.runFlux(ctx, args...)
	}
}
