package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// startSupervisor starts "pbs-double-supervisor SEQ" detached: in a session
// of its own and with no tie to qsub's output pipes, so qsub returns at once
// and a caller waiting for qsub's output does not wait for the job.
func startSupervisor(c *config, st *store, seq int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(st.dir, "jobs", strconv.Itoa(seq)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer null.Close()
	cmd := &exec.Cmd{Path: self, Args: []string{supervisorName, strconv.Itoa(seq)},
		Stdin: null, Stdout: logf, Stderr: logf, Dir: "/",
		SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// jobEnv is the environment PBS gives every element of a job (the
// element-specific variables are added at start): a login-like base, the
// PBS_O_* variables describing the submission, -v and -V, and the double's
// own REFLOW_DOUBLE_* settings so qstat works inside jobs too.
func jobEnv(c *config, sub *pbssyntax.Submission, j *job, home, host, uname, cwd string) map[string]string {
	env := map[string]string{
		"HOME": home, "LOGNAME": uname, "USER": uname, "SHELL": j.Shell,
		"PATH": "/usr/local/bin:/usr/bin:/bin", "PBS_ENVIRONMENT": "PBS_BATCH",
		"PBS_JOBNAME": j.Name, "PBS_QUEUE": j.Queue, "PBS_O_QUEUE": j.Queue,
		"PBS_O_HOME": os.Getenv("HOME"), "PBS_O_LOGNAME": uname, "PBS_O_PATH": os.Getenv("PATH"),
		"PBS_O_SHELL": os.Getenv("SHELL"), "PBS_O_WORKDIR": cwd, "PBS_O_HOST": host,
		"PBS_O_SYSTEM": "Linux", "PBS_O_LANG": os.Getenv("LANG"), "PBS_O_MAIL": os.Getenv("MAIL"),
	}
	if c.torque() {
		env["PBS_O_INITDIR"] = j.WorkDir
		env["PBS_NUM_NODES"] = "1"
		env["PBS_NUM_PPN"] = "1"
		env["PBS_NP"] = "1"
	} else {
		env["PBS_JOBDIR"] = home
		ncpus := "1"
		if sel, ok := sub.Resource("select"); ok {
			for _, p := range strings.Split(strings.Split(sel, "+")[0], ":") {
				if v, ok := strings.CutPrefix(p, "ncpus="); ok {
					ncpus = v
				}
			}
		}
		env["NCPUS"], env["OMP_NUM_THREADS"] = ncpus, ncpus
	}
	if sub.ExportAll {
		for k, v := range c.site.Env {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	for _, v := range sub.Vars {
		if v.HasValue {
			env[v.Name] = v.Value
		} else if val, ok := c.site.Env[v.Name]; ok {
			env[v.Name] = val
		}
	}
	for k, v := range c.site.Env {
		if strings.HasPrefix(k, "REFLOW_DOUBLE_") {
			env[k] = v
		}
	}
	return env
}

// elemEnv is the environment of element e as a list for exec.
func elemEnv(c *config, j *job, e *elem) []string {
	env := map[string]string{}
	for k, v := range j.Env {
		env[k] = v
	}
	env["PBS_JOBID"] = j.elemID(c, e)
	if j.isArray() {
		if c.torque() {
			env["PBS_ARRAYID"] = strconv.Itoa(e.Index)
		} else {
			env["PBS_ARRAY_INDEX"] = strconv.Itoa(e.Index)
			env["PBS_ARRAY_ID"] = j.ID
		}
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// outPath is where element e's stdout (kind 'o') or stderr ('e') goes:
// -o/-e with ^array_index^ replaced (OpenPBS), or a directory given there
// plus "<id>.OU"/".ER", or the default "<name>.o<seq>" in the submission
// directory (subjobs: ".o<seq>.<index>", Torque "-<index>").
func outPath(c *config, j *job, e *elem, kind byte) string {
	p := j.Stdout
	suffix := ".OU"
	if kind == 'e' {
		p, suffix = j.Stderr, ".ER"
	}
	if p != "" {
		if !c.torque() {
			p = strings.ReplaceAll(p, "^array_index^", strconv.Itoa(e.Index))
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return filepath.Join(p, j.elemID(c, e)+suffix)
		}
		return p
	}
	name := fmt.Sprintf("%s.%c%d", j.Name, kind, j.Seq)
	if j.isArray() {
		if c.torque() {
			name += "-" + strconv.Itoa(e.Index)
		} else {
			name += "." + strconv.Itoa(e.Index)
		}
	}
	return filepath.Join(j.SubmitDir, name)
}

// startElem starts element e as a process group of its own: the job's
// shell on the spooled script (or the -- command), in the job's start
// directory, with its output files.
func startElem(c *config, j *job, e *elem) (*exec.Cmd, error) {
	open := func(p string) *os.File {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			f, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		}
		return f
	}
	stdout := open(outPath(c, j, e, 'o'))
	stderr := stdout
	switch j.Join {
	case "oe":
	case "eo":
		stderr = open(outPath(c, j, e, 'e'))
		stdout.Close()
		stdout = stderr
	default:
		stderr = open(outPath(c, j, e, 'e'))
	}
	defer stdout.Close()
	if stderr != stdout {
		defer stderr.Close()
	}
	argv := []string{j.Shell, j.Script}
	if j.Command != nil {
		argv = j.Command
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		if lp, err := exec.LookPath(path); err == nil {
			path = lp
		}
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	cmd := &exec.Cmd{Path: path, Args: argv, Env: elemEnv(c, j, e), Dir: j.WorkDir,
		Stdin: null, Stdout: stdout, Stderr: stderr,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}
