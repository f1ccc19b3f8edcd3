// Package executortest is reflow's conformance suite for executor plugins.
//
// A plugin, whether it lives in this repository or in a third party's own
// module, runs the suite from its ordinary `go test`:
//
//	func TestConformance(t *testing.T) {
//		executortest.Run(t, executortest.Config{
//			Plugin:   executortest.Build(t, "."),
//			Settings: map[string]any{"state_dir": t.TempDir()},
//		})
//	}
//
// The suite talks to the plugin exactly as reflow does: it starts the plugin
// binary with pluginapi.Launch and speaks go-plugin gRPC to it, so what it
// checks is the plugin as a site will run it, not an in-process shortcut.
// It submits real jobs (small bash snippets that write marker files and
// timestamps into their work directories) and then reads those files to
// check what actually happened, rather than trusting the plugin's own
// account of it.
//
// Each capability the plugin claims in Info (arrays, throttling, each
// dependency kind, any-of groups) is tested; a capability it does not claim
// is skipped with a message saying so, never passed silently. Every subtest
// counts the checks it made and fails if it made none, so a suite run cannot
// pass vacuously.
//
// The subtests, in order: Info (consistent, and served before Configure),
// Configure (an unknown setting is an error naming it), Render
// (deterministic, contains the job's script), BadInput (unknown resource key,
// invalid memory, dependency on an unknown handle: diagnostics naming the
// attribute, never a Go error or a crash), Submit (exit 0 → completed, exit 3
// → failed, in WorkDir, with Env, Stdout and Stderr), Array (engine indices
// with an offset, REFLOW_INDEX, per-element output files), Throttle,
// Dependency/afterok, /afterany and /elementwise (the dependent starts after
// its upstream ended; after a failed upstream an afterok dependent never
// runs and ends failed with a reason), AnyOf, ManyHandles (one Poll of
// Config.ManyJobs handles, answered in order), UnknownHandles (state
// unknown, order kept when mixed with known ones), Cancel (batched, and
// repeatable), and Reattach (the plugin process is killed while a job runs;
// a fresh process given only the persisted handles reports its exit code).
//
// Against a real scheduler, set Config.WorkRoot to a directory the compute
// nodes share, Config.Resources to what the test partition needs, and raise
// Config.JobTimeout and Config.PollInterval to suit its queue.
//
// Job scripts run on the machine (or cluster node) that executes the job and
// need bash, sleep and a writable work directory; timestamps come from bash's
// EPOCHREALTIME, falling back to GNU date.
package executortest
