package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// row is one line of qstat's answer: a job, or one subjob of an array.
type row struct {
	j *job
	e *elem // nil for a plain job's or an array parent's own row
}

// runQstat is qstat: strict options, then the jobs named (or all), in the
// format asked for, with the per-id errors and exit statuses of facts §4.
func runQstat(c *config, st *store, args []string, stdout, stderr io.Writer) int {
	req, perr := pbssyntax.ParseQstat(args, c.site)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Text)
		return perr.Code
	}
	if req.Version {
		fmt.Fprintln(stdout, versionLine(c))
		return 0
	}
	if req.Other != "" {
		fmt.Fprintf(stderr, "qstat: (PBS test double) %s is not emulated\n", req.Other)
		return 1
	}
	if req.History && !c.torque() && !c.historyOn {
		if len(req.Operands) == 0 {
			fmt.Fprintln(stderr, "qstat: PBS is not configured to maintain job history")
		}
		for _, op := range req.Operands {
			fmt.Fprintln(stderr, "qstat: PBS is not configured to maintain job history "+op)
		}
		return pbssyntax.ExitNoHistory
	}
	now := time.Now()
	jobs, err := st.all()
	if err != nil {
		fmt.Fprintf(stderr, "qstat: (PBS test double) %v\n", err)
		return 1
	}
	rows, errs := selectRows(c, req, jobs, now)
	code := 0
	if !(req.OneReq && len(rows) > 0) {
		for _, e := range errs {
			fmt.Fprintln(stderr, e.Text)
			code = e.Code
		}
	}
	switch {
	case c.torque() && req.History:
		writeXML(stdout, c, rows, now)
	case req.Format == "json":
		writeJSON(stdout, c, rows, now)
	case req.Format == "dsv":
		writeDSV(stdout, c, rows, now, req.Delim)
	case req.Full:
		writeFull(stdout, c, rows, now)
	case req.Alt:
		writeAlt(stdout, c, rows, now)
	default:
		writeTable(stdout, c, rows, now)
	}
	return code
}

// selectRows picks the rows the operands name, with an error per operand
// qstat cannot answer.
func selectRows(c *config, req *pbssyntax.QstatRequest, jobs []*job, now time.Time) ([]row, []*pbssyntax.Error) {
	unknown := func(id string) *pbssyntax.Error {
		if c.torque() {
			return &pbssyntax.Error{Text: "qstat: Unknown Job Id Error " + id, Code: pbssyntax.ExitUnknownJob}
		}
		return &pbssyntax.Error{Text: "qstat: Unknown Job Id " + id, Code: pbssyntax.ExitUnknownJob}
	}
	bySeq := map[int]*job{}
	for _, j := range jobs {
		bySeq[j.Seq] = j
	}
	// shown reports whether a job is listed under the request's -x rule.
	shown := func(j *job) (bool, *pbssyntax.Error) {
		listed, historyOnly := j.visible(c, now)
		switch {
		case !listed:
			return false, unknown(j.ID)
		case historyOnly && !req.History:
			return false, &pbssyntax.Error{Text: fmt.Sprintf("qstat: %s Job has finished, use -x or -H to obtain historical job information", j.ID), Code: pbssyntax.ExitFinished}
		}
		return true, nil
	}
	withSubjobs := func(j *job) []row {
		out := []row{{j: j}}
		if j.isArray() && req.Subjobs {
			for _, e := range j.Elems {
				out = append(out, row{j: j, e: e})
			}
		}
		return out
	}
	var rows []row
	var errs []*pbssyntax.Error
	if len(req.Operands) == 0 {
		for _, j := range jobs {
			if ok, _ := shown(j); ok {
				rows = append(rows, withSubjobs(j)...)
			}
		}
		return rows, errs
	}
	for _, op := range req.Operands {
		if op == "" || op[0] < '0' || op[0] > '9' {
			// A destination: queue, queue@server or @server.
			q, _, _ := strings.Cut(op, "@")
			found := q == ""
			for _, known := range c.queues {
				found = found || known == q
			}
			if !found {
				errs = append(errs, &pbssyntax.Error{Text: "qstat: Unknown queue destination " + op, Code: pbssyntax.ExitUnknownQueue})
				continue
			}
			for _, j := range jobs {
				if ok, _ := shown(j); ok && (q == "" || j.Queue == q) {
					rows = append(rows, withSubjobs(j)...)
				}
			}
			continue
		}
		id, _ := pbssyntax.ParseJobID(op)
		j := bySeq[id.Seq]
		if j == nil || !serverMatches(c, id) || j.isArray() != (id.Kind != pbssyntax.PlainJob) {
			errs = append(errs, unknown(op))
			continue
		}
		ok, err := shown(j)
		if !ok {
			err.Text = strings.Replace(err.Text, j.ID, op, 1)
			errs = append(errs, err)
			continue
		}
		switch id.Kind {
		case pbssyntax.PlainJob, pbssyntax.ArrayJob:
			rows = append(rows, withSubjobs(j)...)
		default:
			n := 0
			for _, e := range j.Elems {
				if e.Index >= id.Lo && e.Index <= id.Hi {
					rows = append(rows, row{j: j, e: e})
					n++
				}
			}
			if n == 0 {
				errs = append(errs, unknown(op))
			}
		}
	}
	return rows, errs
}
