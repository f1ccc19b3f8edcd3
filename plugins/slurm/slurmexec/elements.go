package slurmexec

import (
	"fmt"
	"slices"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// jobView is what the status sources say about one job: its own record
// and its elements by native index. Records of the first source that
// mentions an element win; a later source only fills gaps (squeue, which is
// live, before sacct, which lags and keeps stale pending ranges).
type jobView struct {
	whole *record
	elems map[int]*record
	// live is set when squeue listed the job: a record from accounting
	// alone that is not final is stale.
	live bool
	// sacctFailed is set when accounting should have been asked about the
	// job but could not be.
	sacctFailed bool
}

// addAll adds one source's records about this job. Within a source, an
// element's own row wins over a range row that also covers it (sacct keeps
// "123_[0-9]" after elements 0-4 ran).
func (v *jobView) addAll(recs []*record, live bool) {
	if len(recs) == 0 {
		return
	}
	if live {
		v.live = true
	}
	if v.elems == nil {
		v.elems = map[int]*record{}
	}
	fresh := map[int]bool{}
	for _, r := range recs {
		switch r.ID.Kind {
		case rowJob:
			if v.whole == nil {
				v.whole = r
			}
		case rowElement:
			if _, ok := v.elems[r.ID.Index]; !ok || fresh[r.ID.Index] {
				v.elems[r.ID.Index] = r
				fresh[r.ID.Index] = true
			}
		}
	}
	for _, r := range recs {
		if r.ID.Kind != rowRange {
			continue
		}
		for _, i := range r.ID.Indices {
			if _, ok := v.elems[i]; !ok {
				v.elems[i] = r
			}
		}
	}
}

func (v *jobView) empty() bool { return v == nil || v.whole == nil && len(v.elems) == 0 }

// covers reports whether every element of the array hs describes has a
// record (its own, a range's, or the array's own record).
func (v *jobView) covers(hs handleState) bool {
	if v.empty() {
		return false
	}
	if !hs.isArray() || v.whole != nil {
		return true
	}
	for i := 0; i < hs.Size; i++ {
		if _, ok := v.elems[hs.Base+i]; !ok {
			return false
		}
	}
	return true
}

// status is the job's status. gone is the status of an element no source
// lists although others of its array are listed.
func (v *jobView) status(hs handleState, ours bool, gone pluginapi.Status) pluginapi.JobStatus {
	if !hs.isArray() && !ours && len(v.elems) > 0 {
		// An array submitted by someone else, or a handle without its
		// state: native indices are all there is to go by.
		var els []pluginapi.ElementStatus
		idx := make([]int, 0, len(v.elems))
		for i := range v.elems {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		for _, i := range idx {
			els = append(els, pluginapi.ElementStatus{Index: i, Status: toStatus(*v.elems[i], hs.Deps)})
		}
		return pluginapi.JobStatus{Status: summarize(els, 0), Elements: pluginapi.MergeElements(els)}
	}
	if !hs.isArray() {
		r := v.whole
		if r == nil { // only element rows: not what the handle said
			for _, e := range v.elems {
				r = e
				break
			}
		}
		return pluginapi.JobStatus{Status: toStatus(*r, hs.Deps)}
	}
	els := make([]pluginapi.ElementStatus, hs.Size)
	for i := range els {
		els[i].Index = hs.Offset + i
		switch r, ok := v.elems[hs.Base+i]; {
		case ok:
			els[i].Status = toStatus(*r, hs.Deps)
		case v.whole != nil:
			els[i].Status = toStatus(*v.whole, hs.Deps)
		default:
			els[i].Status = gone
		}
	}
	return pluginapi.JobStatus{Status: summarize(els, hs.Size), Elements: pluginapi.MergeElements(els)}
}

// summarize is an array's own status from its elements: running while any
// runs, pending while any waits, completed only when all completed, and
// otherwise as its first element that did not complete, with a count.
func summarize(els []pluginapi.ElementStatus, total int) pluginapi.Status {
	if total == 0 {
		total = len(els)
	}
	var (
		running, pending, unknown, done int
		firstBad                        = -1
		start, end                      time.Time
	)
	for k, e := range els {
		if !e.Start.IsZero() && (start.IsZero() || e.Start.Before(start)) {
			start = e.Start
		}
		if e.End.After(end) {
			end = e.End
		}
		switch {
		case e.State == pluginapi.StateRunning:
			running++
		case e.State == pluginapi.StatePending:
			pending++
		case e.State == pluginapi.StateUnknown:
			unknown++
		case e.State == pluginapi.StateCompleted:
			done++
		default:
			if firstBad < 0 {
				firstBad = k
			}
		}
	}
	st := pluginapi.Status{ExitCode: pluginapi.NoExitCode, Start: start}
	switch {
	case running > 0:
		st.State, st.NativeState = pluginapi.StateRunning, "RUNNING"
		st.Reason = fmt.Sprintf("%d of %d elements running, %d waiting", running, total, pending)
	case pending > 0:
		st.State, st.NativeState = pluginapi.StatePending, "PENDING"
		if first := firstIn(els, pluginapi.StatePending); first.Reason != "" {
			st.Reason = first.Reason
		}
	case unknown == len(els):
		st.State, st.Reason = pluginapi.StateUnknown, "Slurm does not know the array's elements"
	case unknown > 0:
		st.State = pluginapi.StatePending
		st.Reason = fmt.Sprintf("%d of %d elements are not known to Slurm yet", unknown, total)
	case firstBad < 0:
		st.State, st.NativeState, st.ExitCode, st.End = pluginapi.StateCompleted, "COMPLETED", 0, end
	default:
		b := els[firstBad]
		st.State, st.NativeState, st.ExitCode, st.End = b.State, b.NativeState, b.ExitCode, end
		st.Reason = fmt.Sprintf("%d of %d elements did not complete; element %d: %s", total-done, total, b.Index, b.Reason)
	}
	return st
}

func firstIn(els []pluginapi.ElementStatus, s pluginapi.State) pluginapi.Status {
	for _, e := range els {
		if e.State == s {
			return e.Status
		}
	}
	return pluginapi.Status{}
}
