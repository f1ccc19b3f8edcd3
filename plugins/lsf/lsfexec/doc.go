// Package lsfexec is reflow's LSF executor: it turns a reflow job into a
// bsub submission (a job script with #BSUB directives, fed to bsub on
// stdin, because LSF ignores #BSUB lines in a script named on the command
// line), reads job states from one bjobs call per poll, and cancels with
// one bkill call.
//
// The package is importable so tests can drive the executor in-process;
// plugins/lsf wraps it in sdk.Serve to make reflow-executor-lsf.
//
// Nothing lives on local disk: everything a fresh plugin process needs to
// follow a job travels in its handle. The handle's ID is the LSF job id and
// its State is JSON (handle.go) with the LSF job name, the array's size and
// offset (to map LSF's 1-based indices back to engine indices), the
// submission time (for the grace before a job bjobs does not list counts as
// vanished), the run limit, and the job's dependencies (to notice a
// dependent that can never start: LSF leaves those pending forever).
//
// Files, one job each:
//
//	config.go     settings, their defaults and checks
//	executor.go   Info, Configure (and flavour detection with bsub -V)
//	resources.go  resource keys and how they become bsub options
//	render.go     the job script and bsub's argv (Render)
//	directive.go  quoting of #BSUB values and of shell words
//	deps.go       -w expressions, and whether a dependency can still hold
//	handle.go     the handle's State
//	submit.go     Submit: run bsub, read the job id, classify refusals
//	bjobs.go      the bjobs call (chunked only when the command line would
//	              be too long) and the parsers of its JSON and delimited output
//	status.go     LSF states, exit codes and TERM_* reasons → reflow states
//	poll.go       Poll
//	cancel.go     Cancel
package lsfexec
