// Package sgeexec is reflow's Grid Engine executor: it submits jobs with
// `qsub -terse` (the job script on standard input, its options as "#$"
// directives), follows them with one `qstat -xml` per Poll plus the
// accounting for jobs that left the queue, and cancels with one qdel.
//
// The package is importable so tests can drive the executor in-process,
// with a Runner that replays recorded command outputs; plugins/sge wraps it
// in sdk.Serve to make the reflow-executor-sge binary.
//
// The files, by job:
//
//	config.go    the settings after defaults; where the cell and its clients are
//	settings.go  the settings' schema, decoding and checks
//	detect.go    Grid Engine's version and max_aj_tasks, asked once in Configure
//	resources.go portable resource keys → -pe, -l h_rt, -l h_vmem, -q, -P, ...
//	options.go   native options → directives; options the plugin owns are refused
//	deps.go      dependencies → -hold_jid, -hold_jid_ad and a user hold (-h)
//	script.go    the job script around JobSpec.Script
//	render.go    the whole submission: argv and script (Render)
//	submit.go    qsub and its terse answer (Submit)
//	handle.go    what a handle carries, so a new process can take over
//	poll.go      Poll: qstat, accounting, and what a missing job means
//	qstat.go     qstat -xml and its state letters
//	qstatj.go    qstat -j error reasons (jobs in Eqw)
//	lookup.go    which accounting source to ask
//	accounting.go the accounting file, read backwards from its end
//	qacct.go     qacct -j output
//	failure.go   qacct's failed/exit_status → reflow's states and reasons
//	release.go   held dependents: released (qrls) or deleted (qdel)
//	summary.go   an array's elements → one job status
//	cancel.go    Cancel: one qdel
//	track.go     what one plugin process remembers between polls
//
// # What a new plugin process needs
//
// A handle is the job number plus handleState (JSON): the array's shape,
// the submission time, the limits asked for, and for a held dependent the
// upstreams it waits on. From that alone, qstat and the accounting, a new
// process reports any job. What only the process that did it knows: that it
// cancelled a job (a job deleted while pending leaves no accounting record;
// a new process reports such a job, after accounting_grace, as failed
// "vanished"), and the error reason of a job it deleted from Eqw (a new
// process reports the accounting's failed code instead).
package sgeexec
