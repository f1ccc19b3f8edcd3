package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// The names the double starts itself as for its background parts.
const (
	daemonName = "lsf-mbatchd"
	resName    = "lsf-res"
)

// idleExit is how long mbatchd lingers with nothing pending or running.
const idleExit = 2 * time.Second

// ensureDaemon starts mbatchd unless one runs. It is called after the job
// was recorded and the state lock released; mbatchd gives up its
// daemon.lock only while holding the state lock and seeing no work, so a
// job recorded before that is seen by it, and one recorded after finds
// the lock free here and starts a new mbatchd.
func ensureDaemon(st *store, e env) {
	if e.exe == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(st.dir, "daemon.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return
	}
	free := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
	f.Close() // releases the probe's lock
	if !free {
		return
	}
	spawn(e.exe, daemonName, nil, append(e.environ, "REFLOW_DOUBLE_STATE="+st.dir), filepath.Join(st.dir, "mbatchd.log"))
}

// spawn starts the double's binary as role, detached in a session of its
// own so it outlives the command that started it, and does not wait.
func spawn(exe, role string, args, environ []string, logPath string) (*exec.Cmd, error) {
	cmd := &exec.Cmd{Path: exe, Args: append([]string{role}, args...), Env: environ}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
		defer logf.Close()
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// daemon is mbatchd: every tick it dispatches the pending elements that
// may start. It exits when the state directory is gone, or when nothing
// has been pending or running for idleExit.
func daemon(st *store, cfg config) int {
	f, err := os.OpenFile(filepath.Join(st.dir, "daemon.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return 1
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return 0 // another mbatchd runs
	}
	exe, _ := os.Executable()
	m := &mbatchd{st: st, cfg: cfg, exe: exe, cache: map[int64]*Job{}, finished: map[int64]bool{}, deps: map[int64]lsfsyntax.Node{}}
	idleSince := time.Now()
	for {
		// Gone or shut down (lsf-quiesce): a test is removing the directory.
		if !exists(filepath.Join(st.dir, "lock")) || exists(filepath.Join(st.dir, "shutdown")) {
			return 0
		}
		unlock, err := st.lock(true)
		if err != nil {
			return 1
		}
		if m.pass() {
			idleSince = time.Now()
		} else if time.Since(idleSince) > idleExit {
			f.Close() // give up daemon.lock while the state lock is held
			unlock()
			return 0
		}
		unlock()
		time.Sleep(cfg.Tick)
	}
}

// mbatchd is the scheduler's memory across passes: job records never
// change, finished jobs stay finished.
type mbatchd struct {
	st       *store
	cfg      config
	exe      string
	cache    map[int64]*Job
	finished map[int64]bool
	deps     map[int64]lsfsyntax.Node
}

// pass dispatches what may start now, first come first served, and
// reports whether any job still has work.
func (m *mbatchd) pass() bool {
	c := newCluster(m.st, m.cfg)
	c.cache = m.cache
	type cand struct {
		v *jobView
		e elem
	}
	var (
		active  bool
		used    int
		running = map[int64]int{}
		pending []cand
	)
	for _, id := range m.st.ids() {
		if m.finished[id] {
			continue
		}
		v, ok := c.get(id)
		if !ok {
			m.finished[id] = true
			continue
		}
		if done, _ := v.finished(); done {
			m.finished[id] = true
			continue
		}
		for _, e := range v.elems {
			switch e.Stat {
			case statRUN, statUNKWN:
				active = true
				used += max(v.job.Slots, 1)
				running[id]++
			case statPEND:
				// A job whose dependency can never hold pends forever, as in
				// LSF, but gives mbatchd nothing to do.
				if n := m.depend(v.job); n == nil || !c.never(n, e.Index) {
					active = true
				}
				pending = append(pending, cand{v, e})
			}
		}
	}
	now := time.Now()
	for _, p := range pending {
		j := p.v.job
		slots := max(j.Slots, 1)
		switch {
		case !j.Begin.IsZero() && now.Before(j.Begin):
			continue
		case j.Limit > 0 && running[j.ID] >= j.Limit:
			continue
		case used+slots > m.cfg.Slots && used > 0:
			continue
		case exists(m.st.elemFile(j.ID, p.e.Index, "kill")):
			continue // bkill is ending it
		}
		if n := m.depend(j); n != nil && !c.holds(n, p.e.Index) {
			continue
		}
		m.dispatch(j, p.e.Index)
		used += slots
		running[j.ID]++
	}
	return active
}

// depend returns the parsed -w of j, nil when it has none.
func (m *mbatchd) depend(j *Job) lsfsyntax.Node {
	if j.Depend == "" {
		return nil
	}
	n, ok := m.deps[j.ID]
	if !ok {
		n, _ = lsfsyntax.ParseDepend(j.Depend)
		m.deps[j.ID] = n
	}
	return n
}

// dispatch starts res for one element and records it as started.
func (m *mbatchd) dispatch(j *Job, index int) {
	host, _ := os.Hostname()
	environ := append(os.Environ(), "REFLOW_DOUBLE_STATE="+m.st.dir)
	cmd, err := spawn(m.exe, resName, []string{strconv.FormatInt(j.ID, 10), strconv.Itoa(index)}, environ, filepath.Join(m.st.dir, "res.log"))
	if err != nil {
		createJSON(m.st.elemFile(j.ID, index, "end"), endRec{Exit: -1, Reason: "TERM_OTHER", Time: time.Now()})
		return
	}
	go cmd.Wait() // reap it; its exit status travels in the .end file
	writeJSON(m.st.elemFile(j.ID, index, "start"), startRec{Time: time.Now(), ResPID: cmd.Process.Pid, Host: host})
}
