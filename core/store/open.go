package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// EnvStore names the environment variable that overrides the store path.
const EnvStore = "REFLOW_STORE"

// DefaultBusyTimeout is how long a transaction waits for another process's
// write lock before it fails. A dispatch round holds the lock for
// milliseconds; ten seconds rides out bursts of concurrent `reflow apply`.
const DefaultBusyTimeout = 10 * time.Second

// JournalMode selects SQLite's journal mode. See docs/store.md.
type JournalMode string

const (
	// JournalAuto (the default, also ""): WAL on local disk, DELETE on a
	// network filesystem (see DetectFS).
	JournalAuto     JournalMode = "auto"
	JournalWAL      JournalMode = "wal"
	JournalDelete   JournalMode = "delete"
	JournalTruncate JournalMode = "truncate"
)

// ParseJournalMode accepts the Options.JournalMode spellings, case-insensitively;
// "" means auto. For flags and the site config.
func ParseJournalMode(s string) (JournalMode, error) {
	switch m := JournalMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", JournalAuto:
		return JournalAuto, nil
	case JournalWAL, JournalDelete, JournalTruncate:
		return m, nil
	}
	return "", fmt.Errorf("unknown store journal mode %q: use auto, wal, delete or truncate", s)
}

// Options tune Open. The zero value is right for the CLI.
type Options struct {
	// JournalMode: "" or "auto" picks WAL on local disk and DELETE on a
	// network filesystem.
	JournalMode JournalMode
	// BusyTimeout: how long to wait for another writer; 0 means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// CreateDir creates the store's directory (and parents) when missing.
	// The CLI sets it for the default location; an explicit path whose
	// directory is missing is more likely a typo, so it is an error.
	CreateDir bool
	// Now is the clock for every timestamp the store writes itself and for
	// lease expiry. nil means time.Now. Tests inject a fake clock.
	Now func() time.Time
}

// Store is an open manifest store. It is safe for concurrent use by many
// goroutines; several processes may open the same file.
type Store struct {
	path    string
	journal JournalMode // effective: wal, delete or truncate
	fs      FSInfo
	version int
	now     func() time.Time

	// w is the write pool: one connection whose transactions all start
	// with BEGIN IMMEDIATE, so a writer takes the write lock up front and
	// waits (busy timeout) instead of failing with "database is locked"
	// when it later tries to upgrade a read lock. One connection means a
	// process's own goroutines queue in Go, not in SQLite's busy loop.
	w *sql.DB
	// r is the read pool: deferred, query-only transactions, so status
	// readers never block the dispatcher's writes in WAL mode.
	r *sql.DB

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

// ResolvePath picks the store path by reflow's precedence: the --store flag,
// then $REFLOW_STORE, then the site config's store path, then
// $XDG_DATA_HOME/reflow/manifest.db, else ~/.local/share/reflow/manifest.db.
// The result is absolute. Empty arguments are skipped.
func ResolvePath(flag, config string) (string, error) {
	for _, p := range []string{flag, os.Getenv(EnvStore), config} {
		if p != "" {
			return filepath.Abs(p)
		}
	}
	// The XDG spec says a relative XDG_DATA_HOME is invalid and ignored.
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "reflow", "manifest.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("cannot place the reflow store: $HOME is not set; set %s to the store's path", EnvStore)
	}
	return filepath.Join(home, ".local", "share", "reflow", "manifest.db"), nil
}

// DefaultPath is ResolvePath without a flag or config: $REFLOW_STORE, else
// the XDG data directory.
func DefaultPath() (string, error) { return ResolvePath("", "") }

// Open opens (creating if needed) the store at path, migrates an older
// schema forward in one transaction, and refuses a store written by a newer
// reflow (*SchemaTooNewError). Problems with the path come back as
// *OpenError naming the path and what to do.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, &OpenError{Path: "(none)", Err: errors.New("empty store path"),
			Hint: "set " + EnvStore + " or pass a path"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	mode, err := ParseJournalMode(string(opts.JournalMode))
	if err != nil {
		return nil, &OpenError{Path: abs, Err: err}
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if err := checkPath(abs, opts.CreateDir); err != nil {
		return nil, err
	}
	fsInfo, err := DetectFS(filepath.Dir(abs))
	if err != nil {
		return nil, &OpenError{Path: abs, Err: err}
	}
	if mode == JournalAuto {
		mode = JournalWAL
		if fsInfo.Network {
			mode = JournalDelete
		}
	}

	s := &Store{path: abs, journal: mode, fs: fsInfo, now: now, closed: make(chan struct{})}
	if s.w, err = sql.Open("sqlite3", dsn(abs, mode, busy, false)); err != nil {
		return nil, &OpenError{Path: abs, Err: err}
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	if s.r, err = sql.Open("sqlite3", dsn(abs, mode, busy, true)); err != nil {
		s.w.Close()
		return nil, &OpenError{Path: abs, Err: err}
	}
	s.r.SetMaxOpenConns(4)
	s.r.SetMaxIdleConns(4)

	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// init connects, checks the journal mode took effect, and migrates.
func (s *Store) init(ctx context.Context) error {
	// The first connection runs the DSN's pragmas, which is where a file
	// that is not a database, or a read-only one, shows up.
	var got string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&got); err != nil {
		return openError(s.path, err)
	}
	if !strings.EqualFold(got, string(s.journal)) {
		// SQLite keeps the old mode when it cannot switch, e.g. a WAL store
		// still open elsewhere cannot go to DELETE. Report what is in force.
		s.journal = JournalMode(strings.ToLower(got))
	}
	v, err := migrate(ctx, s.w, s.path, migrations)
	if err != nil {
		var tooNew *SchemaTooNewError
		if errors.As(err, &tooNew) {
			return err
		}
		return openError(s.path, err)
	}
	s.version = v
	return nil
}

// dsn builds a mattn/go-sqlite3 URI. The path is URL-escaped so names with
// '?', '#' or '%' survive; the _-prefixed parameters are the driver's.
func dsn(path string, mode JournalMode, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	q.Set("_foreign_keys", "1")
	// 64 MiB of page cache (the default is 2 MiB): a round that writes
	// 100,000 instances then stays in memory until commit instead of
	// spilling pages to disk in the middle of the transaction.
	q.Set("_cache_size", "-65536")
	// WAL with synchronous=NORMAL cannot corrupt, it can only lose the last
	// commits on power loss; a rollback journal needs FULL for that.
	if mode == JournalWAL {
		q.Set("_synchronous", "NORMAL")
	} else {
		q.Set("_synchronous", "FULL")
	}
	if readOnly {
		q.Set("_txlock", "deferred")
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
		// Journal mode is set by the writer connection only: WAL is
		// persistent in the file, and readers never write a journal.
		q.Set("_journal_mode", strings.ToUpper(string(mode)))
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// checkPath turns the usual path problems into errors that say what to do,
// before SQLite reduces them to "unable to open database file".
func checkPath(path string, createDir bool) error {
	dir := filepath.Dir(path)
	if createDir {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return &OpenError{Path: path, Err: err,
				Hint: "create the directory yourself, or set " + EnvStore + " to a writable location"}
		}
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &OpenError{Path: path, Err: fmt.Errorf("directory %s does not exist", dir),
			Hint: "create it (mkdir -p " + dir + "), or set " + EnvStore + " to a path in an existing directory"}
	case err != nil:
		return &OpenError{Path: path, Err: err}
	case !st.IsDir():
		return &OpenError{Path: path, Err: fmt.Errorf("%s is not a directory", dir),
			Hint: "set " + EnvStore + " to a path inside a directory"}
	}
	fst, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return &OpenError{Path: path, Err: err}
	case fst.IsDir():
		return &OpenError{Path: path, Err: errors.New("it is a directory"),
			Hint: "point " + EnvStore + " at a file, e.g. " + filepath.Join(path, "manifest.db")}
	default:
		if err := checkWritable(path); err != nil {
			return &OpenError{Path: path, Err: fmt.Errorf("file is not writable: %w", err),
				Hint: "fix its permissions, or set " + EnvStore + " to a store you can write"}
		}
	}
	// SQLite creates the database and its journal/WAL files beside it.
	if err := checkWritable(dir); err != nil {
		return &OpenError{Path: path, Err: fmt.Errorf("directory %s is not writable: %w", dir, err),
			Hint: "SQLite needs to create its journal there; fix the permissions or set " + EnvStore + " elsewhere"}
	}
	return nil
}

// openError explains SQLite's open-time failures.
func openError(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return &OpenError{Path: path, Err: errors.New("the file is not an SQLite database"),
				Hint: "it is not a reflow store: move it away, or set " + EnvStore + " to another path"}
		case sqlite3.ErrCorrupt:
			return &OpenError{Path: path, Err: err,
				Hint: "the store is damaged: restore it from a backup, or move it away to start a new one"}
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
			return &OpenError{Path: path, Err: err,
				Hint: "check that the file and its directory are writable, or set " + EnvStore + " elsewhere"}
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return &OpenError{Path: path, Err: err,
				Hint: "another process held the store locked for longer than the busy timeout; try again"}
		}
	}
	return &OpenError{Path: path, Err: err}
}

// Path is the store's absolute file path.
func (s *Store) Path() string { return s.path }

// JournalMode is the journal mode in force: wal, delete or truncate.
func (s *Store) JournalMode() JournalMode { return s.journal }

// FS describes the filesystem the store lives on.
func (s *Store) FS() FSInfo { return s.fs }

// SchemaVersion is the store's schema version after migration.
func (s *Store) SchemaVersion() int { return s.version }

// Now is the store's clock (Options.Now).
func (s *Store) Now() time.Time { return s.now() }

// Close closes both connection pools. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		var errs []error
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		if s.w != nil {
			errs = append(errs, s.w.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Store) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}
