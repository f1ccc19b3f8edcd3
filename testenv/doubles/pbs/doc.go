// Command pbs-double is a strict stand-in for a PBS server and its client
// commands, for tests of reflow's PBS executor plugin. One binary acts as
// qsub, qstat or qdel depending on the name it is started as
// (testenv/doubles links it under each name); it also starts itself as a
// per-job supervisor, "pbs-double-supervisor SEQ", which runs the job.
//
// Strict: every command line goes through pbssyntax, which refuses what a
// real qsub/qstat/qdel refuses, with its text and exit status (facts page
// §6). Real: jobs really run, as process groups started by a detached
// supervisor (setsid), with the environment PBS gives them, in $HOME, with
// output files named the PBS way; dependencies hold jobs in state H and
// delete jobs whose dependency can never be satisfied; array throttles,
// walltime (Exit_status -29 from 22.05, Torque -11) and qdel (SIGTERM,
// SIGKILL after the kill delay, 256+signal exit statuses) behave as the
// facts page describes; finished jobs stay in history for
// $REFLOW_DOUBLE_HISTORY and then vanish.
//
// All state lives in $REFLOW_DOUBLE_STATE (the double refuses to run
// without it): jobs/<seq>.json per job, written atomically, with a lock
// file serialising every change. Settings come from the environment; see
// config.go.
//
// Files: main.go dispatches; config.go reads settings; store.go and job.go
// hold the state; deps.go judges dependencies; qsub.go, qstat.go and
// qdel.go are the commands; attrs.go, attrs_torque.go and format.go print
// qstat's formats; supervise.go and launch.go run jobs. The command-line
// rules themselves are in the pbssyntax package.
package main
