package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// rowID is the id a row is listed under.
func rowID(c *config, r row) string {
	if r.e == nil {
		return r.j.ID
	}
	return r.j.elemID(c, r.e)
}

// numeric is what qstat -F json prints without quotes. It is a heuristic on
// the text, as in OpenPBS: a value such as "005" comes out as 005, which is
// not valid JSON (OpenPBS issue #1255); the double keeps that quirk.
var numeric = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func jsonValue(b *bytes.Buffer, v string) {
	if numeric.MatchString(v) {
		b.WriteString(v)
		return
	}
	q, _ := json.Marshal(v)
	b.Write(q)
}

// writeJSON prints qstat -f -F json: a header and, when anything matched,
// the Jobs object keyed by id.
func writeJSON(w io.Writer, c *config, rows []row, now time.Time) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n    \"timestamp\":%d,\n    \"pbs_version\":%q,\n    \"pbs_server\":%q", now.Unix(), c.site.Version, c.server)
	if len(rows) > 0 {
		b.WriteString(",\n    \"Jobs\":{")
		for i, r := range rows {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n        %q:{", rowID(c, r))
			for k, a := range attrs(c, r, now) {
				if k > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "\n            %q:", a.name)
				if a.sub != nil || a.name == "Resource_List" || a.name == "Variable_List" {
					b.WriteString("{")
					for m, s := range a.sub {
						if m > 0 {
							b.WriteString(",")
						}
						fmt.Fprintf(&b, "\n                %q:", s.name)
						jsonValue(&b, s.val)
					}
					b.WriteString("\n            }")
					continue
				}
				jsonValue(&b, a.val)
			}
			b.WriteString("\n        }")
		}
		b.WriteString("\n    }")
	}
	b.WriteString("\n}\n")
	w.Write(b.Bytes())
}

// flatten turns nested attributes into the "Resource_List.ncpus = 4" lines
// of the text formats; Variable_List becomes one comma-separated value.
func flatten(as []attr) [][2]string {
	var out [][2]string
	for _, a := range as {
		switch {
		case a.name == "Variable_List":
			var parts []string
			for _, s := range a.sub {
				parts = append(parts, s.name+"="+s.val)
			}
			out = append(out, [2]string{a.name, strings.Join(parts, ",")})
		case a.sub != nil:
			for _, s := range a.sub {
				out = append(out, [2]string{a.name + "." + s.name, s.val})
			}
		default:
			out = append(out, [2]string{a.name, a.val})
		}
	}
	return out
}

// writeFull prints qstat -f: "Job Id:" blocks of "    name = value"
// lines; long values wrap onto lines that start with a tab, as PBS's do.
func writeFull(w io.Writer, c *config, rows []row, now time.Time) {
	for _, r := range rows {
		fmt.Fprintf(w, "Job Id: %s\n", rowID(c, r))
		for _, kv := range flatten(attrs(c, r, now)) {
			line := "    " + kv[0] + " = " + kv[1]
			for len(line) > 79 {
				fmt.Fprintln(w, line[:79])
				line = "\t" + line[79:]
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w)
	}
}

// writeDSV prints qstat -f -F dsv: one line per job, name=value pairs
// joined by the delimiter (| by default).
func writeDSV(w io.Writer, c *config, rows []row, now time.Time, delim string) {
	if delim == "" {
		delim = "|"
	}
	for _, r := range rows {
		parts := []string{"Job Id: " + rowID(c, r)}
		for _, kv := range flatten(attrs(c, r, now)) {
			parts = append(parts, kv[0]+"="+kv[1])
		}
		fmt.Fprintln(w, strings.Join(parts, delim))
	}
}

func lookup(as [][2]string, name string) string {
	for _, kv := range as {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}

// writeTable prints qstat's default format.
func writeTable(w io.Writer, c *config, rows []row, now time.Time) {
	if len(rows) == 0 {
		return
	}
	if c.torque() {
		fmt.Fprintf(w, "%-25s %-16s %-15s %-8s %s %s\n", "Job ID", "Name", "User", "Time Use", "S", "Queue")
		fmt.Fprintf(w, "%s %s %s %s %s %s\n", strings.Repeat("-", 25), strings.Repeat("-", 16), strings.Repeat("-", 15), strings.Repeat("-", 8), "-", "-----")
	} else {
		fmt.Fprintf(w, "%-17s %-16s %-17s %-8s %s %s\n", "Job id", "Name", "User", "Time Use", "S", "Queue")
		fmt.Fprintf(w, "%s  %s %s  %s %s %s\n", strings.Repeat("-", 16), strings.Repeat("-", 16), strings.Repeat("-", 16), strings.Repeat("-", 8), "-", "-----")
	}
	for _, r := range rows {
		as := flatten(attrs(c, r, now))
		user, _, _ := strings.Cut(lookup(as, "Job_Owner"), "@")
		used := lookup(as, "resources_used.cput")
		if used == "" {
			used = "0"
		}
		width := 17
		if c.torque() {
			width = 25
		}
		fmt.Fprintf(w, "%-*s %-16s %-17s %8s %s %s\n", width, trunc(rowID(c, r), width), trunc(lookup(as, "Job_Name"), 16), trunc(user, 16), used, lookup(as, "job_state"), lookup(as, "queue"))
	}
}

// writeAlt prints the alternative format (-a and friends).
func writeAlt(w io.Writer, c *config, rows []row, now time.Time) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s: \n", c.server)
	fmt.Fprintln(w, "                                                            Req'd  Req'd   Elap")
	fmt.Fprintln(w, "Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time")
	fmt.Fprintln(w, "--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----")
	for _, r := range rows {
		as := flatten(attrs(c, r, now))
		user, _, _ := strings.Cut(lookup(as, "Job_Owner"), "@")
		sess := lookup(as, "session_id")
		if sess == "" {
			sess = "--"
		}
		mem := lookup(as, "Resource_List.mem")
		if mem == "" {
			mem = "--"
		}
		wt := lookup(as, "Resource_List.walltime")
		if wt == "" {
			wt = "--"
		}
		el := lookup(as, "resources_used.walltime")
		if el == "" {
			el = "--"
		}
		fmt.Fprintf(w, "%-15s %-8s %-8s %-10s %6s %3s %3s %6s %5s %s %5s\n", trunc(rowID(c, r), 15), trunc(user, 8),
			trunc(lookup(as, "queue"), 8), trunc(lookup(as, "Job_Name"), 10), sess, "1", lookup(as, "Resource_List.ncpus"),
			mem, trunc(wt, 5), lookup(as, "job_state"), trunc(el, 5))
	}
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "*"
	}
	return s
}

// writeXML prints Torque's qstat -x: XML, not history.
func writeXML(w io.Writer, c *config, rows []row, now time.Time) {
	var b bytes.Buffer
	b.WriteString("<Data>")
	for _, r := range rows {
		b.WriteString("<Job><Job_Id>")
		xml.EscapeText(&b, []byte(rowID(c, r)))
		b.WriteString("</Job_Id>")
		for _, a := range attrs(c, r, now) {
			fmt.Fprintf(&b, "<%s>", a.name)
			if a.sub != nil {
				for _, s := range a.sub {
					fmt.Fprintf(&b, "<%s>", s.name)
					xml.EscapeText(&b, []byte(s.val))
					fmt.Fprintf(&b, "</%s>", s.name)
				}
			} else {
				xml.EscapeText(&b, []byte(a.val))
			}
			fmt.Fprintf(&b, "</%s>", a.name)
		}
		b.WriteString("</Job>")
	}
	b.WriteString("</Data>\n")
	w.Write(b.Bytes())
}
