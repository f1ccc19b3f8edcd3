package pluginapi

import (
	"sort"
	"time"
)

var zeroTime time.Time

// This file holds the helpers for array element lists that may carry runs
// (ElementStatus.Count): plugins merge with MergeElements, hosts read with
// EachElement or ElementLookup.

// EachElement calls fn for every element j lists, one call per element
// index, runs expanded.
func (j *JobStatus) EachElement(fn func(index int, st *Status)) {
	for k := range j.Elements {
		e := &j.Elements[k]
		for i := 0; i < e.Len(); i++ {
			fn(e.Index+i, &e.Status)
		}
	}
}

// sameBut reports whether a and b agree on everything a host acts on; times
// and peak memory may differ.
func sameBut(a, b *Status) bool {
	return a.State == b.State && a.ExitCode == b.ExitCode && a.NativeState == b.NativeState && a.Reason == b.Reason
}

// MergeElements returns els (sorted by index, one entry per element or run)
// with neighbouring elements that agree on state, exit code, native state
// and reason merged into runs. A run keeps its elements' times and peak
// memory only when they all agree; otherwise they are zero (not known),
// which hosts accept: the worker's own result carries them. Elements still
// running keep their own start times, since a host may show them.
func MergeElements(els []ElementStatus) []ElementStatus {
	out := make([]ElementStatus, 0, 8)
	for _, e := range els {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Index+last.Len() == e.Index && sameBut(&last.Status, &e.Status) && e.State != StateRunning {
				last.Count = last.Len() + e.Len()
				if !last.Start.Equal(e.Start) || !last.End.Equal(e.End) || last.PeakMemory != e.PeakMemory {
					last.Start, last.End, last.PeakMemory = zeroTime, zeroTime, 0
				}
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// ElementLookup finds the status of an element by index in a job's
// element list, runs included, in O(log n).
type ElementLookup struct {
	els []ElementStatus
}

// NewElementLookup indexes els; it sorts a copy only when els is not
// sorted by index already.
func NewElementLookup(els []ElementStatus) ElementLookup {
	if !sort.SliceIsSorted(els, func(a, b int) bool { return els[a].Index < els[b].Index }) {
		els = append([]ElementStatus(nil), els...)
		sort.Slice(els, func(a, b int) bool { return els[a].Index < els[b].Index })
	}
	return ElementLookup{els: els}
}

// Find returns the status of the element index, and whether it is listed.
func (l ElementLookup) Find(index int) (*Status, bool) {
	// The last entry starting at or before index.
	k := sort.Search(len(l.els), func(k int) bool { return l.els[k].Index > index }) - 1
	if k < 0 {
		return nil, false
	}
	e := &l.els[k]
	if index >= e.Index+e.Len() {
		return nil, false
	}
	return &e.Status, true
}
