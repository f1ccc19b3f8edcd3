package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// signals are the names bkill -s takes.
var signals = map[string]syscall.Signal{
	"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP,
	"STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
	"QUIT": syscall.SIGQUIT,
}

// bkill ends jobs: a pending element goes straight to EXIT, a running one
// gets SIGINT and SIGTERM now and SIGKILL after the grace (res sends it),
// all with TERM_OWNER. One line per id: "Job <id> is being terminated" on
// stdout, or an error on stderr; the exit status is 255 if any id failed.
func bkill(st *store, cfg config, args []string, stdout, stderr io.Writer) int {
	req, perr := lsfsyntax.ParseBkill(args)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Msg)
		return perr.Code
	}
	var sig syscall.Signal
	if req.Signal != "" {
		s, ok := parseSignal(req.Signal)
		if !ok {
			fmt.Fprintf(stderr, "bkill: %s: Illegal signal value\n", req.Signal)
			return lsfsyntax.ExitFailure
		}
		sig = s
	}
	unlock, err := st.lock(true)
	if err != nil {
		fmt.Fprintf(stderr, "bkill: %v\n", err)
		return lsfsyntax.ExitFailure
	}
	defer unlock()
	c := newCluster(st, cfg)
	failed := false
	for _, id := range req.IDs {
		v, ok := c.get(id.ID)
		if !ok {
			fmt.Fprintf(stderr, "Job <%s>: %s\n", id.Text, lsfsyntax.ReasonNoMatchingJob)
			failed = true
			continue
		}
		targets := v.elems
		if id.Indices != nil {
			targets = nil
			for _, i := range id.Indices {
				if e, ok := v.elem(i); ok {
					targets = append(targets, e)
				}
			}
			if len(targets) == 0 {
				fmt.Fprintf(stderr, "Job <%s>: %s\n", id.Text, lsfsyntax.ReasonNoMatchingJob)
				failed = true
				continue
			}
		}
		live := 0
		for _, e := range targets {
			if e.ended() {
				continue
			}
			live++
			terminate(st, v.job, e, sig, req.Remove)
		}
		if live == 0 {
			fmt.Fprintf(stderr, "Job <%s>: Job has already finished\n", id.Text)
			failed = true
			continue
		}
		fmt.Fprintf(stdout, "Job <%s> is being terminated\n", id.Text)
	}
	if failed {
		return lsfsyntax.ExitFailure
	}
	return 0
}

// terminate ends one element (or, with a signal other than a kill, only
// signals it if it runs).
func terminate(st *store, j *Job, e elem, sig syscall.Signal, remove bool) {
	killing := sig == 0 || sig == syscall.SIGKILL || sig == syscall.SIGTERM || sig == syscall.SIGINT
	pgid := readPgid(st.elemFile(j.ID, e.Index, "pid"))
	reason := "TERM_OWNER"
	if remove {
		reason = "TERM_FORCE_OWNER"
	}
	switch {
	case !killing:
		if pgid > 0 && e.Stat == statRUN {
			syscall.Kill(-pgid, sig)
		}
	case e.Stat == statPEND || e.Stat == statPSUSP:
		createJSON(st.elemFile(j.ID, e.Index, "end"), endRec{Exit: -1, Reason: reason, Time: time.Now()})
	default:
		writeJSON(st.elemFile(j.ID, e.Index, "kill"), killRec{Reason: reason, Time: time.Now()})
		if pgid > 0 {
			if remove || sig == syscall.SIGKILL {
				syscall.Kill(-pgid, syscall.SIGKILL)
			} else {
				syscall.Kill(-pgid, syscall.SIGINT)
				syscall.Kill(-pgid, syscall.SIGTERM)
			}
		}
		if remove {
			createJSON(st.elemFile(j.ID, e.Index, "end"), endRec{Exit: -1, Reason: reason, Time: time.Now()})
		}
	}
}

func readPgid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func parseSignal(s string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), true
	}
	sig, ok := signals[strings.TrimPrefix(strings.ToUpper(s), "SIG")]
	return sig, ok
}
