package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// SingletonIndex is the Index of a singleton task's only instance. Array
// elements are 0-based. It is -1 rather than NULL because SQLite's UNIQUE
// treats NULLs as distinct, and the key (run, task, index) must be unique.
const SingletonIndex = -1

// NoExitCode marks an unknown exit code (pluginapi.NoExitCode).
const NoExitCode = pluginapi.NoExitCode

// Output is one output file recorded after success.
type Output struct {
	Path   string // absolute
	Size   int64
	MTime  time.Time
	Digest string // "sha256:…"; "" when not computed
}

// storedOutput is Output as the outputs JSON columns hold it. The mtime is
// integer nanoseconds: decoding 100,000 RFC 3339 strings on a cached
// re-run costs more than the query.
type storedOutput struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	MTimeNS int64  `json:"mtime_ns"`
	Digest  string `json:"digest,omitempty"`
}

// encodeOutputs: nil is NULL (not recorded), empty is "[]" (none).
func encodeOutputs(outs []Output) (any, error) {
	if outs == nil {
		return nil, nil
	}
	so := make([]storedOutput, len(outs))
	for i, o := range outs {
		so[i] = storedOutput{Path: o.Path, Size: o.Size, Digest: o.Digest}
		if !o.MTime.IsZero() {
			so[i].MTimeNS = o.MTime.UnixNano()
		}
	}
	b, err := json.Marshal(so)
	if err != nil {
		return nil, fmt.Errorf("outputs: %w", err)
	}
	return string(b), nil
}

func decodeOutputs(col sql.NullString) ([]Output, error) {
	if !col.Valid {
		return nil, nil
	}
	var so []storedOutput
	if err := json.Unmarshal([]byte(col.String), &so); err != nil {
		return nil, fmt.Errorf("stored outputs: %w", err)
	}
	outs := make([]Output, len(so))
	for i, o := range so {
		outs[i] = Output{Path: o.Path, Size: o.Size, Digest: o.Digest}
		if o.MTimeNS != 0 {
			outs[i].MTime = time.Unix(0, o.MTimeNS)
		}
	}
	return outs, nil
}

// Instance is one task instance: a singleton, or one element of an array.
// Its key is (RunID, Task, Index).
type Instance struct {
	RunID string
	Task  string
	Index int // SingletonIndex for a singleton
	// Attempt is the number of the latest submission, 1-based; 0 means
	// never submitted (pending, or cached/skipped without running). The
	// engine increments it when it submits; it never goes backwards.
	Attempt int
	State   InstanceState
	// Handle is the scheduler job of the current attempt (for array
	// elements, the array job's handle), persisted so a restarted
	// dispatcher reattaches instead of resubmitting.
	Handle pluginapi.Handle
	// NativeState is the scheduler's own word for the last known state.
	NativeState string
	Identity    string // cache identity hash; "" until computed
	Result      json.RawMessage
	Outputs     []Output
	// ExitCode is NoExitCode when not known. It is always stored as
	// NoExitCode while the instance is pending, submitted or running, so
	// a zero value there cannot pass for "exited 0".
	ExitCode   int
	Reason     string
	Submitted  time.Time
	Started    time.Time
	Finished   time.Time
	Host       string
	PeakMemory int64 // bytes
	// Cached is true when the outputs came from a cache entry. It is set
	// automatically for State InstanceCached.
	Cached bool
}

// Key names the instance in messages: run/task or run/task[i].
func (in Instance) Key() string { return instanceKey(in.RunID, in.Task, in.Index) }

func instanceKey(run, task string, idx int) string {
	if idx == SingletonIndex {
		return run + "/" + task
	}
	return fmt.Sprintf("%s/%s[%d]", run, task, idx)
}

// InstanceFilter selects instances for ListInstances. Zero fields do not
// filter.
type InstanceFilter struct {
	Task   string
	States []InstanceState
}

const instanceColumns = `run_id, task, idx, attempt, state, handle_id, handle_state, native_state,
	identity, result, outputs, exit_code, reason, submitted_ns, started_ns, finished_ns,
	host, peak_memory, cached`

// instanceArgs validates in and returns its column values in
// instanceColumns order, after the three key columns.
func instanceArgs(in *Instance) ([]any, error) {
	if in.RunID == "" || in.Task == "" {
		return nil, fmt.Errorf("instance %q of run %q: RunID and Task are required", in.Task, in.RunID)
	}
	if in.Index < SingletonIndex {
		return nil, fmt.Errorf("instance %s: index %d (singletons use SingletonIndex = -1)", in.Key(), in.Index)
	}
	if !in.State.Valid() {
		return nil, fmt.Errorf("instance %s: unknown state %q", in.Key(), in.State)
	}
	if in.Attempt < 0 {
		return nil, fmt.Errorf("instance %s: negative attempt %d", in.Key(), in.Attempt)
	}
	if err := checkJSON("result of "+in.Key(), in.Result); err != nil {
		return nil, err
	}
	outputs, err := encodeOutputs(in.Outputs)
	if err != nil {
		return nil, fmt.Errorf("instance %s: %w", in.Key(), err)
	}
	cached := in.Cached || in.State == InstanceCached
	exit := in.ExitCode
	if !in.State.Terminal() {
		exit = NoExitCode
	}
	// The handle's state goes to handle_states (handles.go).
	return []any{in.Attempt, string(in.State), in.Handle.ID, nil,
		in.NativeState, in.Identity, jsonOrNull(in.Result), outputs, exit, in.Reason,
		nsOrNull(in.Submitted), nsOrNull(in.Started), nsOrNull(in.Finished),
		in.Host, in.PeakMemory, cached}, nil
}

// putBatch is how many instances one INSERT statement carries. Fewer,
// larger statements cut the per-statement cost of database/sql and cgo,
// which otherwise exceeds SQLite's own work; 19 columns × 64 rows stays far
// below SQLite's limit of 32766 bound parameters.
const putBatch = 64

// PutInstances inserts new instances in bulk (prepared multi-row
// statements: 100,000 take about half a second on a small VM, see
// docs/store.md). An instance whose key exists is an error wrapping
// ErrExists: instances are created once and then changed with
// UpdateInstances, so a duplicate means an engine bug that would otherwise
// overwrite a result.
func (t *Tx) PutInstances(ctx context.Context, ins []Instance) error {
	refs := make([]*Instance, len(ins))
	for i := range ins {
		refs[i] = &ins[i]
	}
	return t.PutInstanceRefs(ctx, refs)
}

// PutInstanceRefs is PutInstances for instances the caller holds by
// reference: the dispatcher's first commit of a 100,000-element array
// would otherwise copy 30 MB of them into a slice just to insert them.
func (t *Tx) PutInstanceRefs(ctx context.Context, ins []*Instance) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	var full *sql.Stmt // prepared on first use, for putBatch rows
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	hw := t.handleWriter()
	defer hw.close()
	for i := range ins {
		if err := hw.put(ctx, ins[i].RunID, ins[i].Handle); err != nil {
			return err
		}
	}
	args := make([]any, 0, 19*putBatch)
	for lo := 0; lo < len(ins); lo += putBatch {
		batch := ins[lo:min(lo+putBatch, len(ins))]
		args = args[:0]
		for _, in := range batch {
			vals, err := instanceArgs(in)
			if err != nil {
				return err
			}
			args = append(args, in.RunID, in.Task, in.Index)
			args = append(args, vals...)
		}
		var err error
		if len(batch) == putBatch {
			if full == nil {
				if full, err = t.tx.PrepareContext(ctx, insertInstancesSQL(putBatch)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = t.tx.ExecContext(ctx, insertInstancesSQL(len(batch)), args...)
		}
		if err != nil {
			return t.explainPut(ctx, batch, err)
		}
	}
	return nil
}

func insertInstancesSQL(rows int) string {
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var b strings.Builder
	b.WriteString("INSERT INTO instances (" + instanceColumns + ") VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// explainPut names the instance of a failed multi-row INSERT: the first
// one of the batch whose key is stored already (or repeated in the batch),
// else the batch as a whole.
func (t *Tx) explainPut(ctx context.Context, batch []*Instance, err error) error {
	if !isUniqueViolation(err) {
		return fmt.Errorf("instances %s … %s: %w", batch[0].Key(), batch[len(batch)-1].Key(), err)
	}
	seen := make(map[string]bool, len(batch))
	for _, in := range batch {
		var n int
		qerr := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM instances WHERE run_id = ? AND task = ? AND idx = ?`,
			in.RunID, in.Task, in.Index).Scan(&n)
		if qerr != nil {
			return errors.Join(err, qerr)
		}
		if n > 0 || seen[in.Key()] {
			return fmt.Errorf("instance %s: %w", in.Key(), ErrExists)
		}
		seen[in.Key()] = true
	}
	return fmt.Errorf("instances %s … %s: %w", batch[0].Key(), batch[len(batch)-1].Key(), ErrExists)
}

// UpdateInstances writes back instances in bulk: every field but the key
// is replaced by the given value. Each change must follow the state
// machine (CanInstanceTransition) and keep Attempt from going backwards;
// otherwise nothing is written (the caller's Update rolls back) and the
// error is a *TransitionError. A missing instance wraps ErrNotFound.
func (t *Tx) UpdateInstances(ctx context.Context, ins []Instance) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(ins) == 0 {
		return nil
	}
	// One statement per target state, whose WHERE admits only the states
	// that may lead there: the check costs no extra query per row.
	stmts := map[InstanceState]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	hw := t.handleWriter()
	defer hw.close()
	args := make([]any, 0, 19)
	for i := range ins {
		in := &ins[i]
		vals, err := instanceArgs(in)
		if err != nil {
			return err
		}
		if err := hw.put(ctx, in.RunID, in.Handle); err != nil {
			return err
		}
		st, ok := stmts[in.State]
		if !ok {
			if st, err = t.prepareUpdate(ctx, in.State); err != nil {
				return err
			}
			stmts[in.State] = st
		}
		args = append(args[:0], vals...)
		args = append(args, in.RunID, in.Task, in.Index, in.Attempt)
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("instance %s: %w", in.Key(), err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return t.explainUpdate(ctx, in)
		}
	}
	return nil
}

func (t *Tx) prepareUpdate(ctx context.Context, to InstanceState) (*sql.Stmt, error) {
	from := append([]InstanceState{to}, instanceFrom[to]...)
	quoted := make([]string, len(from))
	for i, s := range from {
		quoted[i] = "'" + string(s) + "'" // constants of this package, no quotes inside
	}
	return t.tx.PrepareContext(ctx, `UPDATE instances SET attempt = ?, state = ?, handle_id = ?,
		handle_state = ?, native_state = ?, identity = ?, result = ?, outputs = ?, exit_code = ?,
		reason = ?, submitted_ns = ?, started_ns = ?, finished_ns = ?, host = ?, peak_memory = ?,
		cached = ?
		WHERE run_id = ? AND task = ? AND idx = ? AND attempt <= ?
		AND state IN (`+strings.Join(quoted, ", ")+`)`)
}

// explainUpdate says why an UPDATE matched no row.
func (t *Tx) explainUpdate(ctx context.Context, in *Instance) error {
	var (
		state   string
		attempt int
	)
	err := t.tx.QueryRowContext(ctx, `SELECT state, attempt FROM instances
		WHERE run_id = ? AND task = ? AND idx = ?`, in.RunID, in.Task, in.Index).Scan(&state, &attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("instance %s", in.Key())
	}
	if err != nil {
		return err
	}
	te := &TransitionError{What: "instance " + in.Key(), From: state, To: string(in.State)}
	if attempt > in.Attempt {
		te.Detail = fmt.Sprintf("attempt would go back from %d to %d", attempt, in.Attempt)
	}
	return te
}

func scanInstance(sc interface{ Scan(...any) error }) (Instance, error) {
	var (
		in                           Instance
		state                        string
		handleState                  []byte
		result, outputs              sql.NullString
		submitted, started, finished sql.NullInt64
	)
	err := sc.Scan(&in.RunID, &in.Task, &in.Index, &in.Attempt, &state, &in.Handle.ID, &handleState,
		&in.NativeState, &in.Identity, &result, &outputs, &in.ExitCode, &in.Reason,
		&submitted, &started, &finished, &in.Host, &in.PeakMemory, &in.Cached)
	if err != nil {
		return Instance{}, err
	}
	in.State = InstanceState(state)
	if len(handleState) > 0 {
		in.Handle.State = handleState
	}
	in.Result = rawJSON(result)
	if in.Outputs, err = decodeOutputs(outputs); err != nil {
		return Instance{}, fmt.Errorf("instance %s: %w", in.Key(), err)
	}
	in.Submitted = fromNS(submitted)
	in.Started = fromNS(started)
	in.Finished = fromNS(finished)
	return in, nil
}

// GetInstance returns one instance (index SingletonIndex for a singleton),
// or an error wrapping ErrNotFound.
func (t *Tx) GetInstance(ctx context.Context, runID, task string, index int) (Instance, error) {
	in, err := scanInstance(t.tx.QueryRowContext(ctx, `SELECT `+instanceColumns+` FROM instances
		WHERE run_id = ? AND task = ? AND idx = ?`, runID, task, index))
	if errors.Is(err, sql.ErrNoRows) {
		return Instance{}, notFound("instance %s", instanceKey(runID, task, index))
	}
	if err != nil {
		return in, err
	}
	return in, t.fillHandles(ctx, runID, []*pluginapi.Handle{&in.Handle})
}

// ListInstances returns a run's instances that match f, ordered by task
// name and index.
func (t *Tx) ListInstances(ctx context.Context, runID string, f InstanceFilter) ([]Instance, error) {
	q := `SELECT ` + instanceColumns + ` FROM instances WHERE run_id = ?`
	args := []any{runID}
	if f.Task != "" {
		q += " AND task = ?"
		args = append(args, f.Task)
	}
	if len(f.States) > 0 {
		q += " AND state IN (?" + strings.Repeat(", ?", len(f.States)-1) + ")"
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	// Size the result first: growing a slice of 100,000 large structs by
	// doubling costs more than the query itself.
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`, args...).Scan(&n); err != nil {
		return nil, err
	}
	q += " ORDER BY task, idx"
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Instance, 0, n)
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	hs := make([]*pluginapi.Handle, len(out))
	for i := range out {
		hs[i] = &out[i].Handle
	}
	return out, t.fillHandles(ctx, runID, hs)
}

// CountInstances returns how many of a run's instances are in each state
// (states with none are absent): progress lines and run finalisation.
func (t *Tx) CountInstances(ctx context.Context, runID string) (map[InstanceState]int, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT state, count(*) FROM instances
		WHERE run_id = ? GROUP BY state`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[InstanceState]int{}
	for rows.Next() {
		var (
			s string
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[InstanceState(s)] = n
	}
	return out, rows.Err()
}
