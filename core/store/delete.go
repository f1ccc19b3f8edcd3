package store

import "context"

// DeleteInstance removes one instance and its attempt history. Only
// `reflow retry` needs it: the stand-in row of an array that never got a
// size must go, so the retried dispatcher can size the array afresh
// instead of finding a pending row at an index no element has. Deleting
// an instance that does not exist wraps ErrNotFound.
func (t *Tx) DeleteInstance(ctx context.Context, runID, task string, index int) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM instances WHERE run_id = ? AND task = ? AND idx = ?`,
		runID, task, index)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("instance %s", instanceKey(runID, task, index))
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM attempts WHERE run_id = ? AND task = ? AND idx = ?`,
		runID, task, index)
	return err
}
