package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// lookups computes the identity of every ready instance and satisfies from
// the cache those whose identity has an entry with outputs still intact.
// It returns the instances that must run.
func (d *dispatcher) lookups(ctx context.Context, ready []readyInst) ([]readyInst, bool, error) {
	if len(ready) == 0 {
		return nil, false, nil
	}
	var ids []string
	var parts []partsRecord
	idents, idParts, errs := d.identify(ready, true)
	for i, r := range ready {
		if errs[i] != nil {
			// An input that cannot be read fails the instance now, with
			// the file named, rather than in the worker later.
			r.in.set(store.InstanceFailed, errs[i].Error())
			d.failed = true
			continue
		}
		id := idents[i]
		if r.in.Identity != id {
			r.in.Identity = id
			r.in.dirty = true
			// Only when the identity changes: an instance held back by
			// max_queued is looked up every round but recorded once.
			parts = append(parts, partsRecord{&idParts[i], id})
		}
		if d.cacheable(r.j) {
			ids = append(ids, id)
		}
	}
	// The parts go to a file while the store looks the identities up.
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		d.recordParts(parts)
	}()
	entries, err := d.lookupCache(ctx, ids)
	<-recorded
	if err != nil {
		return nil, false, err
	}
	var toRun []readyInst
	var touch []string
	hits := false
	for _, r := range ready {
		if r.in.State != store.InstancePending {
			continue
		}
		e, ok := entries[r.in.Identity]
		if ok && d.cacheable(r.j) {
			if ok, _ := cache.Verify(runspecOutputs(e.Outputs), d.verifyMode()); ok {
				r.in.set(store.InstanceCached, fmt.Sprintf("cached from run %s", e.RunID))
				r.in.Outputs, r.in.Result, r.in.ExitCode = e.Outputs, e.Result, 0
				d.m.record(r.j, r.in)
				if time.Since(e.LastUsed) >= store.TouchGranularity {
					// Recently used entries keep their time
					// (CacheTouch); a re-run right after the
					// first writes nothing.
					touch = append(touch, e.Identity)
				}
				hits = true
				continue
			}
		}
		toRun = append(toRun, r)
	}
	if len(touch) > 0 {
		if err := d.cfg.Store.Update(ctx, func(tx *store.Tx) error { return tx.CacheTouch(ctx, touch...) }); err != nil {
			return nil, hits, err
		}
	}
	return toRun, hits, nil
}

func (d *dispatcher) cacheable(j *job) bool {
	return j.hc.Cache && !d.cfg.Force && !d.cfg.ForceTasks[j.hc.Name]
}

// parts collects what an instance's cache identity is computed from: the
// upstream instances it reads contribute their own identities, computed
// once each, so the cost is linear in the size of the run.
func (d *dispatcher) parts(j *job, in *inst) (cache.Parts, error) {
	return cache.FromInstance(in.hc, j.hc.Version, d.digests, func(r hclconfig.Ref) (string, error) {
		up := d.m.jobs[r.Job]
		if r.Index < 0 {
			return d.jobIdentity(up), nil
		}
		ui := up.at(r.Index)
		if ui == nil || ui.Identity == "" {
			return "", fmt.Errorf("upstream %s[%d] has no identity yet", r.Job, r.Index)
		}
		return ui.Identity, nil
	})
}

// jobIdentity is the identity of a whole job, computed once when it is
// done. Identities are computed on several goroutines (identify), so the
// memo is filled under a lock.
func (d *dispatcher) jobIdentity(j *job) string {
	d.idMu.Lock()
	defer d.idMu.Unlock()
	if j.identity != "" {
		return j.identity
	}
	ids := make([]string, len(j.insts))
	for i, in := range j.insts {
		ids[i] = in.Identity
	}
	if !j.isArray() && len(ids) == 1 {
		j.identity = ids[0]
	} else {
		j.identity = cache.Combine(ids)
	}
	return j.identity
}

func (d *dispatcher) verifyMode() cache.VerifyMode {
	if d.cfg.VerifyContent {
		return cache.VerifyContent
	}
	return cache.VerifyMtime
}
