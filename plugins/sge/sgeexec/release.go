package sgeexec

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// verdict says whether task t of the held dependent v may start: ok when
// every afterok and element-wise upstream it waits for has completed; not
// ok and not wait, with the reason, when one of them never can; wait
// otherwise.
func verdict(views map[int]*view, v *view, t int) (ok, wait bool, why string) {
	ok = true
	check := func(d depState, up *view, ut int) bool {
		s := up.status[ut]
		if s == nil || !s.State.Terminal() {
			ok, wait = false, true
			return true
		}
		if s.State != pluginapi.StateCompleted {
			why = fmt.Sprintf("dependency can never be satisfied: upstream %s ended %s", taskLabel(d.ID, ut), s.State)
			if s.Reason != "" {
				why += " (" + s.Reason + ")"
			}
			return false
		}
		return true
	}
	for _, d := range v.st.Deps {
		up := views[d.ID]
		if up == nil {
			ok, wait = false, true
			continue
		}
		switch d.Kind {
		case pluginapi.AfterOK:
			for _, ut := range up.tasks() {
				if !check(d, up, ut) {
					return false, false, why
				}
			}
		case pluginapi.Elementwise:
			// Same shape and offset (checked at submit): task t waits for
			// the upstream's task t.
			if !check(d, up, t) {
				return false, false, why
			}
		}
	}
	return ok, wait, ""
}

func depFailed(why string) pluginapi.Status {
	return pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "deleted", Reason: why}
}

// act deletes jobs in an error state and reports them failed, and releases
// held dependents whose upstreams completed or deletes (and fails) those
// whose upstreams never can. At most one qstat -j, one qdel and one qrls.
// What it deletes is reported failed at once and settled once it has left
// the queue (missing, in poll.go).
func (e *Executor) act(ctx context.Context, cfg *config, views map[int]*view, inError []taskKey) pluginapi.Diagnostics {
	var (
		diags   pluginapi.Diagnostics
		remove  []taskKey
		release []taskKey
	)
	if len(inError) > 0 {
		// The reasons are worth one more qstat, once per task: "can't open
		// output file ...: No such file or directory" says what to fix.
		var ask []int
		for _, k := range inError {
			if _, known := e.track.errorOf(k); !known {
				ask = appendUnique(ask, k.Job)
			}
		}
		var reasons map[int]map[int]string
		if len(ask) > 0 {
			slices.Sort(ask)
			res, _ := e.command(ctx, cfg, "qstat", []string{"-j", joinInts(ask, ",")}, nil)
			reasons = parseErrorReasons(res.Stdout)
		}
		for _, k := range inError {
			why, known := e.track.errorOf(k)
			if !known {
				if why = errorReason(reasons, k.Job, max(k.Task, 1)); why == "" {
					why = "no reason given"
				}
				why = "Grid Engine put the job in error state, where it would wait forever: " + why + "; reflow deleted it"
				e.track.setError(k, why)
			}
			s := views[k.Job].status[k.Task]
			*s = pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: s.NativeState, Reason: why}
			remove = append(remove, k)
		}
	}
	for _, v := range views {
		if !v.ours || !v.st.Hold {
			continue
		}
		for _, t := range v.tasks() {
			s := v.status[t]
			if s == nil || s.State != pluginapi.StatePending || !strings.Contains(s.NativeState, "h") || strings.Contains(s.NativeState, "E") {
				continue
			}
			ok, wait, why := verdict(views, v, t)
			switch {
			case ok:
				release = append(release, taskKey{v.id, t})
			case !wait:
				// Settled only once it is gone from the queue: qdel of a
				// task Grid Engine is just releasing from its -hold_jid_ad
				// can answer "does not exist" and leave it, so it is
				// deleted again at every Poll until it is gone.
				*s = depFailed(why)
				remove = append(remove, taskKey{v.id, t})
			}
		}
	}
	if len(remove) > 0 {
		// A job or task that is really gone is settled by the next Poll;
		// one that is not is deleted again then.
		if _, err := e.command(ctx, cfg, "qdel", taskIDs(remove), nil); err != nil {
			diags = diags.Warnf("settings.qdel", "deleting jobs that can never run (tried again at the next Poll): %v", err)
		}
	}
	if fresh := e.track.release(release); len(fresh) > 0 {
		if _, err := e.command(ctx, cfg, "qrls", taskIDs(fresh), nil); err != nil {
			e.track.unrelease(fresh) // try again at the next Poll
			diags = diags.Warnf("settings.qrls", "releasing held dependents: %v", err)
		}
	}
	return diags
}

// taskIDs writes tasks as job ids for qdel and qrls: "12" for a job, and
// "13.1-4" style ranges for array tasks.
func taskIDs(ks []taskKey) []string {
	byJob := map[int][]int{}
	var jobs []int
	for _, k := range ks {
		if _, ok := byJob[k.Job]; !ok {
			jobs = append(jobs, k.Job)
		}
		byJob[k.Job] = append(byJob[k.Job], k.Task)
	}
	slices.Sort(jobs)
	var out []string
	for _, j := range jobs {
		tasks := byJob[j]
		slices.Sort(tasks)
		tasks = slices.Compact(tasks)
		if tasks[0] == 0 {
			out = append(out, strconv.Itoa(j))
			continue
		}
		for i := 0; i < len(tasks); {
			k := i
			for k+1 < len(tasks) && tasks[k+1] == tasks[k]+1 {
				k++
			}
			if k == i {
				out = append(out, fmt.Sprintf("%d.%d", j, tasks[i]))
			} else {
				out = append(out, fmt.Sprintf("%d.%d-%d", j, tasks[i], tasks[k]))
			}
			i = k + 1
		}
	}
	return out
}
