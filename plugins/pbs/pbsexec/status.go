package pbsexec

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"golang.org/x/sys/unix"
)

// nativeWords says what a state letter means, for NativeState.
var nativeWords = map[string]string{
	"B": "array begun", "C": "completed", "E": "exiting", "F": "finished", "H": "held",
	"M": "moved", "Q": "queued", "R": "running", "S": "suspended", "T": "in transit",
	"U": "suspended (cycle harvesting)", "W": "waiting for its start time", "X": "subjob finished",
}

// specialExit describes PBS's negative Exit_status values (facts §4).
type specialExit struct {
	state  pluginapi.State
	reason string
}

var openpbsSpecial = map[int]specialExit{
	-1:  {pluginapi.StateFailed, "the job could not be started (exec failed)"},
	-2:  {pluginapi.StateFailed, "the job could not be started (exec failed)"},
	-3:  {pluginapi.StateFailed, "the job was to be retried but ended"},
	-4:  {pluginapi.StateNodeFail, "MoM failed to initialise the job"},
	-5:  {pluginapi.StateNodeFail, "MoM failed to initialise the job"},
	-6:  {pluginapi.StateNodeFail, "MoM failed to initialise the job"},
	-7:  {pluginapi.StateNodeFail, "the job was lost when MoM restarted"},
	-10: {pluginapi.StateFailed, "bad uid or gid for the job (root cannot submit by default)"},
	-11: {pluginapi.StateFailed, "the job was to be rerun but ended"},
	-12: {pluginapi.StateFailed, "the job was checkpointed and ended"},
	-13: {pluginapi.StateFailed, "bad password"},
	-14: {pluginapi.StateNodeFail, "a sister node failed"},
	-15: {pluginapi.StateFailed, "requeued for checkpoint restart"},
	-16: {pluginapi.StateFailed, "a hook requeued or deleted the job"},
	-17: {pluginapi.StateFailed, "a hook requeued or deleted the job"},
	-18: {pluginapi.StateFailed, "a hook requeued or deleted the job"},
	-19: {pluginapi.StateFailed, "a hook requeued or deleted the job"},
	-20: {pluginapi.StateNodeFail, "the connection to the job's mother superior node was lost"},
	-21: {pluginapi.StateFailed, "a security error"},
	-22: {pluginapi.StateFailed, "a hook failed"},
	-23: {pluginapi.StateFailed, "Kerberos credentials failed"},
	-24: {pluginapi.StateFailed, "exceeded the ncpus limit (burst)"},
	-25: {pluginapi.StateFailed, "exceeded the ncpus limit (sum)"},
	-26: {pluginapi.StateOutOfMemory, "exceeded the vmem limit"},
	-27: {pluginapi.StateOutOfMemory, "exceeded the mem limit"},
	-28: {pluginapi.StateTimeout, "exceeded the cput limit"},
	-29: {pluginapi.StateTimeout, "exceeded the walltime limit"},
	-30: {pluginapi.StateFailed, "a join-job error"},
}

var torqueSpecial = map[int]specialExit{
	-1:  {pluginapi.StateFailed, "the job could not be started"},
	-10: {pluginapi.StateOutOfMemory, "exceeded the memory limit"},
	-11: {pluginapi.StateTimeout, "exceeded the walltime limit"},
	-12: {pluginapi.StateTimeout, "exceeded the cput limit"},
}

// context for mapping one record: what the handle tells about the job.
type mapCtx struct {
	dialect   string
	state     handleState
	ours      bool
	cancelled bool
	// upstream looks up what qstat said of an upstream id in this round.
	upstream func(id string) (pluginapi.Status, bool)
}

// isDone reports whether a state letter is final.
func isDone(letter string) bool { return letter == "F" || letter == "X" || letter == "C" }

// mapRecord turns what qstat said of one job or subjob into a Status.
func mapRecord(r record, mc mapCtx) pluginapi.Status {
	st := pluginapi.Status{ExitCode: pluginapi.NoExitCode, NativeState: r.State, Start: r.Start, End: r.End}
	if w := nativeWords[r.State]; w != "" {
		st.NativeState = r.State + " (" + w + ")"
	}
	switch r.State {
	case "Q", "T", "M":
		st.State = pluginapi.StatePending
		st.Reason = r.Comment
	case "H":
		st.State = pluginapi.StatePending
		st.Reason = "held"
		if r.DependHold {
			st.Reason = "held until its dependencies are met"
		}
	case "W":
		st.State, st.Reason = pluginapi.StatePending, "waiting for its start time (-a)"
	case "R", "E", "B":
		st.State = pluginapi.StateRunning
	case "S", "U":
		st.State, st.Reason = pluginapi.StateRunning, "suspended by the scheduler"
	case "F", "X", "C":
		finalStatus(&st, r, mc)
	default:
		st.State = pluginapi.StatePending
		st.Reason = fmt.Sprintf("unfamiliar PBS job state %q", r.State)
	}
	if !isDone(r.State) {
		st.End = time.Time{}
	}
	return st
}

// finalStatus fills in how a finished job ended.
func finalStatus(st *pluginapi.Status, r record, mc mapCtx) {
	deleted := r.HasSub && r.Substate == 91
	if !r.HasExit {
		st.ExitCode = pluginapi.NoExitCode
		started := !r.Start.IsZero()
		switch {
		case mc.cancelled:
			st.State, st.Reason = pluginapi.StateCancelled, "deleted with qdel"
		case !started && len(mc.state.Deps) > 0:
			st.State = pluginapi.StateFailed
			st.Reason = "never ran: the PBS server deleted it because its dependency can never be satisfied" + upstreamWhy(mc)
		case !started:
			st.State, st.Reason = pluginapi.StateCancelled, "deleted before it ran (qdel)"
		default:
			st.State, st.Reason = pluginapi.StateFailed, "ended without an exit status"
		}
		if r.Comment != "" && st.State == pluginapi.StateFailed {
			st.Reason += " (PBS: " + r.Comment + ")"
		}
		return
	}
	code := r.Exit
	special := openpbsSpecial
	if mc.dialect == dialectTorque {
		special = torqueSpecial
	}
	switch {
	case code == 0:
		st.State, st.ExitCode = pluginapi.StateCompleted, 0
	case code < 0:
		sp, ok := special[code]
		if !ok {
			sp = specialExit{pluginapi.StateFailed, "PBS ended the job"}
		}
		st.State = sp.state
		st.Reason = fmt.Sprintf("%s (Exit_status %d)", sp.reason, code)
		if sp.state == pluginapi.StateTimeout && r.Walltime > 0 {
			st.Reason = fmt.Sprintf("%s %s (Exit_status %d)", sp.reason, clock(r.Walltime), code)
		}
	case code >= 256:
		// The job shell itself was killed by signal code-256.
		sig := code - 256
		st.ExitCode = 128 + sig
		switch {
		case mc.cancelled || deleted:
			st.State, st.Reason = pluginapi.StateCancelled, fmt.Sprintf("deleted with qdel while running (%s)", signalName(sig))
		case walltimeKill(r, mc):
			st.State, st.Reason = pluginapi.StateTimeout, fmt.Sprintf("exceeded the walltime limit %s (%s)", clock(limitOf(r, mc)), signalName(sig))
		default:
			st.State, st.Reason = pluginapi.StateFailed, "killed by "+signalName(sig)
		}
	default:
		st.State, st.ExitCode = pluginapi.StateFailed, code
		st.Reason = fmt.Sprintf("exit status %d", code)
		switch {
		case len(mc.state.Guard) > 0 && code == guardExit:
			st.Reason = "never ran its command: an upstream array (" + strings.Join(mc.state.Guard, ", ") +
				") has subjobs that did not exit 0, so its afterok dependency does not hold (exit status 125)"
		case code > 128 && code < 128+65:
			st.Reason = fmt.Sprintf("exit status %d: a process was killed by %s", code, signalName(code-128))
			if code == 137 {
				st.Reason += "; out of memory?"
			}
		}
		if mc.cancelled || deleted {
			st.State = pluginapi.StateCancelled
			st.Reason = "deleted with qdel while running; " + st.Reason
		}
	}
}

// walltimeKill reports whether a signal death is the server enforcing
// walltime, as servers before 22.05 (and Torque) report it: the job ran
// for at least its walltime.
func walltimeKill(r record, mc mapCtx) bool {
	limit := limitOf(r, mc)
	if limit <= 0 {
		return false
	}
	used := r.Used
	if used == 0 && !r.Start.IsZero() && !r.End.IsZero() {
		used = r.End.Sub(r.Start)
	}
	return used >= limit-time.Second
}

func limitOf(r record, mc mapCtx) time.Duration {
	if r.Walltime > 0 {
		return r.Walltime
	}
	return time.Duration(mc.state.Walltime) * time.Second
}

// upstreamWhy says which upstream ended the wrong way, when this round's
// qstat answer includes it.
func upstreamWhy(mc mapCtx) string {
	if mc.upstream == nil {
		return ""
	}
	var parts []string
	for _, id := range mc.state.Deps {
		if s, ok := mc.upstream(id); ok && s.State.Terminal() && s.State != pluginapi.StateCompleted {
			w := fmt.Sprintf("%s ended %s", id, s.State)
			if s.Reason != "" {
				w += ": " + s.Reason
			}
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func signalName(sig int) string {
	name := unix.SignalName(syscall.Signal(sig))
	if name == "" {
		return fmt.Sprintf("signal %d", sig)
	}
	return fmt.Sprintf("signal %d (%s)", sig, name)
}

func clock(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}
