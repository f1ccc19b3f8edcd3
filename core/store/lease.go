package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// Lease is a run's dispatcher lease: at most one dispatcher drives a run.
type Lease struct {
	RunID     string
	Holder    string // host:pid:random (NewHolderID)
	Mode      string // foreground, detached, chain, resident
	Acquired  time.Time
	Heartbeat time.Time
	// Expires is Heartbeat plus the holder's ttl: until then nobody else may
	// take the lease.
	Expires time.Time
}

// NewHolderID returns a dispatcher identity: host:pid:random. The random
// part tells apart two dispatchers that reuse a pid (after a reboot, or on
// two nodes with the same short host name).
func NewHolderID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// AcquireLease makes holder the run's dispatcher for ttl. It fails with a
// *LeaseHeldError while another holder's lease is live (its last heartbeat
// plus its own ttl lies in the future); an expired lease is taken over, and
// the old holder's next Heartbeat or CheckLease fails with ErrLeaseLost.
// Acquiring a lease one already holds renews it. The ttl is the holder's
// promise: it will heartbeat more often than that. A chain of detached
// dispatchers that must keep the run while none of them is alive passes
// the same holder string along and a ttl covering the gap.
func (s *Store) AcquireLease(ctx context.Context, runID, holder, mode string, ttl time.Duration) error {
	if runID == "" || holder == "" || ttl <= 0 {
		return errors.New("AcquireLease: run id, holder and a positive ttl are required")
	}
	return s.Update(ctx, func(tx *Tx) error {
		now := s.now()
		var exists int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, runID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return notFound("run %s", runID)
		}
		cur, found, err := tx.Lease(ctx, runID)
		if err != nil {
			return err
		}
		acquired := now
		if found {
			switch {
			case cur.Holder == holder:
				acquired = cur.Acquired
			case now.Before(cur.Expires):
				return &LeaseHeldError{RunID: runID, Holder: cur.Holder, Mode: cur.Mode,
					Heartbeat: cur.Heartbeat, Age: now.Sub(cur.Heartbeat), Expires: cur.Expires}
			}
		}
		_, err = tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO leases
			(run_id, holder, mode, acquired_ns, heartbeat_ns, expires_ns) VALUES (?, ?, ?, ?, ?, ?)`,
			runID, holder, mode, acquired.UnixNano(), now.UnixNano(), now.Add(ttl).UnixNano())
		return err
	})
}

// Heartbeat renews holder's lease for another ttl. It fails with a
// *LeaseLostError (errors.Is ErrLeaseLost) when the lease was taken over
// or released: the dispatcher must then stop at once, without committing.
// A holder whose lease expired but was not taken over renews it.
func (s *Store) Heartbeat(ctx context.Context, runID, holder string, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("Heartbeat: ttl must be positive")
	}
	return s.Update(ctx, func(tx *Tx) error {
		now := s.now()
		res, err := tx.tx.ExecContext(ctx, `UPDATE leases SET heartbeat_ns = ?, expires_ns = ?
			WHERE run_id = ? AND holder = ?`, now.UnixNano(), now.Add(ttl).UnixNano(), runID, holder)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.lostError(ctx, runID, holder)
		}
		return nil
	})
}

// ReleaseLease gives up holder's lease, so another dispatcher may start at
// once. Releasing a lease nobody holds is not an error; one now held by
// someone else is a *LeaseLostError and is left alone.
func (s *Store) ReleaseLease(ctx context.Context, runID, holder string) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM leases WHERE run_id = ? AND holder = ?`, runID, holder)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cur, found, err := tx.Lease(ctx, runID)
			if err != nil || !found {
				return err
			}
			return &LeaseLostError{RunID: runID, Holder: holder, NewHolder: cur.Holder}
		}
		return nil
	})
}

// Lease returns the run's lease, live or expired; found is false when
// there is none. `reflow status` shows it; compare Expires with now.
func (t *Tx) Lease(ctx context.Context, runID string) (l Lease, found bool, err error) {
	var acquired, heartbeat, expires int64
	err = t.tx.QueryRowContext(ctx, `SELECT run_id, holder, mode, acquired_ns, heartbeat_ns, expires_ns
		FROM leases WHERE run_id = ?`, runID).Scan(&l.RunID, &l.Holder, &l.Mode, &acquired, &heartbeat, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, err
	}
	l.Acquired, l.Heartbeat, l.Expires = time.Unix(0, acquired), time.Unix(0, heartbeat), time.Unix(0, expires)
	return l, true, nil
}

// CheckLease fails with a *LeaseLostError unless holder holds the run's
// lease. A dispatcher calls it first thing in each round's Update, so a
// dispatcher that was taken over cannot commit a round on top of the new
// one's: the check and the round's writes are one transaction.
func (t *Tx) CheckLease(ctx context.Context, runID, holder string) error {
	cur, found, err := t.Lease(ctx, runID)
	if err != nil {
		return err
	}
	if !found || cur.Holder != holder {
		return &LeaseLostError{RunID: runID, Holder: holder, NewHolder: cur.Holder}
	}
	return nil
}

func (t *Tx) lostError(ctx context.Context, runID, holder string) error {
	cur, _, err := t.Lease(ctx, runID)
	if err != nil {
		return err
	}
	return &LeaseLostError{RunID: runID, Holder: holder, NewHolder: cur.Holder}
}
