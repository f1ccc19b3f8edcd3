// Package fluxexec is reflow's Flux executor: it submits jobs with
// `flux submit` or `flux batch`, follows them with one `flux jobs --json`
// per Poll, and cancels them with one `flux cancel`.
//
// Flux has no job arrays. An array is submitted as one job per element:
// with a single `flux submit --cc=A-B` when each element is one task (the
// usual reflow job), its copies numbered by the engine index so that
// FLUX_JOB_CC is REFLOW_INDEX; or, when an element needs an allocation of
// several tasks or nodes, with one `flux batch` per element inside the one
// Submit call. Either way the handle records every element's job id, so a
// new plugin process reattaches from the handle alone, and Poll, Cancel
// and dependencies address each element by its id.
//
// The package is importable so tests can drive the executor in-process;
// plugins/flux wraps it in sdk.Serve to make the reflow-executor-flux
// binary. docs/executors/flux.md is the user's description.
package fluxexec
