package store

import (
	"context"
	"database/sql"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// A handle's opaque state is kept once per (run, handle id) in
// handle_states, not in every instance and attempt row that shares the
// handle. Every element of an array job shares its handle, and a plugin
// whose scheduler has no native arrays (Flux) keeps each element's native
// id in it: stored per row, 256 elements × 256 ids would be quadratic. Rows
// keep handle_id; readers get the state filled back in, so callers see
// whole handles either way.

// handleWriter upserts each handle's state once per call.
type handleWriter struct {
	t    *Tx
	st   *sql.Stmt
	seen map[[2]string]bool
}

func (t *Tx) handleWriter() *handleWriter {
	return &handleWriter{t: t, seen: map[[2]string]bool{}}
}

// put records h's state for run (nothing when it has none).
func (w *handleWriter) put(ctx context.Context, run string, h pluginapi.Handle) error {
	if h.ID == "" || len(h.State) == 0 {
		return nil
	}
	k := [2]string{run, h.ID}
	if w.seen[k] {
		return nil
	}
	w.seen[k] = true
	if w.st == nil {
		var err error
		if w.st, err = w.t.tx.PrepareContext(ctx, `INSERT OR REPLACE INTO handle_states (run_id, handle_id, state) VALUES (?, ?, ?)`); err != nil {
			return err
		}
	}
	_, err := w.st.ExecContext(ctx, run, h.ID, h.State)
	return err
}

func (w *handleWriter) close() {
	if w.st != nil {
		w.st.Close()
	}
}

// fillHandles puts the stored states back into the handles of one run that
// have an id but no state.
func (t *Tx) fillHandles(ctx context.Context, run string, hs []*pluginapi.Handle) error {
	need := false
	for _, h := range hs {
		if h.ID != "" && len(h.State) == 0 {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT handle_id, state FROM handle_states WHERE run_id = ?`, run)
	if err != nil {
		return err
	}
	defer rows.Close()
	states := map[string][]byte{}
	for rows.Next() {
		var id string
		var st []byte
		if err := rows.Scan(&id, &st); err != nil {
			return err
		}
		states[id] = st
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hs {
		if h.ID != "" && len(h.State) == 0 {
			if st, ok := states[h.ID]; ok && len(st) > 0 {
				h.State = st
			}
		}
	}
	return nil
}
