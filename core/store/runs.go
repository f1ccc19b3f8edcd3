package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Run is one execution of a workflow file.
type Run struct {
	ID       string
	Workflow string // the workflow block's name
	FilePath string // absolute path of the workflow file
	FileHash string // content digest of the file (and the flows it uses)
	Params   json.RawMessage
	RunDir   string // absolute <run root>/<id>
	Cwd      string // directory `reflow apply` ran in: "the latest run here"
	Executor string // default executor
	User     string
	Host     string // where `reflow apply` ran
	State    RunState
	Reason   string // why it failed or was cancelled
	// DispatchMode (foreground, detached, chain, resident) and Dispatcher,
	// free-form JSON about the current dispatcher (e.g. its native job id).
	DispatchMode string
	Dispatcher   json.RawMessage
	Created      time.Time // when the run was written
	Started      time.Time // when a dispatcher first started it
	Finished     time.Time // when it reached a terminal state; zero while running
}

// RunFilter selects runs for ListRuns. Zero fields do not filter.
type RunFilter struct {
	Workflow string
	State    RunState
	// Dir selects runs started in Dir (Run.Cwd) or whose RunDir is Dir or
	// lies under it.
	Dir string
	// Limit caps the number of runs; 0 means all.
	Limit int
}

// NewRunID returns a fresh run id that sorts by creation time:
// 20060102-150405-<6 hex>.
func NewRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

const runColumns = `id, workflow, file_path, file_hash, params, run_dir, cwd, executor, user_name, host,
	state, reason, dispatch_mode, dispatcher, created_ns, started_ns, finished_ns`

// CreateRun stores a new run. State defaults to running and Created to
// now. A run id that exists is ErrExists.
func (t *Tx) CreateRun(ctx context.Context, r Run) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if r.ID == "" || r.Workflow == "" || r.RunDir == "" {
		return errors.New("CreateRun: ID, Workflow and RunDir are required")
	}
	if r.State == "" {
		r.State = RunRunning
	}
	if !r.State.Valid() {
		return fmt.Errorf("CreateRun %s: unknown state %q", r.ID, r.State)
	}
	if r.Created.IsZero() {
		r.Created = t.s.now()
	}
	if len(r.Params) == 0 {
		r.Params = json.RawMessage("{}")
	}
	if err := checkJSON("run params", r.Params); err != nil {
		return err
	}
	if err := checkJSON("run dispatcher info", r.Dispatcher); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO runs (`+runColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Workflow, r.FilePath, r.FileHash, string(r.Params), r.RunDir, r.Cwd, r.Executor,
		r.User, r.Host, string(r.State), r.Reason, r.DispatchMode, jsonOrNull(r.Dispatcher),
		r.Created.UnixNano(), nsOrNull(r.Started), nsOrNull(r.Finished))
	if isUniqueViolation(err) {
		return fmt.Errorf("run %s: %w", r.ID, ErrExists)
	}
	return err
}

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var (
		r                 Run
		params            string
		state             string
		dispatcher        sql.NullString
		created           int64
		started, finished sql.NullInt64
	)
	err := sc.Scan(&r.ID, &r.Workflow, &r.FilePath, &r.FileHash, &params, &r.RunDir, &r.Cwd,
		&r.Executor, &r.User, &r.Host, &state, &r.Reason, &r.DispatchMode, &dispatcher,
		&created, &started, &finished)
	if err != nil {
		return Run{}, err
	}
	r.Params = json.RawMessage(params)
	r.State = RunState(state)
	r.Dispatcher = rawJSON(dispatcher)
	r.Created = time.Unix(0, created)
	r.Started = fromNS(started)
	r.Finished = fromNS(finished)
	return r, nil
}

// GetRun returns one run, or an error wrapping ErrNotFound.
func (t *Tx) GetRun(ctx context.Context, id string) (Run, error) {
	r, err := scanRun(t.tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, notFound("run %s", id)
	}
	return r, err
}

// UpdateRunState moves a run to a new state (see CanRunTransition; a
// forbidden change is a *TransitionError). Entering a terminal state sets
// Finished to now; going back to running clears it and the reason.
func (t *Tx) UpdateRunState(ctx context.Context, id string, state RunState, reason string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	var cur string
	err := t.tx.QueryRowContext(ctx, `SELECT state FROM runs WHERE id = ?`, id).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("run %s", id)
	}
	if err != nil {
		return err
	}
	if !CanRunTransition(RunState(cur), state) {
		detail := ""
		if RunState(cur) == RunSucceeded {
			detail = "a succeeded run is final; re-run tasks with --force-task"
		}
		return &TransitionError{What: "run " + id, From: cur, To: string(state), Detail: detail}
	}
	var finished any
	if state.Terminal() {
		finished = t.s.now().UnixNano()
		if RunState(cur) == state {
			// Re-stating a terminal state keeps the original finish time.
			_, err = t.tx.ExecContext(ctx, `UPDATE runs SET reason = ? WHERE id = ?`, reason, id)
			return err
		}
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE runs SET state = ?, reason = ?, finished_ns = ? WHERE id = ?`,
		string(state), reason, finished, id)
	return err
}

// SetRunDispatcher records the current dispatcher (mode and free-form JSON
// info) and, the first time, the run's start time.
func (t *Tx) SetRunDispatcher(ctx context.Context, id, mode string, info json.RawMessage) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkJSON("dispatcher info", info); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE runs SET dispatch_mode = ?, dispatcher = ?,
		started_ns = COALESCE(started_ns, ?) WHERE id = ?`, mode, jsonOrNull(info), t.s.now().UnixNano(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("run %s", id)
	}
	return nil
}

// ListRuns returns the runs that match f, newest first.
func (t *Tx) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var (
		where []string
		args  []any
	)
	if f.Workflow != "" {
		where = append(where, "workflow = ?")
		args = append(args, f.Workflow)
	}
	if f.State != "" {
		where = append(where, "state = ?")
		args = append(args, string(f.State))
	}
	if f.Dir != "" {
		dir := strings.TrimRight(f.Dir, "/")
		if dir == "" {
			dir = "/"
		}
		// A range on run_dir instead of LIKE: no escaping of % and _ in
		// paths, and it can use the index. '0' is the byte after '/'.
		prefix := strings.TrimSuffix(dir, "/") + "/"
		where = append(where, "(cwd = ? OR run_dir = ? OR (run_dir >= ? AND run_dir < ?))")
		args = append(args, dir, dir, prefix, strings.TrimSuffix(prefix, "/")+"0")
	}
	q := `SELECT ` + runColumns + ` FROM runs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_ns DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LatestRun returns the newest run started in dir or kept under it: what
// `reflow status` shows without a RUN argument. ErrNotFound when none.
func (t *Tx) LatestRun(ctx context.Context, dir string) (Run, error) {
	runs, err := t.ListRuns(ctx, RunFilter{Dir: dir, Limit: 1})
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, notFound("no run in %s", dir)
	}
	return runs[0], nil
}
