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
)

// res runs one element: args are the job id and the element's index. It
// runs in a session of its own (mbatchd started it so), starts the job in
// a process group of its own, watches it and records how it ended.
func res(st *store, args []string) int {
	if len(args) != 2 {
		return 2
	}
	id, err1 := strconv.ParseInt(args[0], 10, 64)
	index, err2 := strconv.Atoi(args[1])
	j, ok := st.load(id)
	if err1 != nil || err2 != nil || !ok {
		return 2
	}
	r := &runner{st: st, job: j, index: index, start: time.Now()}
	r.run()
	return 0
}

type runner struct {
	st     *store
	job    *Job
	index  int
	start  time.Time
	pgid   int
	reason string    // the TERM_* keyword once LSF decided to end the job
	killAt time.Time // when SIGKILL follows
	out    *os.File  // the -o file, for the job report
	ticks  int
}

func (r *runner) run() {
	j := r.job
	dir := j.SubCwd
	if j.ExecCwd != "" {
		dir = r.expand(j.ExecCwd)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(j.SubCwd, dir)
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		r.finish(-1, "TERM_CWD_NOTEXIST")
		return
	}
	stdout, stderr := r.outputs(dir)
	defer stdout.Close()
	defer stderr.Close()

	cmd := &exec.Cmd{Dir: dir, Env: r.environ(dir), Stdout: stdout, Stderr: stderr}
	cmd.Path, cmd.Args = r.argv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if devnull, err := os.Open(os.DevNull); err == nil {
		cmd.Stdin = devnull
		defer devnull.Close()
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd.Path, err)
		r.finish(127, "")
		return
	}
	r.pgid = cmd.Process.Pid
	writeAtomic(r.st.elemFile(j.ID, r.index, "pid"), []byte(strconv.Itoa(r.pgid)+"\n"))

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-done:
			break loop
		case <-tick.C:
			r.watch()
		}
	}
	// LSF cleans up what the job left behind in its process group.
	syscall.Kill(-r.pgid, syscall.SIGKILL)
	code := exitCode(cmd.ProcessState, waitErr)
	if r.reason == "" {
		// bkill writes its marker before it signals: a job that died of
		// bkill's signals before the next look was still killed by it.
		var k killRec
		if readJSON(r.st.elemFile(r.job.ID, r.index, "kill"), &k) == nil {
			r.reason = k.Reason
		}
	}
	r.finish(code, r.reason)
}

// watch is one look at a running element: bkill's request, the run limit,
// the memory limit, and the SIGKILL that follows a warning.
func (r *runner) watch() {
	now := time.Now()
	j := r.job
	r.ticks++
	if r.reason == "" {
		var k killRec
		switch {
		case readJSON(r.st.elemFile(j.ID, r.index, "kill"), &k) == nil:
			// bkill: SIGINT and SIGTERM now (bkill sent them too, unless
			// the process group was not known yet), SIGKILL after the grace.
			r.reason = k.Reason
			r.signal(syscall.SIGINT, syscall.SIGTERM)
			r.killAt = now.Add(j.KillGrace)
		case j.RunLimit > 0 && now.Sub(r.start) >= j.RunLimit:
			// The run limit: SIGUSR2, and SIGKILL if the job is still there
			// after the grace (LSF waits ten minutes).
			r.reason = "TERM_RUNLIMIT"
			r.signal(syscall.SIGUSR2)
			r.killAt = now.Add(j.KillGrace)
		case j.MemLimitKB > 0 && r.ticks%10 == 0 && groupRSSKB(r.pgid) > j.MemLimitKB:
			r.reason = "TERM_MEMLIMIT"
			r.signal(syscall.SIGINT, syscall.SIGTERM)
			r.killAt = now.Add(j.KillGrace)
		}
	}
	if !r.killAt.IsZero() && now.After(r.killAt) {
		r.signal(syscall.SIGKILL)
		r.killAt = time.Time{}
	}
}

func (r *runner) signal(sigs ...syscall.Signal) {
	for _, s := range sigs {
		syscall.Kill(-r.pgid, s)
	}
}

// finish appends LSF's job report to the element's output file and
// records its end.
func (r *runner) finish(code int, reason string) {
	end := endRec{Exit: code, Reason: reason, Time: time.Now()}
	// The report first: once .end exists the job counts as finished, and
	// nothing may write to its files any more.
	if r.out != nil {
		r.report(r.out, end)
		r.out.Close()
	}
	if err := createJSON(r.st.elemFile(r.job.ID, r.index, "end"), end); err != nil && !os.IsExist(err) {
		fmt.Fprintf(os.Stderr, "res: recording the end of %s: %v\n", r.job.elementID(r.index), err)
	}
}

// exitCode is the exit status as LSF reports it: 128+N after signal N.
func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1
	}
	return ps.ExitCode()
}

// groupRSSKB sums the resident memory of the processes in group pgid, in
// kilobytes, from /proc.
func groupRSSKB(pgid int) int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	page := int64(os.Getpagesize()) / 1024
	var total int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		k := strings.LastIndexByte(s, ')')
		if k < 0 {
			continue
		}
		f := strings.Fields(s[k+1:])
		// After the command: state(0) ppid(1) pgrp(2) ... rss(21).
		if len(f) < 22 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		n, _ := strconv.ParseInt(f[21], 10, 64)
		total += n * page
	}
	return total
}
