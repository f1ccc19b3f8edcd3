// Package store is reflow's manifest store: one SQLite database
// (mattn/go-sqlite3, so reflow needs cgo) shared by every run of every
// workflow of a user or site. It holds runs, their task specs and
// dependency edges, task instances with their job handles, the history of
// attempts, the cache index, and the dispatcher leases. See DESIGN §4 and
// docs/store.md for the user-facing side.
//
// # Opening
//
//	path, err := store.ResolvePath(flagStore, cfg.Store) // flag > $REFLOW_STORE > config > XDG
//	s, err := store.Open(ctx, path, store.Options{CreateDir: true})
//	defer s.Close()
//
// The default location is $XDG_DATA_HOME/reflow/manifest.db, else
// ~/.local/share/reflow/manifest.db. Open creates the file, migrates an
// older schema forward in one transaction, and refuses a store written by a
// newer reflow with *SchemaTooNewError. A path it cannot use (missing or
// unwritable directory, a file that is not a database) gives an *OpenError
// that names the path and says what to do.
//
// Journal mode (Options.JournalMode): "auto" uses WAL on local disk and the
// DELETE rollback journal when DetectFS finds a network or cluster
// filesystem (NFS, Lustre, GPFS, BeeGFS, CIFS/SMB, Ceph, FUSE, ...): WAL
// keeps its index in a memory-mapped -shm file, and mmap is not coherent
// across hosts on those filesystems; a rollback journal needs only file
// locks.
//
// # Transactions
//
// Every data method lives on *Tx, obtained from Update (write) or View
// (read-only snapshot):
//
//	err := s.Update(ctx, func(tx *store.Tx) error {
//		if err := tx.CheckLease(ctx, runID, holder); err != nil {
//			return err // taken over: stop, commit nothing
//		}
//		if err := tx.UpdateInstances(ctx, changed); err != nil {
//			return err
//		}
//		return tx.AppendAttempts(ctx, ended...)
//	})
//
// Update starts with BEGIN IMMEDIATE and waits up to Options.BusyTimeout
// (default 10 s) for the write lock, so concurrent reflow processes queue
// instead of failing with "database is locked". It commits when the
// function returns nil and rolls back on an error or a panic. A dispatch
// round is exactly one Update. Each Store has one write connection: never
// call Update or View inside an Update's function (it would wait for
// itself). View never blocks writers in WAL mode.
//
// Bulk methods (PutInstances, UpdateInstances, CacheLookupMany, ...) use
// prepared statements; 100,000 instances insert in about half a second.
//
// # Keys and conventions
//
//   - An instance's key is (run, task, index). A singleton's index is
//     SingletonIndex (-1), not NULL, because SQLite's UNIQUE lets NULLs
//     repeat. Array elements are 0-based engine indices.
//   - Attempt is 0 until the first submission; the engine sets it to n+1
//     when it submits again. UpdateInstances refuses to lower it.
//   - ExitCode is NoExitCode (-1) when unknown; it is forced to that while
//     an instance is pending, submitted or running.
//   - JSON fields (params, spec, result) are json.RawMessage; empty means
//     absent; malformed JSON is refused before it is stored.
//   - Times the store sets itself (Created, Finished, lease times, cache
//     use) come from Options.Now, so tests can drive a fake clock.
//
// # Instance states
//
//	from        may go to
//	pending     submitted, cached, skipped, cancelled,
//	            failed (before submission: empty fan-out, refused spec),
//	            running, succeeded (submitted and started or finished
//	            before the dispatcher's next commit)
//	submitted   running, succeeded (finished between two polls), failed,
//	            cancelled, pending (the attempt ended and a retry is due)
//	running     succeeded, failed, cancelled, pending (retry)
//	failed      pending (reflow retry / resume)
//	cancelled   pending (reflow retry / resume)
//	skipped     pending (its upstream is retried)
//	succeeded   (final)
//	cached      (final)
//
// succeeded and cached are final. Staying in the same state (to update
// other fields) is always allowed. CanInstanceTransition is the table;
// UpdateInstances enforces it in its WHERE clause, so a bad change costs no
// extra query and returns a *TransitionError (errors.Is
// ErrInvalidTransition). There is no "blocked" state: whether a pending
// instance is ready follows from its upstreams' states each round, and a
// stored copy of that fact could only go stale.
//
// Run states: running → succeeded | failed | cancelled; failed and
// cancelled may return to running (retry, resume); succeeded is final
// (CanRunTransition).
//
// # Dispatcher lease
//
// One dispatcher per run. AcquireLease(ctx, run, holder, mode, ttl)
// succeeds when there is no lease, when the caller holds it, or when the
// holder's last heartbeat plus its ttl has passed (stale: taken over). A
// live lease held by someone else gives *LeaseHeldError, whose message is
// ready for the CLI: "run X is already being dispatched by host:pid:rand
// (foreground, heartbeat 3s ago); use `reflow resume` only after it stops".
// The holder calls Heartbeat more often than ttl; once taken over, its
// Heartbeat and CheckLease fail with *LeaseLostError (errors.Is
// ErrLeaseLost) and it must stop. ReleaseLease on a clean exit.
// NewHolderID makes a host:pid:random holder id.
//
// # Who opens the store
//
// Only reflow commands (apply, the dispatcher, status, ...) open the
// store. Workers never do, and must not: there can be thousands of them on
// compute nodes at once. A worker reads its spec from <run_dir>/.reflow/
// and writes a result file that the dispatcher ingests in its next round.
// A detached dispatcher may itself run as a scheduler job on a compute
// node; that is one process per run, and the reason the store must work
// on a network filesystem.
package store
