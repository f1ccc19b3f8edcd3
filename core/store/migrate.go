package store

import (
	"context"
	"database/sql"
	"fmt"
)

// A migration moves the schema from version N-1 to N, where N is its
// 1-based position in migrations. Steps are appended, never edited: a store
// in the field may sit at any earlier version. The version lives in PRAGMA
// user_version, which is part of the database header and so changes in the
// same transaction as the schema.
type migration struct {
	name string
	sql  []string
}

var migrations = []migration{
	{name: "base schema", sql: schemaV1},
	{name: "attempts history", sql: schemaV2},
	{name: "listing indexes and native state", sql: schemaV3},
	{name: "handle states once per job", sql: schemaV4},
}

// LatestSchemaVersion is the newest schema version this reflow knows.
func LatestSchemaVersion() int { return len(migrations) }

// Times are INTEGER Unix nanoseconds (NULL when unknown): they sort, compare
// and survive time zones. JSON columns are TEXT. The singleton index is -1,
// not NULL, because SQLite treats NULLs as distinct in a UNIQUE key.
var schemaV1 = []string{
	`CREATE TABLE runs (
		id            TEXT PRIMARY KEY,
		workflow      TEXT NOT NULL,
		file_path     TEXT NOT NULL DEFAULT '',
		file_hash     TEXT NOT NULL DEFAULT '',
		params        TEXT NOT NULL DEFAULT '{}',
		run_dir       TEXT NOT NULL,
		cwd           TEXT NOT NULL DEFAULT '',
		executor      TEXT NOT NULL DEFAULT '',
		user_name     TEXT NOT NULL DEFAULT '',
		host          TEXT NOT NULL DEFAULT '',
		state         TEXT NOT NULL,
		reason        TEXT NOT NULL DEFAULT '',
		dispatch_mode TEXT NOT NULL DEFAULT '',
		dispatcher    TEXT,
		created_ns    INTEGER NOT NULL,
		started_ns    INTEGER,
		finished_ns   INTEGER
	)`,
	`CREATE TABLE tasks (
		run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		name     TEXT NOT NULL,
		kind     TEXT NOT NULL CHECK (kind IN ('singleton', 'array')),
		executor TEXT NOT NULL DEFAULT '',
		spec     TEXT NOT NULL DEFAULT '{}',
		PRIMARY KEY (run_id, name)
	)`,
	`CREATE TABLE dependencies (
		run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		task     TEXT NOT NULL,
		upstream TEXT NOT NULL,
		kind     TEXT NOT NULL,
		PRIMARY KEY (run_id, task, upstream, kind)
	)`,
	`CREATE TABLE instances (
		run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		task         TEXT NOT NULL,
		idx          INTEGER NOT NULL,
		attempt      INTEGER NOT NULL DEFAULT 0,
		state        TEXT NOT NULL,
		handle_id    TEXT NOT NULL DEFAULT '',
		handle_state BLOB,
		identity     TEXT NOT NULL DEFAULT '',
		result       TEXT,
		outputs      TEXT,
		exit_code    INTEGER NOT NULL DEFAULT -1,
		reason       TEXT NOT NULL DEFAULT '',
		submitted_ns INTEGER,
		started_ns   INTEGER,
		finished_ns  INTEGER,
		host         TEXT NOT NULL DEFAULT '',
		peak_memory  INTEGER NOT NULL DEFAULT 0,
		cached       INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (run_id, task, idx)
	)`,
	`CREATE TABLE cache_entries (
		identity     TEXT PRIMARY KEY,
		run_id       TEXT NOT NULL,
		task         TEXT NOT NULL,
		idx          INTEGER NOT NULL,
		outputs      TEXT,
		result       TEXT,
		created_ns   INTEGER NOT NULL,
		last_used_ns INTEGER NOT NULL
	)`,
	`CREATE TABLE leases (
		run_id       TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
		holder       TEXT NOT NULL,
		mode         TEXT NOT NULL DEFAULT '',
		acquired_ns  INTEGER NOT NULL,
		heartbeat_ns INTEGER NOT NULL,
		expires_ns   INTEGER NOT NULL
	)`,
}

// v2: one row per attempt, so retries keep the history of what failed and
// why. Instances that had already been attempted get their current attempt
// copied in, so `reflow status` shows them the same way as new ones.
var schemaV2 = []string{
	`CREATE TABLE attempts (
		run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		task         TEXT NOT NULL,
		idx          INTEGER NOT NULL,
		attempt      INTEGER NOT NULL,
		state        TEXT NOT NULL,
		handle_id    TEXT NOT NULL DEFAULT '',
		handle_state BLOB,
		exit_code    INTEGER NOT NULL DEFAULT -1,
		reason       TEXT NOT NULL DEFAULT '',
		submitted_ns INTEGER,
		started_ns   INTEGER,
		finished_ns  INTEGER,
		host         TEXT NOT NULL DEFAULT '',
		peak_memory  INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (run_id, task, idx, attempt)
	)`,
	`INSERT INTO attempts (run_id, task, idx, attempt, state, handle_id, handle_state, exit_code,
			reason, submitted_ns, started_ns, finished_ns, host, peak_memory)
		SELECT run_id, task, idx, attempt, state, handle_id, handle_state, exit_code,
			reason, submitted_ns, started_ns, finished_ns, host, peak_memory
		FROM instances WHERE attempt > 0`,
}

// v3: `reflow runs --workflow W` and "latest run in this directory" no
// longer scan every run; cache GC finds old entries by last use. (No index
// on instance state: the primary key already narrows to one run, and a
// second index would slow the 100,000-instance bulk insert by a fifth.)
// native_state keeps the
// scheduler's own word (OUT_OF_MEMORY, NODE_FAIL) for status and reports.
var schemaV3 = []string{
	`CREATE INDEX runs_by_workflow ON runs (workflow, created_ns)`,
	`CREATE INDEX runs_by_cwd ON runs (cwd, created_ns)`,
	`CREATE INDEX runs_by_dir ON runs (run_dir)`,
	`CREATE INDEX cache_by_last_used ON cache_entries (last_used_ns)`,
	`ALTER TABLE instances ADD COLUMN native_state TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE attempts ADD COLUMN native_state TEXT NOT NULL DEFAULT ''`,
}

// migrate brings db to len(steps) and returns the version it ends at. All
// pending steps run in one BEGIN IMMEDIATE transaction (db's _txlock), so
// concurrent openers of an old store queue up and the later ones find it
// migrated; a failing step leaves the store at its old version.
func migrate(ctx context.Context, db *sql.DB, path string, steps []migration) (int, error) {
	// A quick read first: the common case is "already current" and needs
	// no write lock at all.
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, err
	}
	if v > len(steps) {
		return v, &SchemaTooNewError{Path: path, Found: v, Supported: len(steps)}
	}
	if v == len(steps) {
		return v, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// Re-read under the lock: another process may have migrated meanwhile.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, err
	}
	if v > len(steps) {
		return v, &SchemaTooNewError{Path: path, Found: v, Supported: len(steps)}
	}
	for i := v; i < len(steps); i++ {
		for _, stmt := range steps[i].sql {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return 0, fmt.Errorf("migrating the store to version %d (%s): %w", i+1, steps[i].name, err)
			}
		}
	}
	// PRAGMA takes no bound parameters; the value is an int we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(steps))); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(steps), nil
}

// v4: a handle's opaque state is stored once per run and handle id (see
// handles.go) rather than in every instance and attempt row of the job.
var schemaV4 = []string{
	`CREATE TABLE handle_states (
		run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		handle_id TEXT NOT NULL,
		state     BLOB NOT NULL,
		PRIMARY KEY (run_id, handle_id)
	)`,
	`INSERT OR IGNORE INTO handle_states (run_id, handle_id, state)
		SELECT run_id, handle_id, handle_state FROM instances
		WHERE handle_id != '' AND length(handle_state) > 0`,
	`INSERT OR IGNORE INTO handle_states (run_id, handle_id, state)
		SELECT run_id, handle_id, handle_state FROM attempts
		WHERE handle_id != '' AND length(handle_state) > 0`,
	`UPDATE instances SET handle_state = NULL WHERE handle_state IS NOT NULL`,
	`UPDATE attempts SET handle_state = NULL WHERE handle_state IS NOT NULL`,
}
