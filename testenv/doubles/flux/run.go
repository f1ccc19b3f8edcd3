package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// proc is a running job's task processes. Each task runs in a session
// (and so a process group) of its own, which signals address as a whole.
type proc struct {
	pids     []int
	states   []*os.ProcessState
	left     int
	deadline time.Time // the time limit; zero for none
	killAt   time.Time // when SIGKILL follows SIGTERM/SIGALRM
	killed   bool
}

func (p *proc) signal(sig syscall.Signal) {
	for _, pid := range p.pids {
		syscall.Kill(-pid, sig)
	}
}

// start launches a job the way Flux's job shell does: in its working
// directory (or /tmp, with a warning, when that is missing), with the
// submitted environment plus Flux's own variables, stdout and stderr to
// the --output and --error templates (stderr follows stdout when only
// --output is given; without --output the double keeps the output in
// out/<id>.out, where Flux would use the KVS). A submit job runs its
// command once per task; a batch job runs its script once, as the initial
// program of its (emulated) child instance.
func (b *broker) start(j *job, now time.Time) {
	j.State = stateRun
	j.TRun = epoch(now)
	j.Nodelist = "double0"
	if j.Nodes > 1 {
		j.Nodelist = fmt.Sprintf("double[0-%d]", j.Nodes-1)
	}
	b.dirty[j.ID] = true

	fail := func(note string) {
		j.Exception = &exception{Type: "exec", Severity: 0, Note: note}
		b.finish(j, now, nil)
	}
	outPath := b.st.path("out", strconv.FormatUint(j.ID, 10)+".out")
	if j.Output != "" {
		outPath = jobPath(j, j.Output)
	}
	out, err := openOutput(outPath)
	if err != nil {
		fail(fmt.Sprintf("output: %v", err))
		return
	}
	defer out.Close()
	errf := out
	if j.Error != "" && jobPath(j, j.Error) != outPath {
		if errf, err = openOutput(jobPath(j, j.Error)); err != nil {
			fail(fmt.Sprintf("output: %v", err))
			return
		}
		defer errf.Close()
	}
	in, err := os.Open(os.DevNull)
	if j.Input != "" {
		in, err = os.Open(jobPath(j, j.Input))
	}
	if err != nil {
		fail(fmt.Sprintf("input: %v", err))
		return
	}
	defer in.Close()

	dir := j.Cwd
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(errf, "flux-shell[0]: WARN: Could not change dir to %s: No such file or directory. Going to /tmp instead\n", dir)
		dir = os.TempDir()
	}

	argv := j.Command
	ntasks := j.NTasks
	if j.Batch {
		script := b.st.path("out", strconv.FormatUint(j.ID, 10)+".script")
		if err := os.WriteFile(script, []byte(j.Script), 0o755); err != nil {
			fail(fmt.Sprintf("batch script: %v", err))
			return
		}
		argv = append([]string{script}, j.Command...)
		if !strings.HasPrefix(j.Script, "#!") {
			argv = append([]string{"/bin/sh"}, argv...)
		}
		ntasks = 1
	}

	p := &proc{states: make([]*os.ProcessState, ntasks), left: ntasks}
	if j.TimeLimit > 0 {
		p.deadline = now.Add(time.Duration(j.TimeLimit * float64(time.Second)))
	}
	b.procs[j.ID] = p
	for task := 0; task < ntasks; task++ {
		environ := taskEnv(j, task, b.st)
		cmd := exec.Command(argv[0], argv[1:]...)
		if path, ok := lookPath(argv[0], environ); ok {
			cmd.Path = path
		} else {
			cmd = exec.Command("/bin/sh", "-c", `echo "flux-shell[0]: ERROR: task $1: start failed: $2: No such file or directory" >&2; exit 127`, "sh", strconv.Itoa(task), argv[0])
		}
		cmd.Env = environ
		cmd.Dir = dir
		cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, errf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			b.log.Printf("job %d task %d: %v", j.ID, task, err)
			p.left--
			p.states[task] = nil
			continue
		}
		p.pids = append(p.pids, cmd.Process.Pid)
		go func(task int) {
			cmd.Wait()
			b.exitedTask(taskExit{id: j.ID, task: task, state: cmd.ProcessState})
		}(task)
	}
	j.Pids = p.pids
	if p.left == 0 {
		delete(b.procs, j.ID)
		b.finish(j, now, p.states)
	}
}

// taskEnv is one task's environment: the job's, plus what Flux's job shell
// sets. Inside a batch job FLUX_URI names the child instance and
// FLUX_JOB_ID is not set (the facts page saw it empty there).
func taskEnv(j *job, task int, st *store) []string {
	env := map[string]string{}
	for _, kv := range j.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env["FLUX_TASK_RANK"] = strconv.Itoa(task)
	env["FLUX_TASK_LOCAL_ID"] = strconv.Itoa(task)
	env["FLUX_JOB_SIZE"] = strconv.Itoa(j.NTasks)
	env["FLUX_JOB_NNODES"] = strconv.Itoa(max(1, j.Nodes))
	env["FLUX_URI"] = "local://" + st.path("local-0")
	if j.Batch {
		env["FLUX_URI"] = "local://" + st.path("child-"+strconv.FormatUint(j.ID, 10))
		delete(env, "FLUX_JOB_ID")
	} else {
		env["FLUX_JOB_ID"] = fluxsyntax.EncodeF58(j.ID, j.ASCII)
	}
	return envList(env)
}

// lookPath finds a command in the job's PATH (not the broker's).
func lookPath(name string, environ []string) (string, bool) {
	if strings.Contains(name, "/") {
		fi, err := os.Stat(name)
		return name, err == nil && !fi.IsDir()
	}
	path := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// jobPath expands an output template's mustache tags, which the job shell
// replaces at run time, and makes it absolute from the job's directory.
func jobPath(j *job, tmpl string) string {
	r := strings.NewReplacer(
		"{{id}}", fluxsyntax.EncodeF58(j.ID, j.ASCII),
		"{{jobid}}", fluxsyntax.EncodeF58(j.ID, j.ASCII),
		"{{id.f58}}", fluxsyntax.EncodeF58(j.ID, j.ASCII),
		"{{id.dec}}", strconv.FormatUint(j.ID, 10),
		"{{id.hex}}", fmt.Sprintf("0x%x", j.ID),
		"{{id.dothex}}", fluxsyntax.EncodeDotHex(j.ID),
		"{{name}}", j.Name,
	)
	p := r.Replace(tmpl)
	if !filepath.IsAbs(p) {
		p = filepath.Join(j.Cwd, p)
	}
	return p
}

// openOutput truncates the file once, then appends, so several tasks and
// both streams can share it.
func openOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("failed to open %s: No such file or directory", path)
	}
	return f, err
}
