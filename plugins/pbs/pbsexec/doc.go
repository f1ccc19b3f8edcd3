// Package pbsexec is reflow's PBS executor: it turns reflow jobs into qsub
// submissions (a job script with #PBS directives, fed to qsub on stdin),
// follows them with one batched qstat per Poll and cancels them with one
// qdel per Cancel.
//
// Two dialects are spoken. OpenPBS (PBS Pro behaves the same for what is
// used here): -l select chunks, -J arrays with a %N throttle from 22.05,
// ^array_index^ in output paths, qstat -x -f -F json -t -E with job
// history. Torque: -l nodes=N:ppn=P, -t arrays, *array dependency types,
// qstat -f -t text, finished jobs in state C for keep_completed.
//
// Nothing is kept on disk. A handle's ID is the PBS job id exactly as qsub
// printed it, and its State a small JSON record of what Poll needs to read
// the id back without this process (the dialect, the array's size and
// offset, the upstream ids, the submission time); a new plugin process
// reattaches from the handle alone. The process keeps, in memory only, the
// last final status of each job it saw, so a job that ages out of qstat's
// history after this process saw it end keeps its status.
//
// Files: executor.go (Info, Configure), config.go (settings), flavor.go
// (qstat --version); the submission: resources.go, options.go, arrays.go,
// deps.go (with the afterok guard for arrays), render.go, script.go,
// handle.go, submit.go; reading it back: poll.go (the one qstat),
// qstat_json.go and qstat_text.go (its formats), record.go, status.go
// (states and exit statuses), aggregate.go (arrays), missing.go (jobs qstat
// no longer lists: exit files, history_grace); cancel.go.
package pbsexec
