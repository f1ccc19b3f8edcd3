package main

// What res sets up around the job: the command, its environment, its
// output files and the job report LSF adds to them.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// report writes the job report LSF adds to the -o file (here after the
// job's output, as with LSB_STDOUT_DIRECT=Y).
func (r *runner) report(w io.Writer, end endRec) {
	j := r.job
	host, _ := os.Hostname()
	verdict, outcome := "Done", "Successfully completed."
	if end.Exit != 0 || end.Reason != "" {
		verdict = "Exited"
		outcome = fmt.Sprintf("Exited with exit code %d.", end.Exit)
		if end.Reason != "" {
			outcome += " " + termText(end.Reason) + "."
		}
	}
	fmt.Fprintf(w, "\n------------------------------------------------------------\n"+
		"Sender: LSF System <lsfadmin@%s>\nSubject: Job %s: <%s> in cluster <double> %s\n\n"+
		"Job <%s> was submitted from host <%s> by user <%s> in cluster <double>.\n"+
		"Job was executed on host(s) <%s>, in queue <%s>, as user <%s> in cluster <double>.\n"+
		"Started at %s, terminated at %s.\n\n%s\n",
		host, j.elementID(r.index), j.elementName(r.index), verdict,
		j.elementName(r.index), j.Host, j.User, host, j.Queue, j.User,
		r.start.Format(time.ANSIC), end.Time.Format(time.ANSIC), outcome)
}

// argv is what runs: the spooled script (with the interpreter of its #!
// line, /bin/sh without one), or the command given to bsub.
func (r *runner) argv() (string, []string) {
	if len(r.job.Command) > 0 {
		return "/bin/sh", []string{"/bin/sh", "-c", strings.Join(r.job.Command, " ")}
	}
	script := r.st.scriptPath(r.job.ID)
	b, _ := os.ReadFile(script)
	if line, _, _ := strings.Cut(string(b), "\n"); strings.HasPrefix(line, "#!") {
		f := strings.Fields(strings.TrimPrefix(line, "#!"))
		if len(f) > 0 {
			return f[0], append(f, script)
		}
	}
	return "/bin/sh", []string{"/bin/sh", script}
}

// environ is the job's environment: bsub's (per -env) plus LSF's own.
func (r *runner) environ(dir string) []string {
	j := r.job
	host, _ := os.Hostname()
	slots := max(j.Slots, 1)
	lsb := map[string]string{
		"LSB_JOBID":              strconv.FormatInt(j.ID, 10),
		"LSB_JOBINDEX":           strconv.Itoa(r.index),
		"LSB_JOBNAME":            j.elementName(r.index),
		"LSB_QUEUE":              j.Queue,
		"LSB_JOBFILENAME":        r.st.scriptPath(j.ID),
		"LS_SUBCWD":              j.SubCwd,
		"LSB_SUB_HOST":           j.Host,
		"LSB_EXEC_CLUSTER":       "double",
		"LSB_HOSTS":              strings.TrimSpace(strings.Repeat(host+" ", slots)),
		"LSB_MCPU_HOSTS":         host + " " + strconv.Itoa(slots),
		"LSB_DJOB_NUMPROC":       strconv.Itoa(slots),
		"LSB_MAX_NUM_PROCESSORS": strconv.Itoa(slots),
		"PWD":                    dir,
	}
	if j.isArray() {
		lsb["LSB_JOBINDEX_STEP"] = strconv.Itoa(j.Step)
		lsb["LSB_JOBINDEX_END"] = strconv.Itoa(j.Indices[len(j.Indices)-1])
	}
	var out []string
	for _, kv := range j.Env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := lsb[k]; !ours && !strings.HasPrefix(k, "LSB_JOBINDEX") {
			out = append(out, kv)
		}
	}
	for k, v := range lsb {
		out = append(out, k+"="+v)
	}
	return out
}

// outputs opens the job's stdout and stderr: -o/-oo and -e/-eo with %J and
// %I replaced (relative paths from the job's directory, a directory getting
// <id>.out inside it). With -o alone stderr joins stdout; with neither,
// LSF mails the output, which the double keeps under mail/.
func (r *runner) outputs(dir string) (*os.File, *os.File) {
	j := r.job
	mail := func() *os.File {
		os.MkdirAll(filepath.Join(r.st.dir, "mail"), 0o755)
		f, err := os.OpenFile(filepath.Join(r.st.dir, "mail", fmt.Sprintf("%d.%d", j.ID, r.index)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			f, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		}
		return f
	}
	open := func(pattern string, overwrite bool, suffix string) *os.File {
		p := r.expand(pattern)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			name := strconv.FormatInt(j.ID, 10)
			if j.isArray() {
				name += "_" + strconv.Itoa(r.index)
			}
			p = filepath.Join(p, name+suffix)
		}
		flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
		if overwrite {
			flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		}
		f, err := os.OpenFile(p, flags, 0o644)
		if err != nil {
			return mail()
		}
		return f
	}
	switch {
	case j.Stdout == "" && j.Stderr == "":
		m := mail()
		r.out = m
		return m, m
	case j.Stderr == "":
		o := open(j.Stdout, j.StdoutOverwrite, ".out")
		r.out = o
		return o, o
	case j.Stdout == "":
		return mail(), open(j.Stderr, j.StderrOverwrite, ".err")
	}
	o := open(j.Stdout, j.StdoutOverwrite, ".out")
	r.out = o
	return o, open(j.Stderr, j.StderrOverwrite, ".err")
}

// expand replaces LSF's file name tokens: %J the job id, %I the array
// index (0 outside an array).
func (r *runner) expand(s string) string {
	s = strings.ReplaceAll(s, "%J", strconv.FormatInt(r.job.ID, 10))
	return strings.ReplaceAll(s, "%I", strconv.Itoa(r.index))
}
