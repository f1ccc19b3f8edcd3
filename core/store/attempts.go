package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Attempt is the history record of one attempt (one submission) of an
// instance: what ran, where, and how it ended. The instance row holds the
// latest attempt; attempts keep all of them, so a retried OOM still shows
// in `reflow status` and reports.
type Attempt struct {
	RunID       string
	Task        string
	Index       int
	Attempt     int // 1-based
	State       InstanceState
	Handle      pluginapi.Handle
	NativeState string
	ExitCode    int
	Reason      string
	Submitted   time.Time
	Started     time.Time
	Finished    time.Time
	Host        string
	PeakMemory  int64
}

// AttemptRecord is the history record of the instance's current attempt.
func (in Instance) AttemptRecord() Attempt {
	return Attempt{RunID: in.RunID, Task: in.Task, Index: in.Index, Attempt: in.Attempt,
		State: in.State, Handle: in.Handle, NativeState: in.NativeState, ExitCode: in.ExitCode,
		Reason: in.Reason, Submitted: in.Submitted, Started: in.Started, Finished: in.Finished,
		Host: in.Host, PeakMemory: in.PeakMemory}
}

const attemptColumns = `run_id, task, idx, attempt, state, handle_id, handle_state, native_state,
	exit_code, reason, submitted_ns, started_ns, finished_ns, host, peak_memory`

// AppendAttempts records attempts. Recording an attempt number again
// replaces its record, so the engine may write an attempt when it submits
// and again when it ends.
func (t *Tx) AppendAttempts(ctx context.Context, as ...Attempt) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, `INSERT OR REPLACE INTO attempts (`+attemptColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	hw := t.handleWriter()
	defer hw.close()
	for _, a := range as {
		key := instanceKey(a.RunID, a.Task, a.Index)
		if a.RunID == "" || a.Task == "" || a.Attempt < 1 {
			return fmt.Errorf("AppendAttempts: %s attempt %d: RunID, Task and an attempt ≥ 1 are required", key, a.Attempt)
		}
		if !a.State.Valid() {
			return fmt.Errorf("AppendAttempts: %s attempt %d: unknown state %q", key, a.Attempt, a.State)
		}
		exit := a.ExitCode
		if !a.State.Terminal() {
			exit = NoExitCode // as for instances: no "exited 0" before the end
		}
		if err := hw.put(ctx, a.RunID, a.Handle); err != nil {
			return err
		}
		_, err := st.ExecContext(ctx, a.RunID, a.Task, a.Index, a.Attempt, string(a.State),
			a.Handle.ID, nil, a.NativeState, exit, a.Reason,
			nsOrNull(a.Submitted), nsOrNull(a.Started), nsOrNull(a.Finished), a.Host, a.PeakMemory)
		if err != nil {
			return fmt.Errorf("attempt %d of %s: %w", a.Attempt, key, err)
		}
	}
	return nil
}

// ListAttempts returns the attempts of one instance by attempt number.
// With task "" it returns every attempt of the run (index is then
// ignored), ordered by task, index and attempt.
func (t *Tx) ListAttempts(ctx context.Context, runID, task string, index int) ([]Attempt, error) {
	q := `SELECT ` + attemptColumns + ` FROM attempts WHERE run_id = ?`
	args := []any{runID}
	if task != "" {
		q += " AND task = ? AND idx = ?"
		args = append(args, task, index)
	}
	q += " ORDER BY task, idx, attempt"
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		var (
			a                            Attempt
			state                        string
			hs                           []byte
			submitted, started, finished sql.NullInt64
		)
		if err := rows.Scan(&a.RunID, &a.Task, &a.Index, &a.Attempt, &state, &a.Handle.ID, &hs,
			&a.NativeState, &a.ExitCode, &a.Reason, &submitted, &started, &finished,
			&a.Host, &a.PeakMemory); err != nil {
			return nil, err
		}
		a.State = InstanceState(state)
		if len(hs) > 0 {
			a.Handle.State = hs
		}
		a.Submitted, a.Started, a.Finished = fromNS(submitted), fromNS(started), fromNS(finished)
		out = append(out, a)
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
