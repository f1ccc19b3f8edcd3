package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// submit answers `flux submit` and `flux batch`: parse and check the
// command line (fluxsyntax), build each job's environment as the client
// does, then, as the instance, check dependencies and enqueue the jobs for
// the broker.
func (e *env) submit(batch bool) int {
	var (
		sub *fluxsyntax.Submission
		rej *fluxsyntax.Rejection
	)
	if batch {
		sub, rej = fluxsyntax.ParseBatch(e.args, e.version, e.readScript)
	} else {
		sub, rej = fluxsyntax.ParseSubmit(e.args, e.version)
	}
	if rej != nil {
		return e.reject(rej)
	}
	reqs, rej := sub.Jobs()
	if rej != nil {
		return e.reject(rej)
	}
	cmd := "flux-submit"
	if batch {
		cmd = "flux-batch"
	}
	submitter := environMap()
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: ERROR: %v\n", cmd, err)
		return 1
	}
	envs := make([][]string, len(reqs))
	for i, r := range reqs {
		m, err := fluxsyntax.BuildEnvironment(r.EnvRules, submitter)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: ERROR: %v\n", cmd, err)
			return 1
		}
		if r.CCEnv {
			m["FLUX_JOB_CC"] = strconv.Itoa(r.CC)
		}
		envs[i] = envList(m)
	}

	unlock := e.st.lock()
	room, err := e.room()
	if err != nil {
		unlock()
		fmt.Fprintf(e.stderr, "%s: ERROR: %v\n", cmd, err)
		return 1
	}
	var lines []string
	exit := 0
	for i, r := range reqs {
		j, msg := e.admit(sub, r, envs[i], cwd)
		if msg == "" && room == 0 {
			msg = "user has max active jobs"
		}
		if msg == "" && room > 0 {
			room--
		}
		if msg != "" {
			exit = 1
			switch {
			case batch:
				fmt.Fprintf(e.stderr, "flux-batch: ERROR: %s\n", msg)
			case r.HasCC:
				fmt.Fprintf(e.stderr, "cc=%d: [Errno 22] %s\n", r.CC, msg)
			default:
				fmt.Fprintf(e.stderr, "[Errno 22] %s\n", msg)
			}
			continue
		}
		if err := e.enqueue(j); err != nil {
			unlock()
			fmt.Fprintf(e.stderr, "%s: ERROR: %v\n", cmd, err)
			return 1
		}
		if !r.Quiet {
			lines = append(lines, f58(j.ID))
		}
	}
	unlock()
	// Responses to a bulk submission arrive in no particular order; so do
	// the id lines.
	rand.Shuffle(len(lines), func(a, b int) { lines[a], lines[b] = lines[b], lines[a] })
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
	}
	if err := ensureBroker(e.st); err != nil {
		fmt.Fprintf(e.stderr, "%s: ERROR: cannot start the double's broker: %v\n", cmd, err)
		return 1
	}
	return exit
}

func (e *env) readScript(name string) (string, error) {
	if name == "" {
		b, err := io.ReadAll(e.stdin)
		return string(b), err
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("[Errno 2] No such file or directory: '%s'", name)
	}
	return string(b), nil
}

// room is how many more jobs the emulated flux-accounting limit
// (REFLOW_DOUBLE_MAX_ACTIVE) admits; -1 without a limit. Call with the
// lock held.
func (e *env) room() (int, error) {
	v := os.Getenv("REFLOW_DOUBLE_MAX_ACTIVE")
	if v == "" {
		return -1, nil
	}
	limit, err := strconv.Atoi(v)
	if err != nil || limit < 0 {
		return 0, fmt.Errorf("REFLOW_DOUBLE_MAX_ACTIVE=%q is not a whole number", v)
	}
	all, err := e.st.all()
	if err != nil {
		return 0, err
	}
	for _, j := range all {
		if j.active() {
			limit--
		}
	}
	return max(limit, 0), nil
}

// admit is the instance's side of a submission: it checks the job's
// dependencies against the jobs it knows and builds the record. A
// non-empty message rejects the job. Call with the lock held.
func (e *env) admit(sub *fluxsyntax.Submission, r fluxsyntax.Job, environ []string, cwd string) (*job, string) {
	now := time.Now()
	j := &job{
		Name: r.Name, UserID: os.Getuid(), Username: username(), Urgency: r.Urgency,
		TSubmit: epoch(now), Batch: sub.Batch, Command: r.Command,
		NTasks: r.NTasks, Cores: r.CoresPerTask, GPUs: r.GPUsPerTask, Nodes: r.Nodes, Exclusive: r.Exclusive,
		Queue: r.Queue, Bank: r.Bank, Cwd: r.Cwd, Output: r.Output, Error: r.Error, Input: r.Input,
		Env: environ, CC: r.CC, CCEnv: r.CCEnv, ASCII: ascii(),
	}
	if sub.Batch {
		j.Script = sub.Script
	}
	if j.Cwd == "" {
		j.Cwd = cwd
	}
	if !math.IsInf(r.TimeLimit, 1) {
		j.TimeLimit = r.TimeLimit
	}
	for _, d := range r.Dependencies {
		id, err := fluxsyntax.CheckDependency(d)
		if err != nil {
			return nil, err.Error()
		}
		if d.Scheme == "begin-time" {
			t, _ := strconv.ParseFloat(strings.TrimPrefix(d.Value, "+"), 64)
			if strings.HasPrefix(d.Value, "+") {
				t += epoch(now)
			}
			j.Deps = append(j.Deps, dep{Scheme: d.Scheme, Time: t})
			continue
		}
		up, err := e.st.get(id)
		if err != nil {
			return nil, err.Error()
		}
		if up == nil {
			return nil, fmt.Sprintf("dependency: %s: id %s: job not found", d.Scheme, d.Value)
		}
		switch ok, never := depStatus(d.Scheme, up); {
		case never:
			return nil, neverText(d.Scheme, up)
		case !ok:
			j.Deps = append(j.Deps, dep{Scheme: d.Scheme, ID: id})
		}
	}
	j.TDepend = epoch(now)
	j.State = stateSched
	if len(j.Deps) > 0 {
		j.State = stateDepend
	} else {
		j.TSched = epoch(now)
	}
	return j, ""
}

// depStatus says whether the dependency on up holds now, or never can.
func depStatus(scheme string, up *job) (ok, never bool) {
	inactive := up.State == stateInactive
	switch scheme {
	case "after":
		return up.TRun > 0, inactive && up.TRun == 0
	case "afterany":
		return inactive, false
	case "afterok":
		return inactive && up.Result == resultCompleted, inactive && up.Result != resultCompleted
	case "afternotok":
		return inactive && up.Result != resultCompleted, inactive && up.Result == resultCompleted
	}
	return false, true
}

// neverText is the instance's refusal of a dependency on an inactive job
// that can never satisfy it.
func neverText(scheme string, up *job) string {
	switch scheme {
	case "afterok":
		return fmt.Sprintf("dependency: afterok: job %s failed or was canceled", f58(up.ID))
	case "afternotok":
		return fmt.Sprintf("dependency: afternotok: job %s succeeded", f58(up.ID))
	default:
		return fmt.Sprintf("dependency: after: %s never started", f58(up.ID))
	}
}

// enqueue gives a job its id, stores it and tells the broker. Call with
// the lock held.
func (e *env) enqueue(j *job) error {
	id, err := e.st.nextID()
	if err != nil {
		return err
	}
	j.ID = id
	if err := e.st.put(j); err != nil {
		return err
	}
	return writeFile(e.st.path("new", strconv.FormatUint(id, 10)), nil)
}

func environMap() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	// The double's own role must not leak into jobs.
	delete(m, "REFLOW_DOUBLE_ROLE")
	return m
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func username() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}
