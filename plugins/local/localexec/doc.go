// Package localexec is reflow's local executor: it runs jobs as process
// groups on the machine the plugin runs on, with its own small scheduler
// (slots, array throttling, dependencies, time limits).
//
// The package is importable so tests and benchmarks can drive the executor
// in-process; plugins/local wraps it in sdk.Serve to make the
// reflow-executor-local binary.
//
// Everything that must outlive the plugin process lives on disk under the
// state directory, because the host kills its plugin whenever it dies and a
// new plugin must pick the jobs up again from their handles alone:
//
//	<state_dir>/jobs/<id>/spec.json     the normalised submission (written last, so its presence means "submitted")
//	<state_dir>/jobs/<id>/job.sh        the job script, exactly as Render shows it
//	<state_dir>/jobs/<id>/run.sh        the wrapper: runs job.sh, then records its exit status
//	<state_dir>/jobs/<id>/cancel        marker: the job was cancelled (pending elements never start)
//	<state_dir>/jobs/<id>/e/<i>.pid     "pid starttime launch-unix-ns"; created O_EXCL, so it also claims the element
//	<state_dir>/jobs/<id>/e/<i>.exit    the exit status, one line written by the wrapper
//	<state_dir>/jobs/<id>/e/<i>.timeout marker: the plugin killed the element for its time limit
//	<state_dir>/jobs/<id>/e/<i>.cancel  marker: the plugin killed the element because the job was cancelled
//	<state_dir>/jobs/<id>/e/<i>.final   JSON status the plugin decided without an exit status
//	                                    (dependency never satisfied, launch failed, process vanished)
//
// <i> is the element's engine index (0 for a job that is not an array).
// The handle's State is {"v":1,"dir":"<state_dir>/jobs/<id>"}, which is all a
// fresh plugin needs to find the rest.
//
// Processes are started through a bash wrapper rather than a Go helper
// because a bash start costs well under a millisecond while a Go binary
// costs several, and jobs can be tiny. The wrapper ignores nothing the job
// can see: it traps TERM/INT/HUP with a no-op handler (handlers are reset on
// exec, ignored signals would not be), so when the plugin signals the process
// group the job dies normally and the wrapper survives to record the status.
package localexec
