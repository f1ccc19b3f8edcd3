// Package runspec is the contract between the dispatcher and the worker
// (`reflow worker`) that runs inside a scheduler job: the task spec the
// dispatcher writes under <run_dir>/.reflow/specs/ and the result file the
// worker writes under <run_dir>/.reflow/results/. Workers never open the
// store; these files are all they share with the dispatcher, so both must be
// readable on a compute node over a shared filesystem.
//
// Files are written atomically (temp file, fsync, rename, fsync of the
// directory: WriteFileAtomic): a reader sees a whole file or none.
// WriteSpec/ReadSpec and WriteResult/ReadResult are the only way either side
// should touch them, so the format version is checked in one place.
//
// Shared rules live here too, so the dispatcher and the worker cannot drift
// apart: the digest format ("sha256:<hex>", DigestFile), where a command's
// $REFLOW_RESULT file goes (ValuePath) and which result content is an error
// (CheckValue).
package runspec
