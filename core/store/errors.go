package store

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Test for them with errors.Is; the concrete errors below
// carry the details a CLI prints.
var (
	// ErrNotFound: the run, instance, lease or cache entry does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: PutInstances or CreateRun met a key that is already stored.
	ErrExists = errors.New("already exists")
	// ErrReadOnly: a write method was called inside View.
	ErrReadOnly = errors.New("write inside a read-only transaction (use Store.Update)")
	// ErrClosed: the Store was used after Close.
	ErrClosed = errors.New("store is closed")
	// ErrLeaseLost: the caller no longer holds the run's dispatcher lease.
	ErrLeaseLost = errors.New("dispatcher lease lost")
	// ErrInvalidTransition: a state change the state machine forbids.
	ErrInvalidTransition = errors.New("invalid state transition")
)

// OpenError explains why a store could not be opened and what to do about it.
type OpenError struct {
	Path string
	// Err is the underlying cause.
	Err error
	// Hint says what the user can do ("create the directory", ...).
	Hint string
}

func (e *OpenError) Error() string {
	msg := fmt.Sprintf("cannot open the reflow store %s: %v", e.Path, e.Err)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *OpenError) Unwrap() error { return e.Err }

// SchemaTooNewError: the store was written by a newer reflow. Opening it
// with an older one could corrupt data the older code does not understand,
// so Open refuses.
type SchemaTooNewError struct {
	Path      string
	Found     int // schema version in the file
	Supported int // newest version this reflow knows
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the reflow store %s has schema version %d, but this reflow only knows versions up to %d: "+
		"it was written by a newer reflow; upgrade reflow, or point REFLOW_STORE at another store",
		e.Path, e.Found, e.Supported)
}

// LeaseHeldError: another dispatcher holds a live lease on the run.
type LeaseHeldError struct {
	RunID  string
	Holder string // host:pid:random of the live dispatcher
	Mode   string
	// Heartbeat is the holder's last heartbeat; Age is how long ago that was.
	Heartbeat time.Time
	Age       time.Duration
	Expires   time.Time
}

func (e *LeaseHeldError) Error() string {
	mode := ""
	if e.Mode != "" {
		mode = e.Mode + ", "
	}
	return fmt.Sprintf("run %s is already being dispatched by %s (%sheartbeat %s ago); use `reflow resume` only after it stops",
		e.RunID, e.Holder, mode, e.Age.Round(time.Second))
}

// LeaseLostError: a Heartbeat, CheckLease or ReleaseLease by a holder that
// no longer holds the lease, because another dispatcher took it over (or it
// was released). The old dispatcher must stop without committing anything.
type LeaseLostError struct {
	RunID  string
	Holder string // the caller
	// NewHolder is who holds the lease now; empty when nobody does.
	NewHolder string
}

func (e *LeaseLostError) Error() string {
	if e.NewHolder == "" {
		return fmt.Sprintf("%s no longer holds the dispatcher lease of run %s (released)", e.Holder, e.RunID)
	}
	return fmt.Sprintf("%s no longer holds the dispatcher lease of run %s: %s took it over", e.Holder, e.RunID, e.NewHolder)
}

func (e *LeaseLostError) Is(target error) bool { return target == ErrLeaseLost }

// TransitionError: UpdateRunState or UpdateInstances asked for a state change
// the state machine forbids (for example succeeded → running).
type TransitionError struct {
	What string // "run R" or "instance R/T[3]"
	From string
	To   string
	// Detail adds why, e.g. an attempt number going backwards.
	Detail string
}

func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("%s: cannot go from %s to %s", e.What, e.From, e.To)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// notFound wraps ErrNotFound with what was looked for.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrNotFound)
}
