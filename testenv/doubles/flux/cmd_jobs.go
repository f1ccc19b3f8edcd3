package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// defaultFormat approximates flux jobs' default columns.
const defaultFormat = "{id.f58:>12} {username:<8} {name:<10} {status_abbrev:>2} {ntasks:>6} {nnodes:>6} {inactive_reason}"

// jobs answers `flux jobs`. Listing ids turns the state and user filters
// off and looks each id up; an unknown one is reported on stderr
// ("JobID X unknown"), and only from 0.80 on does it change the exit
// status (1 when none was found). Without ids the user's active jobs are
// listed (-a: all; -f: by state or result), at most --count of them.
func (e *env) jobs() int {
	q, rej := fluxsyntax.ParseJobs(e.args)
	if rej != nil {
		return e.reject(rej)
	}
	unlock := e.st.lock()
	var (
		found   []*job
		unknown []string
		err     error
	)
	if len(q.IDs) > 0 {
		for i, id := range q.IDs {
			j, gerr := e.st.get(id)
			if gerr != nil {
				err = gerr
				break
			}
			if j == nil {
				unknown = append(unknown, q.RawIDs[i])
				continue
			}
			found = append(found, j)
		}
	} else {
		var all []*job
		all, err = e.st.all()
		for _, j := range all {
			if keep(j, q) {
				found = append(found, j)
			}
		}
		// Newest first, as flux jobs lists them, then the count limit.
		slices.Reverse(found)
		limit := q.Count
		if limit == 0 {
			limit = 1000
		}
		if len(found) > limit {
			found = found[:limit]
		}
	}
	unlock()
	if err != nil {
		fmt.Fprintf(e.stderr, "flux-jobs: ERROR: %v\n", err)
		return 1
	}
	if slices.ContainsFunc(found, (*job).active) {
		ensureBroker(e.st)
	}
	for _, u := range unknown {
		fmt.Fprintf(e.stderr, "JobID %s unknown\n", u)
	}
	status := 0
	if len(q.IDs) > 0 && len(found) == 0 && e.version.AtLeast(fluxsyntax.JobsExitSince) {
		status = 1
	}

	switch {
	case q.JSON && len(q.IDs) == 1:
		if len(found) == 1 {
			e.writeJSON(record(found[0]))
		}
	case q.JSON:
		recs := make([]map[string]any, 0, len(found))
		for _, j := range found {
			recs = append(recs, record(j))
		}
		e.writeJSON(map[string]any{"jobs": recs})
	default:
		format := q.Format
		if format == "" {
			format = defaultFormat
		}
		if !q.NoHeader && q.Format == "" {
			fmt.Fprintln(e.stdout, "       JOBID USER     NAME       ST NTASKS NNODES INFO")
		}
		for _, j := range found {
			line, ferr := formatLine(j, format)
			if ferr != nil {
				fmt.Fprintf(e.stderr, "flux-jobs: ERROR: %v\n", ferr)
				return 1
			}
			fmt.Fprintln(e.stdout, line)
		}
	}
	return status
}

func (e *env) writeJSON(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	e.stdout.Write(buf.Bytes())
}

// keep applies the listing filters of a query without ids.
func keep(j *job, q *fluxsyntax.JobsQuery) bool {
	if q.Name != "" && j.Name != q.Name {
		return false
	}
	if q.Queue != "" && j.Queue != q.Queue {
		return false
	}
	if len(q.Filter) > 0 {
		for _, f := range q.Filter {
			switch f {
			case "PENDING":
				if j.pending() {
					return true
				}
			case "RUNNING":
				if j.State == stateRun || j.State == stateCleanup {
					return true
				}
			case "ACTIVE":
				if j.active() {
					return true
				}
			case "CANCELLED":
				if j.Result == resultCanceled {
					return true
				}
			default:
				if j.State == f || j.Result == f {
					return true
				}
			}
		}
		return false
	}
	return q.All || j.active()
}
