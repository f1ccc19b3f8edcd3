package slurmexec

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// staleSlack is how much older than the handle's submit time an accounting
// record may be and still be this job's: clocks and Slurm's rounding, not a
// job of the same id from a wiped test cluster.
const staleSlack = 10 * time.Minute

// Poll reports the states of many jobs with one squeue call for all of
// them, then one sacct call for the jobs squeue no longer lists (or lists
// only in part). Without accounting, a job squeue no longer lists is asked
// about with `scontrol show job` and, when Slurm has forgotten it, reported
// failed as vanished once VanishGrace has passed. Jobs whose dependency can
// never be satisfied are cancelled (one scancel) and reported failed.
//
// If squeue itself fails, nothing can be said about any job: the answer
// has no statuses and an error diagnostic, and the host tries again later.
func (e *Executor) Poll(ctx context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	cfg, cl := e.snapshot(ctx)
	now := e.now()
	n := len(req.Handles)
	states := make([]handleState, n)
	ours := make([]bool, n)
	byCluster := map[string][]string{}
	seen := map[string]bool{}
	oursIDs := map[string]bool{} // ids with a handle this plugin issued
	for i, h := range req.Handles {
		if !validJobID(h.ID) {
			continue
		}
		states[i], ours[i] = decodeHandle(h)
		if ours[i] {
			oursIDs[h.ID] = true
		}
		key := states[i].Cluster + "\x00" + h.ID
		if !seen[key] {
			seen[key] = true
			byCluster[states[i].Cluster] = append(byCluster[states[i].Cluster], h.ID)
		}
	}
	// The oldest submit time of each job id: accounting records older than
	// that belong to an earlier job with the same id.
	since := map[string]time.Time{}
	for i, h := range req.Handles {
		if t := states[i].submitTime(); !t.IsZero() {
			if old, ok := since[h.ID]; !ok || t.Before(old) {
				since[h.ID] = t
			}
		}
	}
	keep := func(r *record) bool {
		t, ok := since[r.ID.Job]
		return !ok || r.Submit.IsZero() || !r.Submit.Before(t.Add(-staleSlack))
	}

	var diags pluginapi.Diagnostics
	views := map[string]map[string]*jobView{} // cluster → job id → view
	kill := map[string][]string{}             // cluster → ids to cancel
	acct := e.accountingOn(cfg, cl)
	for cluster, ids := range byCluster {
		// Jobs squeue does not list, or lists only some elements of, are
		// asked about further.
		incomplete := func(v map[string]*jobView) []string {
			var gone []string
			inGone := map[string]bool{}
			for i, h := range req.Handles {
				if validJobID(h.ID) && states[i].Cluster == cluster && !inGone[h.ID] && !v[h.ID].covers(states[i]) {
					inGone[h.ID] = true
					gone = append(gone, h.ID)
				}
			}
			return gone
		}
		v, toKill, d, err := e.gather(ctx, cfg, cluster, ids, incomplete, &acct, keep, oursIDs)
		if err != nil {
			return &pluginapi.PollResponse{Diagnostics: diags.Errorf("", "cannot poll Slurm: %v", err)}, nil
		}
		views[cluster], kill[cluster] = v, toKill
		diags = append(diags, d...)
	}

	jobs := make([]pluginapi.JobStatus, n)
	for i, h := range req.Handles {
		var js pluginapi.JobStatus
		if !validJobID(h.ID) {
			js.Status = pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode,
				Reason: "not a Slurm job id"}
		} else {
			js = e.jobStatus(h.ID, states[i], ours[i], views[states[i].Cluster][h.ID], acct, cfg, now)
		}
		js.ID = h.ID
		jobs[i] = js
	}
	for cluster, ids := range kill {
		if len(ids) > 0 {
			diags = append(diags, e.scancel(ctx, cfg, cluster, ids)...)
		}
	}
	return &pluginapi.PollResponse{Jobs: jobs, Diagnostics: diags}, nil
}

// gather asks the status sources about the jobs of one cluster: squeue
// about all of them, then sacct (or, without accounting, scontrol) about
// those incomplete names. It returns what they said by job id and the ids
// of jobs to cancel because their dependency can never hold. An error means
// squeue failed. *acct is cleared when sacct says the cluster has no
// accounting.
func (e *Executor) gather(ctx context.Context, cfg config, cluster string, ids []string, incomplete func(map[string]*jobView) []string,
	acct *bool, keep func(*record) bool, ours map[string]bool) (map[string]*jobView, []string, pluginapi.Diagnostics, error) {
	var diags pluginapi.Diagnostics
	v := map[string]*jobView{}
	recs, err := e.squeue(ctx, cfg, cluster, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	addViews(v, recs, true, nil)
	kill := neverSatisfiableIDs(recs)
	gone := incomplete(v)
	if len(gone) == 0 {
		return v, kill, diags, nil
	}
	if *acct {
		recs, err := e.sacct(ctx, cfg, cluster, gone)
		switch {
		case errors.Is(err, errAccountingDisabled):
			e.noteAccountingDisabled()
			*acct = cfg.Accounting == "yes"
		case err != nil:
			// Say nothing final about these jobs: they are reported
			// pending, and the next Poll asks again.
			diags = diags.Warnf("", "cannot ask accounting about %d jobs that left the queue: %v", len(gone), err)
			for _, id := range gone {
				if v[id] == nil {
					v[id] = &jobView{}
				}
				v[id].sacctFailed = true
			}
			return v, kill, diags, nil
		default:
			addViews(v, recs, false, keep)
			return v, kill, diags, nil
		}
	}
	e.askScontrol(ctx, cfg, cluster, gone, v, ours)
	return v, kill, diags, nil
}

// askScontrol, without accounting, asks scontrol about the jobs this
// plugin submitted that squeue does not list: the last source that may
// still know how they ended. At most maxScontrolPerPoll calls.
func (e *Executor) askScontrol(ctx context.Context, cfg config, cluster string, gone []string, v map[string]*jobView, ours map[string]bool) {
	asked := 0
	for _, id := range gone {
		if !v[id].empty() || !ours[id] || asked >= maxScontrolPerPoll {
			continue
		}
		asked++
		recs, err := e.scontrolJob(ctx, cfg, cluster, id)
		if err != nil {
			continue // the vanish grace covers a failing scontrol
		}
		addViews(v, recs, true, nil)
	}
}

// jobStatus is one job's answer from what the sources said.
func (e *Executor) jobStatus(id string, hs handleState, ours bool, v *jobView, acct bool, cfg config, now time.Time) pluginapi.JobStatus {
	if v != nil && v.sacctFailed && v.empty() {
		return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StatePending, ExitCode: pluginapi.NoExitCode,
			Reason: "left the queue; accounting could not be asked about its end yet"}}
	}
	if !v.empty() {
		gone := e.goneElement(acct, v.sacctFailed)
		js := v.status(hs, ours, gone)
		if v.live || js.State.Terminal() {
			e.forget(id)
			return js
		}
		// Only accounting lists it, and not as ended: a stale record of a
		// job Slurm no longer has.
		return e.vanished(id, hs, ours, cfg, now, fmt.Sprintf("accounting last saw it %s", js.NativeState))
	}
	e.mu.Lock()
	cancelled := e.cancelled[id]
	e.mu.Unlock()
	switch {
	case cancelled:
		return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode,
			NativeState: "CANCELLED", Reason: "cancelled while pending; Slurm keeps no record of it"}}
	case acct || !ours:
		return pluginapi.JobStatus{Status: pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode,
			Reason: "Slurm does not know this job"}}
	}
	return e.vanished(id, hs, ours, cfg, now, "there is no accounting to ask")
}

// addViews files records under their job id, keeping those keep accepts
// (nil: all).
func addViews(views map[string]*jobView, recs []record, live bool, keep func(*record) bool) {
	byJob := map[string][]*record{}
	var order []string
	for i := range recs {
		r := &recs[i]
		if keep != nil && !keep(r) {
			continue
		}
		if _, ok := byJob[r.ID.Job]; !ok {
			order = append(order, r.ID.Job)
		}
		byJob[r.ID.Job] = append(byJob[r.ID.Job], r)
	}
	for _, id := range order {
		v := views[id]
		if v == nil {
			v = &jobView{}
			views[id] = v
		}
		v.addAll(byJob[id], live)
	}
}

// neverSatisfiableIDs are the ids (job, element or range) of records that
// wait for a dependency that can never hold, as scancel takes them.
func neverSatisfiableIDs(recs []record) []string {
	var ids []string
	for _, r := range recs {
		if !neverSatisfiable(r) {
			continue
		}
		switch r.ID.Kind {
		case rowJob:
			ids = append(ids, r.ID.Job)
		case rowElement:
			ids = append(ids, fmt.Sprintf("%s_%d", r.ID.Job, r.ID.Index))
		case rowRange:
			ids = append(ids, fmt.Sprintf("%s_[%s]", r.ID.Job, runList(r.ID.Indices)))
		}
	}
	return ids
}

// runList writes ascending indices as runs, "2-3,7-9": the one range
// form every Slurm command takes (sdk.CompressRanges may add steps).
func runList(idx []int) string {
	var b strings.Builder
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(idx[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(idx[j]))
		}
		i = j + 1
	}
	return b.String()
}
