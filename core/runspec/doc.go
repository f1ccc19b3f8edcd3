// Package runspec is the contract between the dispatcher and the worker
// (`reflow worker`) that runs inside a scheduler job: the task spec the
// dispatcher writes under <run_dir>/.reflow/specs/ and the result file the
// worker writes under <run_dir>/.reflow/results/. Workers never open the
// store; these files are all they share with the dispatcher, so both must be
// readable on a compute node over a shared filesystem.
//
// Files are written atomically (temp file, fsync, rename): a reader sees a
// whole file or none.
package runspec
