// Package engine runs workflows: it creates a run in the store, and its
// dispatcher drives the run to the end in rounds.
//
// A dispatch round (DESIGN §5.3):
//
//  1. one batched Poll per executor for every job still out;
//  2. ingest and reconcile: the result file of every job the scheduler
//     reports ended is read; one that ended without a result file FAILS
//     with the scheduler's reason (OOM, timeout, node failure, cancelled,
//     vanished), so a run never hangs on a dead worker;
//  3. retries: failed attempts with tries left go back to pending;
//  4. expand: jobs whose upstream changed are evaluated again (dynamic
//     fan-outs get their size, commands their values); instances whose
//     upstream failed are skipped;
//  5. cache lookups for every instance that is ready;
//  6. submit every ready instance: array elements with contiguous indices
//     as one array job, chunked by the executor's MaxArraySize;
//  7. commit everything the round changed in one store transaction.
//
// The dispatcher keeps the whole run in memory and writes only what
// changed; a restarted dispatcher (`reflow resume`) rebuilds the memory
// from the store and reattaches to the jobs through their stored handles,
// submitting nothing twice.
//
// Dependencies: the engine submits an instance only when everything it
// reads has finished, so it needs no native dependency support from a
// plugin. Commands interpolate upstream values, which exist only once the
// upstream finished.
package engine
