package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// bjobs reports jobs: by id (finished ones too, while LSF still knows
// them), or all unfinished ones (-a: finished ones too). Ids LSF does not
// know get "Job <id> is not found" on stderr, or an ERROR record with
// -json; the others are still printed. The exit status is 255 when no id
// was found, or with LSB_BJOBS_CONSISTENT_EXIT_CODE=Y when any was not.
func bjobs(st *store, cfg config, args []string, stdout, stderr io.Writer) int {
	req, perr := lsfsyntax.ParseBjobs(args)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Msg)
		return perr.Code
	}
	unlock, err := st.lock(false)
	if err != nil {
		fmt.Fprintf(stderr, "bjobs: %v\n", err)
		return lsfsyntax.ExitFailure
	}
	defer unlock()
	c := newCluster(st, cfg)

	var (
		recs    []record
		errs    []string
		missing int
	)
	if len(req.IDs) == 0 {
		for _, v := range c.all() {
			for _, e := range v.elems {
				if req.All || !e.ended() {
					recs = append(recs, record{v, e, c})
				}
			}
		}
		if len(recs) == 0 {
			if req.All {
				fmt.Fprintln(stderr, "No job found")
			} else {
				fmt.Fprintln(stderr, "No unfinished job found")
			}
			return lsfsyntax.ExitFailure
		}
	}
	for _, id := range req.IDs {
		v, ok := c.get(id.ID)
		if !ok {
			missing++
			if id.Indices != nil {
				errs = append(errs, fmt.Sprintf("Job array <%d> is not found", id.ID))
			} else {
				errs = append(errs, fmt.Sprintf("Job <%s> is not found", id.Text))
			}
			continue
		}
		if id.Indices == nil {
			for _, e := range v.elems {
				recs = append(recs, record{v, e, c})
			}
			continue
		}
		for _, i := range id.Indices {
			if e, ok := v.elem(i); ok {
				recs = append(recs, record{v, e, c})
			} else {
				missing++
				errs = append(errs, fmt.Sprintf("Job <%d[%d]> is not found", id.ID, i))
			}
		}
	}
	// LSF lists running jobs first, then pending, then finished ones: never
	// in the order asked.
	sort.SliceStable(recs, func(a, b int) bool { return statGroup(recs[a].e.Stat) < statGroup(recs[b].e.Stat) })

	fields := req.Fields
	switch {
	case req.JSON:
		if fields == nil {
			fields = []string{"jobid", "user", "stat", "queue", "from_host", "exec_host", "job_name", "submit_time"}
		}
		var items []jsonItem
		for _, r := range recs {
			items = append(items, recordItem(fields, r))
		}
		for _, e := range errs {
			items = append(items, errorItem(e))
		}
		writeJSONOutput(stdout, fields, items)
	default:
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		switch {
		case fields != nil:
			writeColumns(stdout, fields, req.Delimiter, req.NoHeader, recs)
		case req.Long:
			writeLong(stdout, recs)
		case len(recs) > 0:
			writeTable(stdout, req.Wide, req.NoHeader, recs)
		}
	}
	if missing > 0 && (cfg.Consistent || len(recs) == 0) {
		return lsfsyntax.ExitFailure
	}
	return 0
}

func statGroup(s string) int {
	switch s {
	case statRUN, statUNKWN:
		return 0
	case statPEND, statPSUSP:
		return 1
	}
	return 2
}
