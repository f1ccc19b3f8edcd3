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
//	<state_dir>/jobs/<id>/run.sh        sourced by a runner to start an element: logs, work dir, env, exec bash job.sh
//	<state_dir>/jobs/<id>/cancel        marker: the job was cancelled (pending elements never start)
//	<state_dir>/jobs/<id>/e/<i>.pid     "pid starttime launch-unix-ns runner-pid runner-starttime"; created
//	                                    empty and O_EXCL by the plugin, which claims the element, and filled in by the runner
//	<state_dir>/jobs/<id>/e/<i>.exit    the exit status, one line written by the runner
//	<state_dir>/jobs/<id>/e/<i>.timeout marker: the plugin killed the element for its time limit
//	<state_dir>/jobs/<id>/e/<i>.cancel  marker: the plugin killed the element because the job was cancelled
//	<state_dir>/jobs/<id>/e/<i>.final   JSON status the plugin decided without an exit status
//	                                    (dependency never satisfied, launch failed, process vanished)
//
// <i> is the element's engine index (0 for a job that is not an array).
// The handle's State is {"v":1,"dir":"<state_dir>/jobs/<id>"}, which is all a
// fresh plugin needs to find the rest.
//
// Elements are started by runners (runner.go): long-lived bash processes in
// sessions of their own that fork each element as its own process group,
// wait for it and write its exit status, so the status reaches the disk
// even when no plugin is alive, and an element costs one fork of the runner
// plus the bash of job.sh rather than a process started from Go plus a
// wrapper bash. The runner is outside the element's process group, so
// signals the plugin sends to the group on cancel or timeout never reach it.
package localexec
