package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// tick is how often a supervisor looks at its job: dependencies, qdel
// marks, walltime and the throttle. Short, so tests do not wait.
const tick = 25 * time.Millisecond

// exitEvent reports that an element's process ended.
type exitEvent struct {
	index int
	state *os.ProcessState
	err   error
}

// runSupervisor runs job seq to its end: it waits for the dependencies (or
// deletes the job when they can never hold), starts elements within the
// array throttle, enforces walltime, carries out qdel marks (SIGTERM, then
// SIGKILL after the kill delay) and records every exit status. It is the
// parent of the element processes, so it sees their real wait statuses.
func runSupervisor(c *config, st *store, seq int) int {
	events := make(chan exitEvent, 16)
	procs := map[int]*exec.Cmd{}
	termSent := map[int]bool{}
	for {
		now := time.Now()
		j, ok, err := st.load(seq)
		if err != nil || !ok {
			fmt.Fprintf(os.Stderr, "supervisor %d: %v (found %v)\n", seq, err, ok)
			return 1
		}
		if len(procs) == 0 && allEnded(j) {
			return 0
		}
		if err := supervise(c, st, j, now, procs, termSent, events); err != nil {
			fmt.Fprintf(os.Stderr, "supervisor %d: %v\n", seq, err)
		}
		select {
		case ev := <-events:
			delete(procs, ev.index)
			if err := recordExit(c, st, seq, ev); err != nil {
				fmt.Fprintf(os.Stderr, "supervisor %d: %v\n", seq, err)
			}
		case <-time.After(tick):
		}
	}
}

func allEnded(j *job) bool {
	for _, e := range j.Elems {
		if !e.ended() {
			return false
		}
	}
	return true
}

// supervise makes one round of decisions for j.
func supervise(c *config, st *store, j *job, now time.Time, procs map[int]*exec.Cmd, termSent map[int]bool, events chan exitEvent) error {
	if !j.Released && !j.Deleted {
		v, reason, err := judgeDeps(c, st, j, now)
		if err != nil {
			return err
		}
		switch v {
		case depHold:
			if _, err := st.update(j.Seq, func(j *job) bool { j.Released = true; return true }); err != nil {
				return err
			}
			j.Released = true
		case depNever:
			_, err := st.update(j.Seq, func(j *job) bool { j.deleteAll(now, "Job deleted: "+reason); return true })
			return err
		}
	}
	// Signals: qdel marks, walltime, and the kill delay.
	for _, e := range j.Elems {
		cmd := procs[e.Index]
		if cmd == nil || !e.running() {
			continue
		}
		pgid := cmd.Process.Pid
		if e.Kill == "" && j.Walltime > 0 && now.Sub(e.Start).Seconds() >= j.Walltime {
			idx := e.Index
			if _, err := st.update(j.Seq, func(j *job) bool {
				if x := j.elemByIndex(idx); x != nil && x.Kill == "" {
					x.Kill, x.TermSent = "walltime", now
				}
				return true
			}); err != nil {
				return err
			}
			e.Kill, e.TermSent = "walltime", now
		}
		switch {
		case e.Kill == "force" && !e.KillSent, e.Kill != "" && !e.KillSent && now.Sub(e.TermSent) >= c.killDelay:
			syscall.Kill(-pgid, syscall.SIGKILL)
			idx := e.Index
			st.update(j.Seq, func(j *job) bool {
				if x := j.elemByIndex(idx); x != nil {
					x.KillSent = true
				}
				return true
			})
		case e.Kill != "" && !termSent[e.Index]:
			syscall.Kill(-pgid, syscall.SIGTERM)
			termSent[e.Index] = true
		}
	}
	if !j.Released || j.UserHold || j.Deleted {
		return nil
	}
	// Start queued elements within the throttle.
	limit := len(j.Elems)
	if j.Array != nil && j.Array.Throttle > 0 {
		limit = j.Array.Throttle
	}
	running := 0
	for _, e := range j.Elems {
		if e.started() && !e.ended() {
			running++
		}
	}
	for _, e := range j.Elems {
		if running >= limit {
			break
		}
		if e.started() || e.ended() {
			continue
		}
		if err := launch(c, st, j, e.Index, now, procs, events); err != nil {
			return err
		}
		running++
	}
	return nil
}

// launch marks element idx started (unless qdel got there first) and
// starts its process.
func launch(c *config, st *store, j *job, idx int, now time.Time, procs map[int]*exec.Cmd, events chan exitEvent) error {
	var cmd *exec.Cmd
	var startErr error
	_, err := st.update(j.Seq, func(cur *job) bool {
		e := cur.elemByIndex(idx)
		if e == nil || e.started() || e.ended() || cur.Deleted {
			return false
		}
		e.Start = now
		cmd, startErr = startElem(c, cur, e)
		if startErr != nil {
			// The MoM could not start the job: exec failed (-1).
			code := -1
			e.End, e.Exit = time.Now(), &code
			return true
		}
		e.PID = cmd.Process.Pid
		return true
	})
	if err != nil || cmd == nil {
		return err
	}
	procs[idx] = cmd
	go func() {
		err := cmd.Wait()
		events <- exitEvent{index: idx, state: cmd.ProcessState, err: err}
	}()
	return nil
}

// recordExit stores an element's Exit_status: the script's exit code;
// 256+N when the shell itself was killed by signal N; -29 (OpenPBS 22.05
// and later) or -11 (Torque) when the double killed it for walltime.
func recordExit(c *config, st *store, seq int, ev exitEvent) error {
	_, err := st.update(seq, func(j *job) bool {
		e := j.elemByIndex(ev.index)
		if e == nil {
			return false
		}
		code := -1
		if ev.state != nil {
			ws := ev.state.Sys().(syscall.WaitStatus)
			switch {
			case ws.Signaled():
				code = 256 + int(ws.Signal())
			default:
				code = ws.ExitStatus()
			}
		}
		if e.Kill == "walltime" {
			switch {
			case c.torque():
				code = -11
			case c.site.AtLeast(22, 5):
				code = -29
			}
		}
		e.End, e.Exit = time.Now(), &code
		return true
	})
	return err
}
