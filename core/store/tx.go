package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Tx is one store transaction, handed to the function given to Update or
// View. Its methods are the store's whole data API. A Tx must not be used
// after that function returns, nor from several goroutines at once.
type Tx struct {
	tx       *sql.Tx
	s        *Store
	writable bool
}

// Update runs fn in one write transaction and commits when fn returns nil;
// any error (or panic, which is re-raised) rolls everything back. The
// transaction starts with BEGIN IMMEDIATE, so it holds the store's write
// lock from the start: concurrent writers (other dispatchers, other
// `reflow apply`) wait up to the busy timeout instead of failing. A
// dispatch round is one Update.
//
// Do not call Update or View from inside fn: the process has one write
// connection, and the nested call would wait for it forever.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.w, true, fn)
}

// View runs fn in a read-only transaction: a consistent snapshot that does
// not block writers in WAL mode. Write methods return ErrReadOnly.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.r, false, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, writable bool, fn func(*Tx) error) (err error) {
	if s.isClosed() {
		return ErrClosed
	}
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin transaction", err)
	}
	t := &Tx{tx: sqlTx, s: s, writable: writable}
	committed := false
	defer func() {
		if !committed {
			// The rollback error is secondary to whatever made us roll back.
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if !writable {
		return nil // the deferred rollback ends a read transaction
	}
	if err := sqlTx.Commit(); err != nil {
		return s.wrap("commit", err)
	}
	committed = true
	return nil
}

// wrap adds the store path and, for lock timeouts, what happened.
func (s *Store) wrap(op string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("store %s: %s: another process held the store locked for longer than the busy timeout: %w", s.path, op, err)
	}
	return fmt.Errorf("store %s: %s: %w", s.path, op, err)
}

// Now is the store's clock, for callers that timestamp inside a round.
func (t *Tx) Now() time.Time { return t.s.now() }

func (t *Tx) mustWrite() error {
	if !t.writable {
		return ErrReadOnly
	}
	return nil
}

// isUniqueViolation reports a PRIMARY KEY / UNIQUE conflict.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey || se.ExtendedCode == sqlite3.ErrConstraintUnique)
}

// --- column conversions -------------------------------------------------

// nsOrNull stores a time as Unix nanoseconds; the zero time is NULL.
func nsOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// jsonOrNull stores raw JSON as TEXT; empty is NULL ("no value").
func jsonOrNull(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.RawMessage(s.String)
}

// checkJSON rejects malformed JSON before it is stored, so every reader
// can trust the column.
func checkJSON(what string, raw json.RawMessage) error {
	if len(raw) > 0 && !json.Valid(raw) {
		return fmt.Errorf("%s is not valid JSON", what)
	}
	return nil
}

func blobOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
