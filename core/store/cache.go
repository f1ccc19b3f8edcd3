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
	if err := e.fill(outputs, result, created, lastUsed); err != nil {
		return CacheEntry{}, err
	}
	return e, nil
}

// fill decodes the columns of e that need more than a copy.
func (e *CacheEntry) fill(outputs, result sql.NullString, created, lastUsed int64) error {
	var err error
	if e.Outputs, err = decodeOutputs(outputs); err != nil {
		return fmt.Errorf("cache entry %s: %w", e.Identity, err)
	}
	e.Result = rawJSON(result)
	e.Created = time.Unix(0, created)
	e.LastUsed = time.Unix(0, lastUsed)
	return nil
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
// 100,000 elements) and returns the entries found, by identity.
//
// When the query is not much smaller than the cache (CacheScanCheaper),
// the cache is read whole, in table order, keeping the entries asked for:
// on a 100,000-entry cache, SQLite probes all 100,000 identities in
// 0.63–0.75 s and reads the table in 0.02 s. Otherwise the identities
// travel as one JSON array per chunk, so SQLite does one indexed join per
// chunk instead of one query per identity.
func (t *Tx) CacheLookupMany(ctx context.Context, identities []string) (map[string]CacheEntry, error) {
	if len(identities) == 0 {
		return map[string]CacheEntry{}, nil
	}
	whole, err := t.CacheScanCheaper(ctx, len(identities))
	if err != nil {
		return nil, err
	}
	if whole {
		return t.cacheScan(ctx, identities)
	}
	out := make(map[string]CacheEntry, len(identities))
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

// scanRatio is how many cache entries per identity asked for a whole read
// of the cache may cost and still beat probing: a probe is two B-tree
// descents, a row read in order a fraction of one.
const scanRatio = 8

// scanMin is the smallest query worth asking the cache's size for.
const scanMin = 64

// CacheScanCheaper reports whether looking up n identities costs less by
// reading the whole cache than by probing its index n times.
func (t *Tx) CacheScanCheaper(ctx context.Context, n int) (bool, error) {
	if n < scanMin {
		return false, nil
	}
	var rows sql.NullInt64 // rowids only grow: an upper bound of the size
	if err := t.tx.QueryRowContext(ctx, `SELECT max(rowid) FROM cache_entries`).Scan(&rows); err != nil {
		return false, err
	}
	return rows.Int64 <= int64(n)*scanRatio, nil
}

// cacheScan reads the cache whole and keeps the entries of identities.
func (t *Tx) cacheScan(ctx context.Context, identities []string) (map[string]CacheEntry, error) {
	want := make(map[string]struct{}, len(identities))
	for _, id := range identities {
		want[id] = struct{}{}
	}
	return t.CacheScanPart(ctx, want, 0, 1)
}

// CacheScanPart reads part of the cache (the entries whose rowid is part
// modulo parts) and returns those whose identity is in want. A caller
// reads the parts in read transactions side by side: turning rows into Go
// values costs far more than SQLite's reading them, so each part costs
// its share. Rows are read as raw bytes and only those asked for are
// decoded, so the entries passed over cost no allocation.
func (t *Tx) CacheScanPart(ctx context.Context, want map[string]struct{}, part, parts int) (map[string]CacheEntry, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+cacheColumns+` FROM cache_entries WHERE rowid % ? = ?`, parts, part)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]CacheEntry, min(len(want)/parts+1, 1<<16))
	var (
		id, runID, task, outputs, result sql.RawBytes
		idx, created, lastUsed           int64
	)
	for rows.Next() {
		if err := rows.Scan(&id, &runID, &task, &idx, &outputs, &result, &created, &lastUsed); err != nil {
			return nil, err
		}
		if _, ok := want[string(id)]; !ok {
			continue
		}
		e := CacheEntry{Identity: string(id), RunID: string(runID), Task: string(task), Index: int(idx)}
		if err := e.fill(nullString(outputs), nullString(result), created, lastUsed); err != nil {
			return nil, err
		}
		out[e.Identity] = e
	}
	return out, rows.Err()
}

// nullString copies a raw column: nil is SQL NULL.
func nullString(b sql.RawBytes) sql.NullString {
	return sql.NullString{String: string(b), Valid: b != nil}
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
