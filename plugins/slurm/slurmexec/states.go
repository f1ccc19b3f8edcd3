package slurmexec

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// baseState is a Slurm state word without what Slurm appends to it:
// sacct's "CANCELLED by 0" (the uid) and the "+" of a cut column.
func baseState(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, "+")
}

// neverSatisfiable reports whether a pending job waits for a dependency
// that can no longer hold: Slurm would keep it pending forever.
func neverSatisfiable(r record) bool {
	return baseState(r.State) == "PENDING" && r.Reason == "DependencyNeverSatisfied"
}

// dependencyKilled reports whether a cancelled job was cancelled because
// its dependency could never hold: by this plugin (Poll cancels such jobs;
// the reason stays DependencyNeverSatisfied in squeue and sacct) or by
// Slurm itself under --kill-on-invalid-dep (squeue keeps
// DependencyNeverSatisfied; sacct later says "Dependency" or "None").
// Cancels by a user or admin read "CANCELLED by <uid>" in sacct; a plain
// "CANCELLED" of a job that had dependencies and did not run is Slurm's
// own doing, and a failed dependency is the reason Slurm has for it.
func dependencyKilled(r record, hadDeps bool) bool {
	if baseState(r.State) != "CANCELLED" {
		return false
	}
	if strings.HasPrefix(r.Reason, "Dependency") {
		return true
	}
	ran := !r.Start.IsZero() && r.End.After(r.Start)
	return hadDeps && r.State == "CANCELLED" && !ran && slurmReason(r.Reason) == ""
}

// neverSatisfiedReason is the reason of a job whose dependency failed.
const neverSatisfiedReason = "dependency can never be satisfied: an upstream job did not succeed, so this job was cancelled without running"

// toStatus maps one Slurm record to reflow's vocabulary. hadDeps says the
// job was submitted with dependencies (for dependencyKilled).
func toStatus(r record, hadDeps bool) pluginapi.Status {
	st := pluginapi.Status{NativeState: r.State, ExitCode: pluginapi.NoExitCode, Start: r.Start, End: r.End}
	word := baseState(r.State)
	reason := slurmReason(r.Reason)
	switch word {
	case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT":
		// Not running yet, or put back in the queue to run again.
		st.State = pluginapi.StatePending
		st.Start, st.End = timeZero, timeZero
		st.Reason = waiting(word, reason)
		if neverSatisfiable(r) {
			st.State = pluginapi.StateFailed
			st.Reason = neverSatisfiedReason
		}
	case "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "RESIZING", "SIGNALING", "STAGE_OUT":
		// Started and not over: a suspended job resumes, a completing one
		// is only cleaning up (its final state follows).
		st.State = pluginapi.StateRunning
		st.End = timeZero
		if word != "RUNNING" {
			st.Reason = strings.ToLower(word)
		}
	case "COMPLETED":
		st.State = pluginapi.StateCompleted
		st.ExitCode = 0
		if r.Exit.Known && r.Exit.Code != 0 {
			st.ExitCode = r.Exit.Code
		}
	case "FAILED":
		st.State = pluginapi.StateFailed
		st.ExitCode, st.Reason = exitOf(r.Exit)
		if st.Reason == "" {
			st.Reason = "the job failed"
		}
		if reason != "" && reason != "NonZeroExitCode" {
			st.Reason += " (Slurm: " + reason + ")"
		}
	case "CANCELLED":
		st.State = pluginapi.StateCancelled
		st.Reason = "cancelled"
		if by := strings.TrimPrefix(r.State, "CANCELLED by "); by != r.State {
			st.Reason = "cancelled by uid " + by
		}
		if reason != "" {
			st.Reason += " (Slurm: " + reason + ")"
		}
		if r.Exit.Known && r.Exit.Signal == 0 && r.Exit.Code != 0 {
			st.ExitCode = r.Exit.Code
		}
		if dependencyKilled(r, hadDeps) {
			st.State = pluginapi.StateFailed
			st.Reason = neverSatisfiedReason
		}
	case "TIMEOUT":
		st.State = pluginapi.StateTimeout
		st.Reason = "exceeded its time limit"
		if r.Limit != "" && r.Limit != "UNLIMITED" && r.Limit != "Partition_Limit" {
			st.Reason += " of " + r.Limit
		}
	case "OUT_OF_MEMORY":
		st.State = pluginapi.StateOutOfMemory
		st.Reason = "exceeded its memory limit (killed by the out-of-memory handler)"
	case "NODE_FAIL":
		st.State = pluginapi.StateNodeFail
		st.Reason = "a node allocated to the job failed"
	case "BOOT_FAIL":
		st.State = pluginapi.StateNodeFail
		st.Reason = "a node allocated to the job failed to boot"
	case "PREEMPTED":
		st.State = pluginapi.StateCancelled
		st.Reason = "preempted by a higher-priority job"
	case "DEADLINE":
		st.State = pluginapi.StateFailed
		st.Reason = "could not end before its --deadline"
	case "REVOKED":
		st.State = pluginapi.StateCancelled
		st.Reason = "revoked: a federation runs it on another cluster"
	default:
		// A state this plugin does not know (a newer Slurm): not final, so
		// nothing is concluded from it, and said so.
		st.State = pluginapi.StatePending
		st.End = timeZero
		st.Reason = fmt.Sprintf("Slurm state %q is not known to this plugin", r.State)
	}
	return st
}

var timeZero time.Time

// slurmReason drops Slurm's "no reason" words.
func slurmReason(r string) string {
	switch r {
	case "None", "(null)", "N/A":
		return ""
	}
	return r
}

// waiting words why a job has not started.
func waiting(word, reason string) string {
	switch {
	case word == "REQUEUED" || word == "REQUEUE_HOLD" || word == "REQUEUE_FED":
		return "requeued"
	case word == "CONFIGURING":
		return "nodes are being configured"
	case reason == "":
		return ""
	}
	return "waiting: " + reason
}

// exitOf turns a batch script's end into an exit code and a reason: a code
// for a script that exited, NoExitCode and the signal for one that was
// killed.
func exitOf(e exitStatus) (int, string) {
	switch {
	case !e.Known:
		return pluginapi.NoExitCode, ""
	case e.Signal != 0:
		return pluginapi.NoExitCode, fmt.Sprintf("killed by signal %d (%s)", e.Signal, signalName(e.Signal))
	}
	return e.Code, fmt.Sprintf("exit status %d", e.Code)
}

// signalName is a signal's conventional name, "SIGKILL".
func signalName(n int) string {
	s := syscall.Signal(n).String() // "killed", "terminated"
	if name, ok := signalNames[n]; ok {
		return name + ", " + s
	}
	return s
}

var signalNames = map[int]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
	9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
	15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
}
