// Package slurmexec is reflow's Slurm executor: it submits jobs with sbatch,
// follows them with squeue and sacct, and cancels them with scancel. The
// package is importable so tests can drive the executor in-process;
// plugins/slurm wraps it in sdk.Serve to make the reflow-executor-slurm
// binary.
//
// The plugin keeps nothing on disk. Everything a fresh plugin process needs
// to follow a job travels in its handle: the Slurm job id as Handle.ID and,
// as Handle.State, a small JSON record of how the job was submitted (the
// engine index range of an array and the native index its first element got,
// whether it had dependencies, the cluster, the submit time). What the
// plugin keeps in memory (when a job was first missing from the queue, which
// jobs it cancelled) only sharpens answers; losing it loses nothing a user
// relies on.
//
// The files, one job each:
//
//	executor.go  the Executor: Info, Configure and the shared state
//	config.go    site settings: schema, decoding, defaults
//	cluster.go   what `scontrol show config` says: version, MaxArraySize, accounting
//	commands.go  running the Slurm clients; splitting long id lists
//	queries.go   the status queries: squeue, sacct, scontrol show job
//	resources.go portable resources → #SBATCH directives
//	options.go   native options and extra sbatch arguments, checked against what the plugin owns
//	render.go    the batch script and the sbatch command line
//	arrays.go    engine indices ↔ native indices, output paths of elements
//	deps.go      dependencies → --dependency, and what Slurm cannot express
//	upstream.go  checking upstream jobs before submitting a dependent
//	submit.go    Render and Submit: sbatch, its output and its refusals
//	handle.go    what a Handle carries
//	jobid.go     Slurm's job id forms: 123, 123_4, 123_[5-9%2]
//	records.go   parsing squeue/sacct/scontrol output into records
//	states.go    Slurm states → reflow states, exit codes and reasons
//	poll.go      Poll: one squeue, one sacct, then per-job answers
//	elements.go  what the sources say per job; array elements and the array's summary
//	missing.go   jobs no source lists any more: cancelled, unknown or vanished
//	cancel.go    Cancel: one scancel
package slurmexec
