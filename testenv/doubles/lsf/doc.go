// Command lsf is reflow's strict test double for IBM Spectrum LSF: one
// binary that acts as bsub, bjobs or bkill depending on the name it is
// started as (testenv/doubles links each name to it), keeps every job in
// the directory $REFLOW_DOUBLE_STATE and really runs the job scripts.
//
// The scheduler-specific parts live apart from the job-running mechanics:
//
//   - lsfsyntax/ (its own package): which command lines LSF accepts and the
//     grammar of every value, with LSF's error texts;
//   - bsub.go, bjobs.go, bkill.go, format.go: the commands and their output
//     formats (submission line, bjobs tables, -o/-json, per-id errors);
//   - store.go, job.go, state.go: the state directory (an flock-protected
//     directory of immutable job records plus small per-element files
//     written atomically), and how an element's state follows from them;
//   - daemon.go: "mbatchd", a detached loop that starts pending elements
//     whose dependencies hold, within array throttles and the cluster's
//     slots, and exits when nothing is left to do;
//   - res.go: "res", one detached process per running element that runs
//     the job script in a process group of its own with LSF's environment,
//     enforces the run limit (SIGUSR2, then SIGKILL) and the memory limit,
//     carries out bkill's signal sequence, and records the exit status;
//   - quiesce.go: "lsf-quiesce", which tests run (through lsftest.Install)
//     to end every job and wait for the background processes to stop
//     before the state directory is removed.
//
// Layout of the state directory:
//
//	lock              flock: exclusive for changes, shared for reading
//	daemon.lock       held by the running mbatchd for its lifetime
//	seq               the last job id handed out
//	jobs/<id>/job.json  the submission (written once, by bsub)
//	jobs/<id>/script    the spooled job script
//	jobs/<id>/e/<i>.start  element i was dispatched (JSON: time, res pid)
//	jobs/<id>/e/<i>.pid    the process group of element i's job script
//	jobs/<id>/e/<i>.kill   bkill asked element i to end (JSON: reason)
//	jobs/<id>/e/<i>.end    element i ended (JSON: exit status, reason, time)
//	mail/<id>.<i>     the output of a job submitted without -o and -e
//	shutdown          written by lsf-quiesce: mbatchd exits
//
// <i> is the LSF array index (0 for a job that is not an array).
//
// Knobs, read from the environment (real LSF reads most of them from
// lsf.conf or lsb.params):
//
//	REFLOW_DOUBLE_HISTORY        how long finished jobs stay visible (CLEAN_PERIOD; default 1h)
//	REFLOW_DOUBLE_MINUTE         how long one minute of -W lasts (default 1m; tests use e.g. 1s)
//	REFLOW_DOUBLE_KILL_GRACE     SIGUSR2→SIGKILL at the run limit and bkill's SIGTERM→SIGKILL (default 2s; LSF: 10m and 10s)
//	REFLOW_DOUBLE_SLOTS          job slots of the whole cluster (default 16)
//	REFLOW_DOUBLE_QUEUES         queue names, the first is the default (default "normal")
//	REFLOW_DOUBLE_MAX_PEND       MAX_PEND_JOBS: pending elements allowed (default unlimited)
//	REFLOW_DOUBLE_TICK           mbatchd's scheduling interval (default 50ms)
//	MAX_JOB_ARRAY_SIZE           lsb.params (default 1000)
//	LSF_UNIT_FOR_LIMITS          lsf.conf (default KB)
//	LSB_BSUB_PARSE_SCRIPT        Y: read #BSUB lines from a script named on the command line
//	LSB_BJOBS_CONSISTENT_EXIT_CODE  Y: bjobs exits 255 when any id is missing
//	LSB_NTRIES                   bsub's tries when a limit refuses a job (unset: forever, as LSF)
//	BSUB_STDERR                  set: bsub prints its submission line on stderr
package main
