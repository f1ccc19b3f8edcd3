// Command flux is reflow's strict test double for the Flux resource
// manager. One binary answers as `flux` with the subcommands the flux
// executor plugin uses: submit, batch, jobs, cancel, version, and
// `job id`.
//
// It refuses every command line the real flux-core (0.50–0.79, and 0.80+
// where behaviour changed) would refuse, with Flux's error text and exit
// status (package fluxsyntax holds those rules), and it really runs the
// jobs it accepts: a broker process, started on demand and detached in a
// session of its own, holds the queue, starts jobs when their
// dependencies and the emulated cores allow, enforces time limits, carries
// out cancels, and records each job's end the way Flux reports it.
//
// All state lives in $REFLOW_DOUBLE_STATE (the double refuses to run
// without it), guarded by a lock file so concurrent invocations are safe:
//
//	lock                 flock(2) guard for every read and write of the state
//	instance.json        the instance's start time and the last job id issued
//	jobs/<id>.json       one job record (decimal id), written atomically
//	new/<id>             a submitted job the broker has not picked up yet
//	cancel/<id>          a cancel request (the file holds the note)
//	out/<id>.out         output of a job without --output (Flux keeps it in the KVS)
//	broker.lock          held by the running broker for its whole life
//	broker.log           the broker's own log
//
// Environment:
//
//	REFLOW_DOUBLE_STATE          the state directory (required)
//	REFLOW_DOUBLE_FLUX_VERSION   the flux-core release to emulate (default 0.79.0)
//	REFLOW_DOUBLE_HISTORY        how long inactive jobs are kept before they are
//	                             purged, e.g. "2s" (default: kept forever)
//	REFLOW_DOUBLE_NODES          nodes of the emulated instance (default 4)
//	REFLOW_DOUBLE_CORES_PER_NODE cores per node (default 4)
//	REFLOW_DOUBLE_GPUS_PER_NODE  GPUs per node (default 0)
//	REFLOW_DOUBLE_KILL_GRACE     SIGTERM/SIGALRM to SIGKILL delay (default 5s)
//	REFLOW_DOUBLE_MAX_ACTIVE     refuse submissions beyond this many active jobs
//	                             with "user has max active jobs", as a
//	                             flux-accounting limit does (wording unverified)
//	REFLOW_DOUBLE_ROLE=shutdown  kill every job and the broker, then exit
//	                             (tests call it before removing the state)
package main
