package sgeexec

import (
	"fmt"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// failedText is sge_status(5)'s description of each `failed` code, for
// records read from the accounting file (qacct prints it itself).
var failedText = map[int]string{
	1: "assumedly before job", 3: "before writing config", 4: "before writing PID", 6: "setting processor set",
	7: "before prolog", 8: "in prolog", 9: "before pestart", 10: "in pestart", 11: "before job",
	12: "before pestop", 13: "in pestop", 14: "before epilog", 15: "in epilog", 16: "releasing processor set",
	17: "through signal", 18: "shepherd returned error", 19: "before writing exit_status",
	20: "found unexpected error file", 21: "in recognizing job", 24: "migrating (checkpointing jobs)",
	25: "rescheduling", 26: "opening input/output file", 27: "searching requested shell",
	28: "changing to working directory", 29: "AFS setup", 30: "application error returned",
	31: "accessing sgepasswd file", 32: "entry is missing in password file", 33: "wrong password",
	34: "communicating with Grid Engine Helper Service", 35: "before job in Grid Engine Helper Service",
	36: "checking configured daemons", 37: "qmaster enforced h_rt, h_cpu, or h_vmem limit",
	38: "adding supplementary group", 100: "assumedly after job",
}

// Signals as exit statuses: 128 + the signal number.
const (
	exitKilled = 128 + int(syscall.SIGKILL) // 137
	exitUSR1   = 128 + int(syscall.SIGUSR1) // 138: s_rt
	exitXCPU   = 128 + int(syscall.SIGXCPU) // 152: s_cpu
)

// finalStatus turns an accounting record into reflow's words. st is the
// job's handle state (its limits tell a timeout from a memory kill);
// cancelled says this plugin deleted the job.
//
// The job script's own shell outlives the job's processes (script.go), so
// a record with failed 0 and exit_status 128+N is a job whose processes
// were killed by signal N from inside the job's world (the kernel's OOM
// killer, a kill -9): failed. failed 100 means the whole job, shell and
// all, was killed by a signal from outside: qdel (cancelled), or s_rt/s_cpu
// (timeout). failed 37 is Grid Engine enforcing h_rt or h_vmem.
func finalStatus(r acctRecord, st handleState, cancelled bool) pluginapi.Status {
	s := pluginapi.Status{
		ExitCode:    r.Exit,
		NativeState: fmt.Sprintf("failed %d, exit_status %d", r.Failed, r.Exit),
		Start:       r.Start,
		End:         r.End,
	}
	text := r.FailedText
	if text == "" {
		text = failedText[r.Failed]
	}
	switch r.Failed {
	case 0:
		switch {
		case r.Exit == 0:
			s.State = pluginapi.StateCompleted
		case r.Exit > 128 && r.Exit <= 128+64:
			s.State, s.Reason = pluginapi.StateFailed, "killed by "+signalName(r.Exit-128)
		default:
			s.State, s.Reason = pluginapi.StateFailed, fmt.Sprintf("exit status %d", r.Exit)
		}
	case 37:
		s.State, s.Reason = limitKill(r, st)
	case 100, 17:
		switch {
		case cancelled:
			s.State, s.Reason = pluginapi.StateCancelled, "cancelled: deleted with qdel by reflow"
		case r.Exit == exitKilled:
			s.State, s.Reason = pluginapi.StateCancelled, "killed with SIGKILL from outside the job: deleted with qdel, or killed by Grid Engine or an administrator"
		case r.Exit == exitUSR1:
			s.State, s.Reason = pluginapi.StateTimeout, "exceeded its soft wall-clock limit (s_rt, SIGUSR1)"
		case r.Exit == exitXCPU:
			s.State, s.Reason = pluginapi.StateTimeout, "exceeded its CPU time limit (SIGXCPU)"
		case r.Exit > 128 && r.Exit <= 128+64:
			s.State, s.Reason = pluginapi.StateFailed, "the job was killed by "+signalName(r.Exit-128)
		default:
			s.State, s.Reason = pluginapi.StateFailed, fmt.Sprintf("Grid Engine reports failed %d (%s), exit status %d", r.Failed, text, r.Exit)
		}
	case 30:
		s.State, s.Reason = pluginapi.StateFailed, fmt.Sprintf("exit status %d, which Grid Engine takes as an error: it held the job in state Eqw, and it was deleted", r.Exit)
	case 18, 19, 20:
		s.State, s.Reason = pluginapi.StateNodeFail, fmt.Sprintf("the execution host lost the job: failed %d (%s)", r.Failed, text)
		s.ExitCode = pluginapi.NoExitCode
	case 24, 25:
		s.State, s.Reason = pluginapi.StateNodeFail, fmt.Sprintf("the job was to be run again elsewhere but is gone: failed %d (%s)", r.Failed, text)
		s.ExitCode = pluginapi.NoExitCode
	case 12, 13, 14, 15, 16:
		// The job itself ran to its end; what came after it failed.
		s.State = pluginapi.StateFailed
		s.Reason = fmt.Sprintf("the job ended with exit status %d, then Grid Engine failed %s (failed %d)", r.Exit, text, r.Failed)
	default:
		s.State, s.ExitCode = pluginapi.StateFailed, pluginapi.NoExitCode
		if text == "" {
			text = "unknown failure"
		}
		s.Reason = fmt.Sprintf("Grid Engine could not run the job: failed %d (%s)", r.Failed, text)
	}
	return s
}

// limitKill tells which limit a failed-37 record is about, from what the
// job asked for: at or past its h_rt it is a timeout, else near its memory
// a memory kill.
func limitKill(r acctRecord, st handleState) (pluginapi.State, string) {
	ran := r.Wallclock
	if ran <= 0 && !r.Start.IsZero() && !r.End.IsZero() {
		ran = r.End.Sub(r.Start).Seconds()
	}
	switch {
	case st.TimeLimit > 0 && ran >= float64(st.TimeLimit)-1:
		return pluginapi.StateTimeout, fmt.Sprintf("exceeded its time limit %s (h_rt; ran %.0fs)",
			time.Duration(st.TimeLimit)*time.Second, ran)
	case st.MemLimit > 0:
		reason := fmt.Sprintf("exceeded its memory limit %s", sdk.Memory(st.MemLimit))
		if r.MaxVMem > 0 {
			reason += fmt.Sprintf(" (peak virtual memory %s)", sdk.Memory(r.MaxVMem))
		}
		return pluginapi.StateOutOfMemory, reason
	case st.TimeLimit > 0:
		return pluginapi.StateTimeout, "killed by Grid Engine for a limit (h_rt, h_cpu or h_vmem)"
	}
	return pluginapi.StateFailed, "killed by Grid Engine for exceeding a limit the site sets (h_rt, h_cpu or h_vmem)"
}

// signalName names signal n: "signal 9 (SIGKILL)".
func signalName(n int) string {
	name := map[int]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
		8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
		15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ"}[n]
	if name == "" {
		return fmt.Sprintf("signal %d", n)
	}
	return fmt.Sprintf("signal %d (%s)", n, name)
}
