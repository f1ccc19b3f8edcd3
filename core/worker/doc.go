// Package worker is `reflow worker`: the process a scheduler job runs. It
// reads one task instance's spec from <run_dir>/.reflow/ (never the store:
// compute nodes may not reach it), runs the command, and leaves a result
// file for the dispatcher. Those files are the whole conversation.
//
// One attempt, step by step:
//
//  1. Read the spec (Options.SpecPath, or the instance's path from RunDir,
//     Task and Index; IndexFromEnv reads $REFLOW_INDEX for array elements).
//  2. Create the work dir and the log files, and run
//     `bash -eo pipefail -c COMMAND` in the work dir, in its own process
//     group, stdin from /dev/null, stdout and stderr to the spec's logs.
//     Commands too long for one argv string run from a script file beside
//     the result file instead.
//  3. The command's environment is the worker's own plus Spec.Env plus
//     REFLOW_RESULT, REFLOW_RUN_ID, REFLOW_RUN_DIR, REFLOW_TASK,
//     REFLOW_INDEX and REFLOW_ATTEMPT. For a singleton REFLOW_INDEX is set
//     and empty: present so `set -u` scripts can test it, empty so it
//     cannot be mistaken for element 0. REFLOW_RESULT points into the
//     state dir (runspec.ValuePath), not the work dir, so an outputs glob
//     never records it.
//  4. SIGTERM or SIGINT (a time limit, scancel, preemption, Ctrl-C) is
//     forwarded to the command's process group; after Options.Grace the
//     group gets SIGKILL. The attempt is recorded as Terminated with the
//     signal. When the command exits by itself, whatever it left running
//     in its group is killed, as a scheduler would at the end of a job.
//  5. After exit 0: outputs are the matches of Spec.Outputs in the work
//     dir, sorted, each with size, mtime and sha256 digest. A glob with
//     wildcards that matches nothing is fine (a split may yield no chunks);
//     a literal name that does not exist fails the task ("declared output
//     was not created"). Directories matched by a wildcard are skipped; a
//     literal that names a directory fails. A match that resolves outside
//     the work dir (through a symlink), a dangling symlink or a non-regular
//     file fails the task with a reason naming it.
//  6. The $REFLOW_RESULT file, when the command wrote one, is kept raw in
//     Result.Value (the dispatcher interprets it) unless it exceeds
//     Spec.MaxResultBytes or starts like JSON ('{' or '[') without parsing
//     as JSON — both fail the task (runspec.CheckValue has the rule).
//  7. The Result (outcome, exit code, signal, reason, start/end, host, peak
//     RSS of the command and the children it waited for) is written
//     atomically.
//
// Run returns 0 whenever a result file was written, whatever the task's
// outcome, and non-zero only when none could be: then the dispatcher
// learns what happened from the scheduler.
//
// The worker runs once per task, possibly 10,000 times on one machine, so
// it does little besides the work: one fsync (the result file), no
// goroutine per output stream (the command writes straight to the log
// files) and no hashing of anything but declared outputs.
package worker
