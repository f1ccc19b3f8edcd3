package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// Seeds write data with the SQL of the schema version they are named for,
// the way a store in the field looks before it is migrated. Never update a
// seed to a newer schema: that would stop testing the old one.
var seeds = map[int][]string{
	1: {
		`INSERT INTO runs (id, workflow, file_path, params, run_dir, cwd, state, reason, created_ns, started_ns, finished_ns)
			VALUES ('r1', 'etl', '/w/etl.hcl', '{"chunks":2}', '/w/reflow-runs/r1', '/w', 'failed', 'split failed', 1000, 2000, 9000)`,
		`INSERT INTO tasks (run_id, name, kind, spec) VALUES ('r1', 'split', 'singleton', '{"cmd":"split"}')`,
		`INSERT INTO tasks (run_id, name, kind, spec) VALUES ('r1', 'upper', 'array', '{}')`,
		`INSERT INTO dependencies VALUES ('r1', 'upper', 'split', 'gather')`,
		`INSERT INTO instances (run_id, task, idx, attempt, state, handle_id, handle_state, identity, exit_code, reason,
				submitted_ns, started_ns, finished_ns, host, peak_memory)
			VALUES ('r1', 'split', -1, 2, 'failed', '42', x'0102', 'id-split', 137, 'out of memory', 3000, 4000, 5000, 'n1', 2048)`,
		`INSERT INTO instances (run_id, task, idx, state) VALUES ('r1', 'upper', 0, 'skipped')`,
		`INSERT INTO cache_entries VALUES ('id-old', 'r0', 'split', -1, '[]', '8', 100, 200)`,
	},
}

func init() {
	// v2's seed is v1's data plus the full history v2 could record.
	seeds[2] = append(append([]string{}, seeds[1]...),
		`INSERT INTO attempts (run_id, task, idx, attempt, state, handle_id, exit_code, reason, submitted_ns, finished_ns, host)
			VALUES ('r1', 'split', -1, 1, 'failed', '41', 137, 'out of memory', 1500, 1600, 'n0')`,
		`INSERT INTO attempts (run_id, task, idx, attempt, state, handle_id, handle_state, exit_code, reason,
				submitted_ns, started_ns, finished_ns, host, peak_memory)
			VALUES ('r1', 'split', -1, 2, 'failed', '42', x'0102', 137, 'out of memory', 3000, 4000, 5000, 'n1', 2048)`)
	// v3 added indexes and a column the seed leaves at its default: the
	// same data, with the handle state still in every row (v4 moves it).
	seeds[3] = append([]string{}, seeds[2]...)
}

// rawDB opens path without migrating.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, JournalWAL, time.Second, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// storeAt creates a store at schema version v holding that version's seed.
func storeAt(t *testing.T, v int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.db")
	db := rawDB(t, path)
	defer db.Close()
	if _, err := migrate(context.Background(), db, path, migrations[:v]); err != nil {
		t.Fatalf("building a v%d store: %v", v, err)
	}
	for _, q := range seeds[v] {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("seeding v%d: %v\n%s", v, err, q)
		}
	}
	return path
}

func TestMigrateFromEveryVersion(t *testing.T) {
	if len(seeds) != LatestSchemaVersion()-1 {
		// Adding a migration means adding the seed of the version before it.
		t.Fatalf("seeds for %d versions, want one for each of 1..%d", len(seeds), LatestSchemaVersion()-1)
	}
	attempt1 := Attempt{RunID: "r1", Task: "split", Index: -1, Attempt: 1, State: InstanceFailed,
		Handle: pluginapi.Handle{ID: "41"}, ExitCode: 137, Reason: "out of memory",
		Submitted: time.Unix(0, 1500), Finished: time.Unix(0, 1600), Host: "n0"}
	attempt2 := Attempt{RunID: "r1", Task: "split", Index: -1, Attempt: 2, State: InstanceFailed,
		Handle: pluginapi.Handle{ID: "42", State: []byte{1, 2}}, ExitCode: 137, Reason: "out of memory",
		Submitted: time.Unix(0, 3000), Started: time.Unix(0, 4000), Finished: time.Unix(0, 5000),
		Host: "n1", PeakMemory: 2048}
	for v := 0; v < LatestSchemaVersion(); v++ {
		t.Run("v"+itoa(v), func(t *testing.T) {
			path := storeAt(t, v)
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.SchemaVersion() != LatestSchemaVersion() {
				t.Errorf("SchemaVersion = %d, want %d", s.SchemaVersion(), LatestSchemaVersion())
			}
			if v == 0 {
				return // a new store: nothing to preserve
			}
			err = s.View(context.Background(), func(tx *Tx) error {
				ctx := context.Background()
				run, err := tx.GetRun(ctx, "r1")
				if err != nil {
					return err
				}
				wantRun := Run{ID: "r1", Workflow: "etl", FilePath: "/w/etl.hcl", Params: []byte(`{"chunks":2}`),
					RunDir: "/w/reflow-runs/r1", Cwd: "/w", State: RunFailed, Reason: "split failed",
					Created: time.Unix(0, 1000), Started: time.Unix(0, 2000), Finished: time.Unix(0, 9000)}
				if diff := cmp.Diff(wantRun, run); diff != "" {
					t.Errorf("run (-want +got):\n%s", diff)
				}
				ins, err := tx.ListInstances(ctx, "r1", InstanceFilter{})
				if err != nil {
					return err
				}
				wantIns := []Instance{
					{RunID: "r1", Task: "split", Index: -1, Attempt: 2, State: InstanceFailed,
						Handle: pluginapi.Handle{ID: "42", State: []byte{1, 2}}, Identity: "id-split",
						ExitCode: 137, Reason: "out of memory", Submitted: time.Unix(0, 3000),
						Started: time.Unix(0, 4000), Finished: time.Unix(0, 5000), Host: "n1", PeakMemory: 2048},
					{RunID: "r1", Task: "upper", Index: 0, State: InstanceSkipped, ExitCode: -1},
				}
				if diff := cmp.Diff(wantIns, ins); diff != "" {
					t.Errorf("instances (-want +got):\n%s", diff)
				}
				// From v1 the history starts with the attempt the instance
				// held; a v2 store keeps its full history.
				wantAtt := []Attempt{attempt2}
				if v >= 2 {
					wantAtt = []Attempt{attempt1, attempt2}
				}
				att, err := tx.ListAttempts(ctx, "r1", "split", -1)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(wantAtt, att); diff != "" {
					t.Errorf("attempts (-want +got):\n%s", diff)
				}
				deps, err := tx.ListDependencies(ctx, "r1")
				if err != nil {
					return err
				}
				if diff := cmp.Diff([]Dependency{{RunID: "r1", Task: "upper", Upstream: "split", Kind: DepGather}}, deps); diff != "" {
					t.Errorf("dependencies (-want +got):\n%s", diff)
				}
				e, found, err := tx.CacheLookup(ctx, "id-old")
				if err != nil || !found {
					return errors.Join(err, errors.New("cache entry lost"))
				}
				if string(e.Result) != "8" || !e.LastUsed.Equal(time.Unix(0, 200)) {
					t.Errorf("cache entry = %+v", e)
				}
				// The v3 index serves listings by workflow.
				runs, err := tx.ListRuns(ctx, RunFilter{Workflow: "etl"})
				if err != nil || len(runs) != 1 {
					t.Errorf("ListRuns by workflow = %d runs, %v", len(runs), err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A migrated store has exactly the schema of a new one.
			if diff := cmp.Diff(schemaOf(t, s.r), schemaOf(t, openTest(t, Options{}).r)); diff != "" {
				t.Errorf("migrated schema differs from a fresh one (-migrated +fresh):\n%s", diff)
			}
		})
	}
}

func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(strings.Fields(s), " "))
	}
	return out
}

func TestMigrateFailureRollsBack(t *testing.T) {
	path := storeAt(t, 1)
	db := rawDB(t, path)
	defer db.Close()
	bad := append(append([]migration{}, migrations...), migration{name: "broken", sql: []string{
		`CREATE TABLE half_done (a)`,
		`THIS IS NOT SQL`,
	}})
	_, err := migrate(context.Background(), db, path, bad)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("migrate err = %v, want a failure naming the step", err)
	}
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != 1 {
		t.Errorf("user_version = %d after a failed migration, want 1", v)
	}
	for _, table := range []string{"attempts", "half_done"} {
		var n int
		db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, table).Scan(&n)
		if n != 0 {
			t.Errorf("table %s exists after the rolled-back migration", table)
		}
	}
}
