package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CacheEntry records which instance produced the outputs for an identity
// (DESIGN §6). Whether the outputs still exist unchanged is the engine's
// check: the store only remembers what they were.
type CacheEntry struct {
	Identity string
	RunID    string
	Task     string
	Index    int
	Outputs  []Output
	Result   json.RawMessage
	Created  time.Time
	LastUsed time.Time
}

const cacheColumns = `identity, run_id, task, idx, outputs, result, created_ns, last_used_ns`

func scanCache(sc interface{ Scan(...any) error }) (CacheEntry, error) {
	var (
		e                 CacheEntry
		outputs, result   sql.NullString
		created, lastUsed int64
		err               error
	)
	if err = sc.Scan(&e.Identity, &e.RunID, &e.Task, &e.Index, &outputs, &result, &created, &lastUsed); err != nil {
		return CacheEntry{}, err
	}
	if e.Outputs, err = decodeOutputs(outputs); err != nil {
		return CacheEntry{}, fmt.Errorf("cache entry %s: %w", e.Identity, err)
	}
	e.Result = rawJSON(result)
	e.Created = time.Unix(0, created)
	e.LastUsed = time.Unix(0, lastUsed)
	return e, nil
}

// CacheLookup returns the entry for identity; found is false when there
// is none.
func (t *Tx) CacheLookup(ctx context.Context, identity string) (e CacheEntry, found bool, err error) {
	e, err = scanCache(t.tx.QueryRowContext(ctx, `SELECT `+cacheColumns+` FROM cache_entries
		WHERE identity = ?`, identity))
	if errors.Is(err, sql.ErrNoRows) {
		return CacheEntry{}, false, nil
	}
	if err != nil {
		return CacheEntry{}, false, err
	}
	return e, true, nil
}

// lookupChunk is how many identities one CacheLookupMany query carries.
const lookupChunk = 5000

// CacheLookupMany looks up many identities (a fully cached re-run of
// 100,000 elements) and returns the entries found, by identity. The
// identities travel as one JSON array per chunk, so SQLite does one
// indexed join instead of one query per identity.
//
// A query far larger than the cache (planning 100,000 new elements against
// a cache of a few thousand) first reads the cache's identities, which is
// cheaper than probing its index 100,000 times, and looks up only those
// found.
func (t *Tx) CacheLookupMany(ctx context.Context, identities []string) (map[string]CacheEntry, error) {
	if len(identities) >= scanRatio*64 {
		var rows sql.NullInt64 // rowids only grow: an upper bound of the size
		if err := t.tx.QueryRowContext(ctx, `SELECT max(rowid) FROM cache_entries`).Scan(&rows); err != nil {
			return nil, err
		}
		if rows.Int64*scanRatio < int64(len(identities)) {
			known, err := t.cacheIdentities(ctx)
			if err != nil {
				return nil, err
			}
			var hits []string
			for _, id := range identities {
				if known[id] {
					hits = append(hits, id)
				}
			}
			identities = hits
		}
	}
	out := make(map[string]CacheEntry, len(identities))
	if len(identities) == 0 {
		return out, nil
	}
	// In key order, consecutive probes of the identity index land on the
	// same pages instead of all over a file larger than the page cache.
	identities = slices.Clone(identities)
	slices.Sort(identities)
	var st *sql.Stmt
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	for lo := 0; lo < len(identities); lo += lookupChunk {
		chunk, err := json.Marshal(identities[lo:min(lo+lookupChunk, len(identities))])
		if err != nil {
			return nil, err
		}
		if st == nil {
			st, err = t.tx.PrepareContext(ctx, `SELECT `+cacheColumns+` FROM cache_entries
				WHERE identity IN (SELECT value FROM json_each(?))`)
			if err != nil {
				return nil, err
			}
		}
		if err := func() error {
			rows, err := st.QueryContext(ctx, string(chunk))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				e, err := scanCache(rows)
				if err != nil {
					return err
				}
				out[e.Identity] = e
			}
			return rows.Err()
		}(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanRatio is how many times larger than the cache a CacheLookupMany
// query must be for the cache's identities to be read whole.
const scanRatio = 8

// cacheIdentities returns every identity the cache holds.
func (t *Tx) cacheIdentities(ctx context.Context) (map[string]bool, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT identity FROM cache_entries`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// CachePut stores entries, replacing any entry of the same identity (a
// forced re-run produces fresh outputs for the same identity). Created and
// LastUsed default to now.
func (t *Tx) CachePut(ctx context.Context, entries ...CacheEntry) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, `INSERT OR REPLACE INTO cache_entries (`+cacheColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	now := t.s.now()
	for _, e := range entries {
		if e.Identity == "" || e.RunID == "" || e.Task == "" {
			return fmt.Errorf("CachePut: Identity, RunID and Task are required (identity %q)", e.Identity)
		}
		if err := checkJSON("cached result of "+e.Identity, e.Result); err != nil {
			return err
		}
		outputs, err := encodeOutputs(e.Outputs)
		if err != nil {
			return fmt.Errorf("cache entry %s: %w", e.Identity, err)
		}
		if e.Created.IsZero() {
			e.Created = now
		}
		if e.LastUsed.IsZero() {
			e.LastUsed = e.Created
		}
		if _, err := st.ExecContext(ctx, e.Identity, e.RunID, e.Task, e.Index, outputs,
			jsonOrNull(e.Result), e.Created.UnixNano(), e.LastUsed.UnixNano()); err != nil {
			return fmt.Errorf("cache entry %s: %w", e.Identity, err)
		}
	}
	return nil
}

// CacheTouch marks entries as used now, which keeps them from CacheGC.
// Unknown identities are ignored.
//
// An entry used within the last TouchGranularity keeps its time: `cache gc
// --older-than` counts in days, and a fully cached re-run of 100,000
// instances right after the first run then writes nothing.
func (t *Tx) CacheTouch(ctx context.Context, identities ...string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	now := t.s.now()
	for lo := 0; lo < len(identities); lo += lookupChunk {
		chunk, err := json.Marshal(identities[lo:min(lo+lookupChunk, len(identities))])
		if err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `UPDATE cache_entries SET last_used_ns = ?
			WHERE identity IN (SELECT value FROM json_each(?)) AND last_used_ns < ?`,
			now.UnixNano(), string(chunk), now.Add(-TouchGranularity).UnixNano()); err != nil {
			return fmt.Errorf("marking cache entries used: %w", err)
		}
	}
	return nil
}

// TouchGranularity is how stale an entry's last use may be before
// CacheTouch records a new one.
const TouchGranularity = time.Hour

// CacheDelete removes entries, e.g. one whose outputs the engine found
// changed or gone. Unknown identities are ignored.
func (t *Tx) CacheDelete(ctx context.Context, identities ...string) error {
	return t.cacheExec(ctx, `DELETE FROM cache_entries WHERE identity = ?`, identities)
}

// cacheExec runs a one-identity statement for each identity; extra args
// come before the identity.
func (t *Tx) cacheExec(ctx context.Context, q string, identities []string, extra ...any) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(identities) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	args := append(extra, nil)
	for _, id := range identities {
		args[len(args)-1] = id
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("cache entry %s: %w", id, err)
		}
	}
	return nil
}

// CacheGC removes every entry last used before cutoff and returns what it
// removed, oldest first. `reflow cache gc --older-than D` passes now-D.
// Output files are not touched: they belong to their run directories.
func (t *Tx) CacheGC(ctx context.Context, cutoff time.Time) ([]CacheEntry, error) {
	if err := t.mustWrite(); err != nil {
		return nil, err
	}
	rows, err := t.tx.QueryContext(ctx, `DELETE FROM cache_entries WHERE last_used_ns < ?
		RETURNING `+cacheColumns, cutoff.UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CacheEntry
	for rows.Next() {
		e, err := scanCache(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives rows in no promised order.
	sortEntries(out)
	return out, nil
}

func sortEntries(es []CacheEntry) {
	slices.SortFunc(es, func(a, b CacheEntry) int {
		if c := a.LastUsed.Compare(b.LastUsed); c != 0 {
			return c
		}
		return strings.Compare(a.Identity, b.Identity)
	})
}
