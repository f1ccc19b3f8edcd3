package engine

import (
	"context"
	"time"

	"github.com/reflow-hpc/reflow/core/store"
)

// runRound runs one dispatch round and reports whether anything changed.
func (d *dispatcher) runRound(ctx context.Context) (bool, error) {
	// Inputs edited while the run goes on are digested afresh.
	d.digests.Rescan()
	statuses, changed, err := d.poll(ctx)
	if err != nil {
		return false, err
	}
	if d.reconcile(statuses) {
		changed = true
	}
	if d.retries() {
		changed = true
	}
	if d.cancelled || (d.cfg.FailFast && d.failed) {
		return changed, d.commit(ctx)
	}
	if d.expand() {
		changed = true
	}
	ready := d.ready()
	toRun, hits, err := d.lookups(ctx, ready)
	if err != nil {
		return changed, err
	}
	if hits {
		// Cache hits finish instances now, which may make their
		// dependents ready: the next round need not wait for the
		// scheduler, so it comes at once (a fully cached run costs no
		// poll intervals).
		changed, d.again = true, true
	}
	submitted, err := d.submit(ctx, toRun)
	if err != nil {
		return changed, err
	}
	if submitted {
		changed = true
	}
	if err := d.commitRound(ctx); err != nil {
		return changed, err
	}
	d.m.settle()
	d.report(false)
	return changed, nil
}

// commitEvery is how long a round's changes may wait in memory before they
// are committed. A stream of tiny tasks changes something every round, and
// a commit (a write transaction, its statements, the lease check) cost more
// than the rest of the round; batching them loses nothing a crash cannot
// rebuild: submissions are in the journal, and what finished is read again
// from the scheduler and the result files by the dispatcher that resumes.
const commitEvery = time.Second

// commitRound commits the round's changes when they are due: commitEvery
// after the last commit, or at once for what a resumed dispatcher could not
// rebuild (new instances, attempts sent back for a retry).
func (d *dispatcher) commitRound(ctx context.Context) error {
	if !d.mustCommit && time.Since(d.lastCommit) < commitEvery {
		return nil
	}
	return d.commit(ctx)
}

// commit writes everything the round changed in one transaction.
func (d *dispatcher) commit(ctx context.Context) error {
	// Counted first: growing a slice of 100,000 instances (the first
	// commit of a large array) copies it over and over.
	nNew, nDirty := 0, 0
	d.m.live(func(_ *job, in *inst) {
		switch {
		case in.isNew:
			nNew++
		case in.dirty:
			nDirty++
		}
	})
	added, updated := make([]*store.Instance, 0, nNew), make([]store.Instance, 0, nDirty)
	touched := make([]*inst, 0, nNew+nDirty)
	d.m.live(func(_ *job, in *inst) {
		switch {
		case in.isNew:
			added = append(added, &in.Instance)
		case in.dirty:
			updated = append(updated, in.Instance)
		default:
			return
		}
		touched = append(touched, in)
	})
	d.lastCommit, d.mustCommit = time.Now(), false
	if len(added) == 0 && len(updated) == 0 && len(d.attempts) == 0 && len(d.cachePut) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx) // a commit must land even after Ctrl-C
	err := d.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CheckLease(ctx, d.m.run.ID, d.cfg.Holder); err != nil {
			return err
		}
		if err := tx.PutInstanceRefs(ctx, added); err != nil {
			return err
		}
		if err := tx.UpdateInstances(ctx, updated); err != nil {
			return err
		}
		if err := tx.AppendAttempts(ctx, d.attempts...); err != nil {
			return err
		}
		return tx.CachePut(ctx, d.cachePut...)
	})
	if err != nil {
		return err
	}
	for _, in := range touched {
		in.isNew, in.dirty = false, false
	}
	if d.journal != nil {
		if err := d.journal.reset(); err != nil {
			return err
		}
	}
	d.attempts, d.cachePut = d.attempts[:0], d.cachePut[:0]
	return nil
}

// report tells the progress display where the run stands.
func (d *dispatcher) report(done bool) {
	if d.cfg.Progress == nil {
		d.events = d.events[:0]
		return
	}
	s := Summary{RunID: d.m.run.ID, Round: d.round, Counts: map[store.InstanceState]int{},
		Events: append([]string(nil), d.events...), Done: done, State: d.m.run.State}
	for _, j := range d.m.order {
		if j.size < 0 && len(j.insts) == 0 {
			s.Unsized = append(s.Unsized, j.hc.Name)
		}
		for state, n := range j.settledCounts {
			s.Counts[state] += n
		}
		s.Total += j.settled
		for _, in := range j.unsettled() {
			s.Counts[in.State]++
			s.Total++
		}
	}
	d.events = d.events[:0]
	d.cfg.Progress(s)
}
