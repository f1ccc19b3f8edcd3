package lsfexec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// termRe finds LSF's termination keyword in EXIT_REASON, whose exact text
// varies ("TERM_RUNLIMIT: job killed after reaching LSF run time limit").
var termRe = regexp.MustCompile(`\bTERM_[A-Z_]+\b`)

// termStates are the termination reasons that mean more than "failed".
// Any other TERM_* keyword is a failure with the keyword as its reason.
var termStates = map[string]pluginapi.State{
	"TERM_RUNLIMIT":        pluginapi.StateTimeout,
	"TERM_DEADLINE":        pluginapi.StateTimeout,
	"TERM_MEMLIMIT":        pluginapi.StateOutOfMemory,
	"TERM_SWAP":            pluginapi.StateOutOfMemory,
	"TERM_OWNER":           pluginapi.StateCancelled,
	"TERM_ADMIN":           pluginapi.StateCancelled,
	"TERM_FORCE_OWNER":     pluginapi.StateCancelled,
	"TERM_FORCE_ADMIN":     pluginapi.StateCancelled,
	"TERM_REQUEUE_OWNER":   pluginapi.StateCancelled,
	"TERM_REQUEUE_ADMIN":   pluginapi.StateCancelled,
	"TERM_ZOMBIE":          pluginapi.StateNodeFail,
	"TERM_REMOVE_HUNG_JOB": pluginapi.StateNodeFail,
	"TERM_RC":              pluginapi.StateNodeFail,
	"TERM_SLURM":           pluginapi.StateNodeFail,
}

// termWords say what a keyword means, for reasons users read.
var termWords = map[string]string{
	"TERM_RUNLIMIT":        "killed after reaching the LSF run time limit (-W)",
	"TERM_DEADLINE":        "killed after its termination deadline (-t)",
	"TERM_MEMLIMIT":        "killed after reaching the LSF memory limit (-M)",
	"TERM_SWAP":            "killed after reaching the LSF swap limit",
	"TERM_OWNER":           "killed by its owner (bkill)",
	"TERM_FORCE_OWNER":     "killed by its owner without time for cleanup (bkill -r)",
	"TERM_ADMIN":           "killed by root or an LSF administrator",
	"TERM_FORCE_ADMIN":     "killed by root or an LSF administrator without time for cleanup",
	"TERM_ZOMBIE":          "exited while LSF could not reach its host",
	"TERM_REMOVE_HUNG_JOB": "removed by LSF because its host stopped answering",
	"TERM_CWD_NOTEXIST":    "its working directory does not exist on the execution host",
	"TERM_CPULIMIT":        "killed after reaching the LSF CPU time limit",
	"TERM_PREEMPT":         "killed after preemption",
	"TERM_LOAD":            "killed because the host's load exceeded a threshold",
	"TERM_EXTERNAL_SIGNAL": "killed by a signal from outside LSF",
}

// recordStatus maps one bjobs record to reflow's vocabulary. runLimit is
// set when the job has a -W limit: OpenLava-style clusters report no
// termination reason, and exit status 140 (128+SIGUSR2) is then how a job
// killed at its run limit shows.
func recordStatus(r bjobsRecord, runLimit bool) pluginapi.Status {
	st := pluginapi.Status{NativeState: r.Stat, ExitCode: pluginapi.NoExitCode}
	switch r.Stat {
	case "PEND", "WAIT", "PROV":
		st.State = pluginapi.StatePending
	case "PSUSP":
		st.State = pluginapi.StatePending
		st.Reason = "held: suspended while pending (bresume releases it)"
	case "RUN":
		st.State = pluginapi.StateRunning
	case "USUSP":
		st.State = pluginapi.StateRunning
		st.Reason = "suspended by its owner or an administrator (bresume resumes it)"
	case "SSUSP":
		st.State = pluginapi.StateRunning
		st.Reason = "suspended by LSF (host load, queue run window or preemption)"
	case "UNKWN":
		// mbatchd lost contact with the host; the job may well still run.
		st.State = pluginapi.StateRunning
		st.Reason = "LSF lost contact with the execution host (UNKWN)"
	case "DONE", "PDONE":
		st.State, st.ExitCode = pluginapi.StateCompleted, 0
	case "ZOMBI":
		st.State = pluginapi.StateNodeFail
		st.Reason = "killed or requeued while its host was unreachable (ZOMBI)"
	case "EXIT":
		st.State, st.ExitCode, st.Reason = exitStatus(r, runLimit)
	case "PERR":
		// The job ran; its post-execution command (bsub -Ep) failed.
		_, st.ExitCode, _ = exitStatus(r, runLimit)
		st.State, st.Reason = pluginapi.StateFailed, "the job's post-execution command failed (PERR)"
	default:
		// A state this plugin does not know: not finished as far as it can
		// tell, and never "unknown", which would make the job look lost.
		st.State = pluginapi.StateRunning
		st.Reason = "LSF state " + r.Stat
	}
	return st
}

// exitStatus reads an EXIT record: the termination reason first, then the
// exit status.
func exitStatus(r bjobsRecord, runLimit bool) (pluginapi.State, int, string) {
	code := pluginapi.NoExitCode
	if n, err := strconv.Atoi(r.ExitCode); err == nil {
		code = n
	}
	exitWords := exitWords(code)
	if kw := termRe.FindString(r.Reason); kw != "" {
		words := termWords[kw]
		if words == "" {
			words = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(r.Reason, kw), ":"))
		}
		reason := kw
		if words != "" {
			reason += ": " + words
		}
		if exitWords != "" {
			reason += "; " + exitWords
		}
		if s, ok := termStates[kw]; ok {
			return s, code, reason
		}
		return pluginapi.StateFailed, code, reason
	}
	switch {
	case runLimit && code == 128+int(syscall.SIGUSR2):
		return pluginapi.StateTimeout, code, "exit status 140 (SIGUSR2, which LSF sends at the run limit)"
	case r.Reason != "":
		return pluginapi.StateFailed, code, r.Reason + exitSuffix(exitWords)
	case exitWords != "":
		return pluginapi.StateFailed, code, exitWords
	}
	return pluginapi.StateFailed, code, "ended EXIT without an exit status (killed before it ran, or it could not start)"
}

func exitSuffix(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}

// exitWords describes an exit status: "exit status 3", or "killed by
// signal 9 (killed)" for 128+N.
func exitWords(code int) string {
	switch {
	case code < 0:
		return ""
	case code > 128 && code < 128+65:
		sig := syscall.Signal(code - 128)
		return fmt.Sprintf("killed by signal %d (%s)", code-128, sig)
	}
	return fmt.Sprintf("exit status %d", code)
}

// summarize makes an array's overall status from its elements: running
// while any runs (pending while all unfinished ones pend), completed only
// when all completed, and otherwise the state of the first element that
// did not complete.
func summarize(els []pluginapi.ElementStatus) pluginapi.Status {
	st := pluginapi.Status{ExitCode: pluginapi.NoExitCode}
	var (
		unfinished, running, bad int
		firstBad                 *pluginapi.ElementStatus
		firstPending             *pluginapi.ElementStatus
	)
	for i := range els {
		e := &els[i]
		switch {
		case !e.State.Terminal():
			unfinished++
			if e.State == pluginapi.StateRunning {
				running++
			} else if firstPending == nil {
				firstPending = e
			}
		case e.State != pluginapi.StateCompleted:
			bad++
			if firstBad == nil {
				firstBad = e
			}
		}
	}
	switch {
	case len(els) == 0:
		st.State, st.Reason = pluginapi.StateUnknown, "LSF lists no elements of the array"
	case running > 0:
		st.State, st.NativeState = pluginapi.StateRunning, "RUN"
	case unfinished > 0:
		st.State, st.NativeState, st.Reason = pluginapi.StatePending, firstPending.NativeState, firstPending.Reason
	case bad == 0:
		st.State, st.NativeState, st.ExitCode = pluginapi.StateCompleted, "DONE", 0
	default:
		st.State, st.NativeState, st.ExitCode = firstBad.State, firstBad.NativeState, firstBad.ExitCode
		st.Reason = fmt.Sprintf("%d of %d elements did not complete; element %d: %s", bad, len(els), firstBad.Index, firstBad.Reason)
	}
	return st
}
