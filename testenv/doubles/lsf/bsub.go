package main

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// Version is what bsub -V prints first, in IBM's form.
const Version = "IBM Spectrum LSF 10.1.0.13 (reflow test double), Jan 1 2024"

// bsub submits a job: it checks the command line (and the #BSUB lines of a
// script read from stdin) as LSF would, records the job and makes sure
// mbatchd runs, then prints LSF's submission line.
func bsub(st *store, cfg config, e env, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "-V" {
		// LSF commands print their version on stderr.
		fmt.Fprintln(stderr, Version)
		fmt.Fprintln(stderr, "Copyright: none (reflow's LSF test double)")
		return 0
	}
	var script []byte
	words := lsfsyntax.CommandWords(args)
	switch {
	case len(words) == 0:
		// bsub reads a job script from stdin only when no command is given.
		b, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "bsub: reading the job script from stdin: %v\n", err)
			return lsfsyntax.ExitFailure
		}
		script = b
	case cfg.Syntax.ParseScriptArg:
		// LSB_BSUB_PARSE_SCRIPT=Y: #BSUB lines of a named script count too.
		script, _ = os.ReadFile(words[0])
	}
	sub, perr := lsfsyntax.ParseBsub(args, script, cfg.Syntax)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Msg)
		return perr.Code
	}
	queue, defaultQueue := cfg.Queues[0], true
	for i, q := range sub.Queues {
		if !contains(cfg.Queues, q) {
			fmt.Fprintf(stderr, "%s: %s. Job not submitted.\n", q, lsfsyntax.ReasonNoSuchQueue)
			return lsfsyntax.ExitFailure
		}
		if i == 0 {
			queue, defaultQueue = q, false
		}
	}
	j, err := newJob(sub, cfg, e, queue)
	if err != nil {
		fmt.Fprintf(stderr, "%v. Job not submitted.\n", err)
		return lsfsyntax.ExitFailure
	}
	if len(words) > 0 {
		script = nil // the command is run, not spooled
	}

	for try := 1; ; try++ {
		code, retry := submitLocked(st, cfg, sub, j, script, stderr)
		if !retry {
			if code != 0 {
				return code
			}
			break
		}
		// A limit refused the job. LSF retries every SUB_TRY_INTERVAL
		// until LSB_NTRIES attempts were made, and forever without it.
		if cfg.NTries > 0 && try >= cfg.NTries {
			fmt.Fprintf(stderr, "%s. Job not submitted.\n", lsfsyntax.ReasonPendingThreshold)
			return lsfsyntax.ExitFailure
		}
		fmt.Fprintf(stderr, "%s. Retrying in 1 second...\n", lsfsyntax.ReasonPendingThreshold)
		time.Sleep(time.Second)
	}
	ensureDaemon(st, e)
	out := stdout
	if cfg.BsubStderr {
		out = stderr
	}
	if defaultQueue {
		fmt.Fprintf(out, "Job <%d> is submitted to default queue <%s>.\n", j.ID, queue)
	} else {
		fmt.Fprintf(out, "Job <%d> is submitted to queue <%s>.\n", j.ID, queue)
	}
	return 0
}

// submitLocked does the part of a submission that needs the state lock:
// the parent check of -w, the pending-job threshold, the job id and the
// job record. retry is set when the threshold refused the job.
func submitLocked(st *store, cfg config, sub *lsfsyntax.Submission, j *Job, script []byte, stderr io.Writer) (code int, retry bool) {
	unlock, err := st.lock(true)
	if err != nil {
		fmt.Fprintf(stderr, "bsub: %v. Job not submitted.\n", err)
		return lsfsyntax.ExitFailure, false
	}
	defer unlock()
	c := newCluster(st, cfg)
	if sub.Depend != nil {
		if ref, bad := c.unknownRef(sub.Depend); bad {
			fmt.Fprintf(stderr, "%s: %s. Job not submitted.\n", ref, lsfsyntax.ReasonNoMatchingJob)
			return lsfsyntax.ExitFailure, false
		}
		for _, r := range lsfsyntax.Refs(sub.Depend) {
			if !r.AllIndex {
				continue
			}
			for _, up := range c.resolve(r) {
				if !j.isArray() || len(up.job.indices()) != len(j.indices()) {
					fmt.Fprintf(stderr, "%s: Job array sizes do not match for a one-to-one dependency. Job not submitted.\n", sub.DependText)
					return lsfsyntax.ExitFailure, false
				}
			}
		}
	}
	if cfg.MaxPend > 0 {
		pending := 0
		for _, v := range c.all() {
			for _, e := range v.elems {
				if e.Stat == statPEND || e.Stat == statPSUSP {
					pending++
				}
			}
		}
		// LSF refuses a user who has reached the threshold (the docs say
		// no more than that; whether a big array is refused up front is
		// unverified, so it is not).
		if pending >= cfg.MaxPend {
			return 0, true
		}
	}
	if j.ID, err = st.nextID(); err != nil {
		fmt.Fprintf(stderr, "bsub: %v. Job not submitted.\n", err)
		return lsfsyntax.ExitFailure, false
	}
	if j.Name == "" {
		j.Name = fmt.Sprint(j.ID)
	}
	if err := st.create(j, script); err != nil {
		fmt.Fprintf(stderr, "bsub: %v. Job not submitted.\n", err)
		return lsfsyntax.ExitFailure, false
	}
	return 0, false
}

// newJob builds the job record of a checked submission.
func newJob(sub *lsfsyntax.Submission, cfg config, e env, queue string) (*Job, error) {
	j := &Job{
		Name: sub.JobName, Queue: queue, SubCwd: e.cwd, Submit: time.Now(),
		Slots: sub.MinSlots, MemLimitKB: sub.MemLimitKB, Hold: sub.Hold, Depend: sub.DependText,
		Command: sub.Command, KillGrace: cfg.KillGrace, Step: 1,
	}
	j.Project, _ = sub.Value("-P")
	if j.Project == "" {
		j.Project = "default"
	}
	j.ExecCwd, _ = sub.Value("-cwd")
	if v, ok := sub.Value("-oo"); ok {
		j.Stdout, j.StdoutOverwrite = v, true
	} else {
		j.Stdout, _ = sub.Value("-o")
	}
	if v, ok := sub.Value("-eo"); ok {
		j.Stderr, j.StderrOverwrite = v, true
	} else {
		j.Stderr, _ = sub.Value("-e")
	}
	if sub.Array != nil {
		j.Indices, j.Limit, j.Step = sub.Array.Indices, sub.Array.Limit, sub.Array.Step
	}
	if j.Name == "" {
		j.Name = defaultJobName(sub)
	}
	if sub.RunLimitMinutes > 0 {
		j.RunLimit = time.Duration(sub.RunLimitMinutes) * cfg.Minute
	}
	if v, ok := sub.Value("-b"); ok {
		fields, _ := lsfsyntax.ParseBeginTime(v)
		j.Begin = beginTime(fields, time.Now())
	}
	envSpec, _ := sub.Value("-env")
	j.Env = jobEnv(envSpec, e.environ)
	j.User = os.Getenv("USER")
	if u, err := user.Current(); err == nil && j.User == "" {
		j.User = u.Username
	}
	j.Host, _ = os.Hostname()
	return j, nil
}

// defaultJobName is JOB_NAME without -J: the command, or the first
// command line of the script.
func defaultJobName(sub *lsfsyntax.Submission) string {
	if len(sub.Command) > 0 {
		return strings.Join(sub.Command, " ")
	}
	for _, l := range strings.Split(sub.Script, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return t
		}
	}
	return ""
}

// beginTime turns -b fields ([[[year:]month:]day:]hour:minute) into the
// next such moment.
func beginTime(f []int, now time.Time) time.Time {
	y, mo, d := now.Date()
	h, mi := f[len(f)-2], f[len(f)-1]
	switch len(f) {
	case 3:
		d = f[0]
	case 4:
		mo, d = time.Month(f[0]), f[1]
	case 5:
		y, mo, d = f[0], time.Month(f[1]), f[2]
	}
	t := time.Date(y, mo, d, h, mi, 0, 0, now.Location())
	if len(f) == 2 && t.Before(now) {
		t = t.Add(24 * time.Hour)
	}
	return t
}

// jobEnv applies -env to bsub's environment: "all" (the default) copies
// it; "none" copies nothing; a list names variables to copy (VAR), set
// (VAR=value) or, after "all", drop (~VAR).
func jobEnv(spec string, environ []string) []string {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "all" {
		return environ
	}
	if spec == "none" {
		return nil
	}
	vals := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	from := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		from[k] = v
	}
	for i, item := range lsfsyntax.SplitEnvList(spec) {
		item = strings.TrimSpace(item)
		switch {
		case i == 0 && item == "all":
			for _, kv := range environ {
				k, v, _ := strings.Cut(kv, "=")
				set(k, v)
			}
		case strings.HasPrefix(item, "~"):
			delete(vals, item[1:])
		case strings.Contains(item, "="):
			k, v, _ := strings.Cut(item, "=")
			set(k, strings.Trim(v, "'"))
		default:
			if v, ok := from[item]; ok {
				set(item, v)
			}
		}
	}
	var out []string
	for _, k := range order {
		if v, ok := vals[k]; ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
