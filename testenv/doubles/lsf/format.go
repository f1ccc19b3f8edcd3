package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// termReasons are LSF's termination keywords with the text of IBM's
// "Termination reasons" table, for the ones the double produces.
var termReasons = map[string]string{
	"TERM_OWNER":        "Job killed by owner",
	"TERM_FORCE_OWNER":  "Job killed by owner without time for cleanup",
	"TERM_RUNLIMIT":     "Job killed after reaching LSF run time limit",
	"TERM_MEMLIMIT":     "Job killed after reaching LSF memory usage limit",
	"TERM_CWD_NOTEXIST": "Current working directory is not accessible or does not exist on the execution host",
	"TERM_OTHER":        "Job killed for another reason",
}

func termText(keyword string) string {
	if t, ok := termReasons[keyword]; ok {
		return t
	}
	return keyword
}

// record is one line of bjobs output: one job, or one array element.
type record struct {
	v *jobView
	e elem
	c *cluster
}

// field renders one -o field of r; "" means no value (bjobs prints "-" in
// columns and "" in JSON).
func (r record) field(name string) string {
	j, e := r.v.job, r.e
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("Jan _2 15:04")
	}
	switch name {
	case "jobid":
		return strconv.FormatInt(j.ID, 10)
	case "jobindex":
		return strconv.Itoa(e.Index)
	case "stat":
		return e.Stat
	case "exit_code":
		if e.Stat != statEXIT || e.Exit < 0 {
			return ""
		}
		return strconv.Itoa(e.Exit)
	case "exit_reason":
		if e.Reason == "" {
			return ""
		}
		return e.Reason + ": " + termText(e.Reason)
	case "job_name":
		return j.elementName(e.Index)
	case "user":
		return j.User
	case "queue":
		return j.Queue
	case "from_host":
		return j.Host
	case "exec_host":
		if !e.started() {
			return ""
		}
		return j.Host
	case "submit_time":
		return ts(j.Submit)
	case "start_time":
		return ts(e.Start)
	case "finish_time":
		return ts(e.End)
	case "pend_reason":
		return r.pendReason()
	case "proj_name":
		return j.Project
	case "slots", "nalloc_slot":
		return strconv.Itoa(max(j.Slots, 1))
	case "dependency":
		return j.Depend
	case "command":
		if len(j.Command) > 0 {
			return strings.Join(j.Command, " ")
		}
		return j.Name
	}
	return ""
}

// pendReason says why an element still pends.
func (r record) pendReason() string {
	j, e := r.v.job, r.e
	switch {
	case e.Stat == statPSUSP:
		return "The job was suspended by the user while pending"
	case e.Stat != statPEND:
		return ""
	case !j.Begin.IsZero() && time.Now().Before(j.Begin):
		return "The job has a specified start time"
	case j.Depend != "":
		if n, err := lsfsyntax.ParseDepend(j.Depend); err == nil && r.c.never(n, e.Index) {
			return "Dependency condition invalid or never satisfied"
		}
		return "Job dependency condition not satisfied"
	}
	return "New job is waiting for scheduling"
}

// writeColumns writes records as bjobs -o does without -json: one line
// each, fields separated by the delimiter (a space by default), "-" for no
// value, after a header of upper-case field names unless noHeader.
func writeColumns(w io.Writer, fields []string, delim string, noHeader bool, recs []record) {
	if delim == "" {
		delim = " "
	}
	if !noHeader {
		h := make([]string, len(fields))
		for i, f := range fields {
			h[i] = strings.ToUpper(f)
		}
		fmt.Fprintln(w, strings.Join(h, delim))
	}
	for _, r := range recs {
		vals := make([]string, len(fields))
		for i, f := range fields {
			if vals[i] = r.field(f); vals[i] == "" {
				vals[i] = "-"
			}
		}
		fmt.Fprintln(w, strings.Join(vals, delim))
	}
}

// jsonItem is a RECORDS entry: a job's fields, or {"ERROR": ...}.
type jsonItem struct {
	fields map[string]string
	order  []string
}

func (it jsonItem) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range it.order {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(k))
		b.WriteByte(':')
		b.WriteString(jsonString(it.fields[k]))
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// writeJSON writes bjobs -json output: every value a string, missing ids
// as records with an ERROR key.
func writeJSONOutput(w io.Writer, fields []string, items []jsonItem) {
	out := struct {
		Command string     `json:"COMMAND"`
		Jobs    int        `json:"JOBS"`
		Records []jsonItem `json:"RECORDS"`
	}{"bjobs", len(items), items}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // bjobs prints "Job <1> is not found" as it is
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// jsonString quotes s as JSON without escaping <, > and &.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func recordItem(fields []string, r record) jsonItem {
	it := jsonItem{fields: map[string]string{}}
	for _, f := range fields {
		k := strings.ToUpper(f)
		it.fields[k] = r.field(f)
		it.order = append(it.order, k)
	}
	return it
}

func errorItem(msg string) jsonItem {
	return jsonItem{fields: map[string]string{"ERROR": msg}, order: []string{"ERROR"}}
}

// writeTable writes bjobs' default output (-w: names not cut short).
func writeTable(w io.Writer, wide, noHeader bool, recs []record) {
	if !noHeader {
		fmt.Fprintf(w, "%-7s %-7s %-5s %-10s %-11s %-11s %-10s %s\n", "JOBID", "USER", "STAT", "QUEUE", "FROM_HOST", "EXEC_HOST", "JOB_NAME", "SUBMIT_TIME")
	}
	cut := func(s string, n int) string {
		if wide || len(s) <= n {
			return s
		}
		return "*" + s[len(s)-n+1:]
	}
	for _, r := range recs {
		exec := r.field("exec_host")
		if exec == "" {
			exec = ""
		}
		fmt.Fprintf(w, "%-7s %-7s %-5s %-10s %-11s %-11s %-10s %s\n",
			r.field("jobid"), cut(r.field("user"), 7), r.field("stat"), cut(r.field("queue"), 10),
			cut(r.field("from_host"), 11), cut(exec, 11), cut(r.field("job_name"), 10), r.field("submit_time"))
	}
}

// writeLong writes a short form of bjobs -l.
func writeLong(w io.Writer, recs []record) {
	for i, r := range recs {
		if i > 0 {
			fmt.Fprintln(w, strings.Repeat("-", 78))
		}
		fmt.Fprintf(w, "\nJob <%s>, Job Name <%s>, User <%s>, Project <%s>, Status <%s>, Queue <%s>\n",
			r.v.job.elementID(r.e.Index), r.field("job_name"), r.field("user"), r.field("proj_name"), r.field("stat"), r.field("queue"))
		fmt.Fprintf(w, "%s: Submitted from host <%s>, CWD <%s>;\n", r.v.job.Submit.Format(time.ANSIC), r.field("from_host"), r.v.job.SubCwd)
		if r.e.started() {
			fmt.Fprintf(w, "%s: Started on <%s>;\n", r.e.Start.Format(time.ANSIC), r.field("exec_host"))
		}
		switch r.e.Stat {
		case statDONE:
			fmt.Fprintf(w, "%s: Done successfully.\n", r.e.End.Format(time.ANSIC))
		case statEXIT:
			fmt.Fprintf(w, "%s: Exited with exit code %s. %s\n", r.e.End.Format(time.ANSIC), r.field("exit_code"), r.field("exit_reason"))
		case statPEND, statPSUSP:
			fmt.Fprintf(w, " PENDING REASONS:\n %s;\n", r.pendReason())
		}
	}
}
