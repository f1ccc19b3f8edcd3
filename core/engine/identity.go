package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/parallel"
	"github.com/reflow-hpc/reflow/core/store"
)

// The first round of a large array computes, and looks up, the identity of
// every element at once: 100,000 sets of parts to hash and 100,000 cache
// keys to find. Elements share nothing but read-only state (the digest
// cache is safe to share; a job's identity is memoised under a lock), so
// both are spread over the cores.

// parallelIdentities is the round size from which identities are computed
// on every core.
const parallelIdentities = 2048

// identify computes the identity of each ready instance, by position in
// ready: ids[i], or errs[i] when it could not be computed. With keepParts
// it also returns the parts each identity was hashed from (for the parts
// file); without, they are not kept: 100,000 of them are 15 MB, and on
// these machines fresh memory costs as much as the hashing.
func (d *dispatcher) identify(ready []readyInst, keepParts bool) (ids []string, parts []cache.Parts, errs []error) {
	ids = make([]string, len(ready))
	errs = make([]error, len(ready)) // a large zeroed slice stays untouched until a failure
	if keepParts {
		parts = make([]cache.Parts, len(ready))
	}
	parallel.Blocks(len(ready), parallelIdentities, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p, err := d.parts(ready[i].j, ready[i].in)
			if err != nil {
				errs[i] = err
				continue
			}
			ids[i] = p.Identity()
			if keepParts {
				parts[i] = p
			}
		}
	})
	return ids, parts, errs
}

// lookupShare is how many identities one read transaction looks up when a
// round's lookups are spread over the store's read connections.
const lookupShare = 25000

// lookupCache finds the cache entries of ids. Up to lookupShare of them go
// in one read transaction (CacheLookupMany picks a scan or probes). More
// are spread over the cores: as parts of one whole read of the cache when
// that is cheaper (store.Tx.CacheScanCheaper), else as read transactions
// of up to lookupShare identities each, run side by side.
func (d *dispatcher) lookupCache(ctx context.Context, ids []string) (map[string]store.CacheEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) <= lookupShare {
		var found map[string]store.CacheEntry
		err := d.cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
			found, err = tx.CacheLookupMany(ctx, ids)
			return err
		})
		return found, err
	}
	var whole bool
	err := d.cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
		whole, err = tx.CacheScanCheaper(ctx, len(ids))
		return err
	})
	if err != nil {
		return nil, err
	}
	if whole {
		return d.scanCache(ctx, ids)
	}
	var (
		mu       sync.Mutex
		entries  = make(map[string]store.CacheEntry)
		firstErr error
	)
	chunks := (len(ids) + lookupShare - 1) / lookupShare
	parallel.Blocks(chunks, 2, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			part := ids[c*lookupShare : min((c+1)*lookupShare, len(ids))]
			var found map[string]store.CacheEntry
			err := d.cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
				found, err = tx.CacheLookupMany(ctx, part)
				return err
			})
			mu.Lock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			for k, e := range found {
				entries[k] = e
			}
			mu.Unlock()
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return entries, nil
}

// scanCache reads the whole cache for ids, one part per core, each in its
// own read transaction.
func (d *dispatcher) scanCache(ctx context.Context, ids []string) (map[string]store.CacheEntry, error) {
	want := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		want[id] = struct{}{}
	}
	parts := runtime.GOMAXPROCS(0)
	found := make([]map[string]store.CacheEntry, parts)
	errs := make([]error, parts)
	parallel.Blocks(parts, 2, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			errs[p] = d.cfg.Store.View(ctx, func(tx *store.Tx) (err error) {
				found[p], err = tx.CacheScanPart(ctx, want, p, parts)
				return err
			})
		}
	})
	entries := make(map[string]store.CacheEntry, len(ids))
	for p := range parts {
		if errs[p] != nil {
			return nil, errs[p]
		}
		for k, e := range found[p] {
			entries[k] = e
		}
	}
	return entries, nil
}
