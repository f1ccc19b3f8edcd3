package sgeexec

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Cancel deletes many jobs with one qdel. A job that is finished or
// unknown is not an error (qdel says "does not exist" for it and exits 1,
// yet still deletes the others). Jobs are marked cancelled before qdel
// runs: a job deleted while pending leaves no accounting record, and Poll
// must know why it is gone.
func (e *Executor) Cancel(ctx context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	cfg := e.config()
	var (
		ids   []int
		args  []string
		index = map[int][]int{} // job → positions in req.Handles
	)
	for i, h := range req.Handles {
		id, _, _ := decodeHandle(h)
		if id == 0 {
			continue // never a Grid Engine job: nothing to cancel
		}
		if _, dup := index[id]; !dup {
			ids = append(ids, id)
			args = append(args, strconv.Itoa(id))
		}
		index[id] = append(index[id], i)
	}
	resp := &pluginapi.CancelResponse{}
	if len(ids) == 0 {
		return resp, nil
	}
	e.track.markCancelled(ids)
	res, err := e.command(ctx, &cfg, "qdel", args, nil)
	refused := parseQdel(res.Stdout)
	if err != nil && len(res.Stdout) == 0 {
		// qdel did not answer at all: nothing is known to be deleted.
		for _, id := range ids {
			for _, i := range index[id] {
				resp.Diagnostics = resp.Diagnostics.Errorf(fmt.Sprintf("handles[%d]", i), "qdel %d failed: %v", id, err)
			}
		}
		return resp, nil
	}
	for id, why := range refused {
		for _, i := range index[id] {
			resp.Diagnostics = resp.Diagnostics.Errorf(fmt.Sprintf("handles[%d]", i), "qdel refused to delete job %d: %s", id, why)
		}
	}
	return resp, nil
}

var qdelDenied = regexp.MustCompile(`^denied: job "?(\d+)(?:\.[\d,-:]+)?"? (.*)$`)

// parseQdel reads qdel's answers, one line per job ("root has deleted job
// 7", "root has registered the job 30 for deletion", `denied: job "999"
// does not exist`), and returns the jobs it refused to delete for a reason
// other than not existing (a finished job no longer exists).
func parseQdel(out []byte) map[int]string {
	refused := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := qdelDenied.FindStringSubmatch(sc.Text())
		if m == nil || m[2] == "does not exist" {
			continue
		}
		id, _ := strconv.Atoi(m[1])
		refused[id] = m[2]
	}
	return refused
}
