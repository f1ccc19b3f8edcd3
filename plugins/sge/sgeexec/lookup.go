package sgeexec

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockSlack allows for clocks that differ between the submit host and the
// execution hosts, and for records written a little out of order.
const clockSlack = 5 * time.Minute

// qacctParallel bounds the qacct commands one Poll runs at once.
const qacctParallel = 4

// lookupRequest is the tasks Poll needs records for, with what bounds
// the search: the earliest submission among the jobs (ours) and the jobs
// that are not ours (no submission time, so no file scan bound).
type lookupRequest struct {
	want     map[taskKey]bool
	earliest time.Time
	foreign  map[int]bool
}

// lookup finds the newest accounting record of each wanted task: in the
// accounting file when the settings allow and it is readable, else with
// one `qacct -j ID` per job. Jobs that are not ours always go to qacct:
// without a submission time a file scan has no bound.
func (e *Executor) lookup(ctx context.Context, cfg *config, lr lookupRequest) (map[taskKey]acctRecord, error) {
	found := map[taskKey]acctRecord{}
	if len(lr.want) == 0 {
		return found, nil
	}
	byFile := map[taskKey]bool{}
	var byQacct []int
	useFile := cfg.Accounting != accountingQacct && cfg.accountingPath() != ""
	if useFile && cfg.Accounting == accountingAuto {
		if f, err := os.Open(cfg.accountingPath()); err != nil {
			useFile = false
		} else {
			f.Close()
		}
	}
	for k := range lr.want {
		if useFile && !lr.foreign[k.Job] {
			byFile[k] = true
		} else if !slices.Contains(byQacct, k.Job) {
			byQacct = append(byQacct, k.Job)
		}
	}
	var errs []error
	if len(byFile) > 0 {
		recs, err := scanAccounting(cfg.accountingPath(), byFile, lr.earliest.Add(-clockSlack))
		if err != nil {
			errs = append(errs, err)
		}
		for k, r := range recs {
			found[k] = r
		}
	}
	if len(byQacct) > 0 {
		slices.Sort(byQacct)
		recs, err := e.qacct(ctx, cfg, byQacct)
		if err != nil {
			errs = append(errs, err)
		}
		for _, r := range recs {
			if lr.want[r.key()] {
				found[r.key()] = r // later records are newer
			}
		}
	}
	return found, errors.Join(errs...)
}

// qacct runs `qacct -j ID` for each job, a few at a time. A job qacct does
// not know ("error: job id N not found", exit 1) is simply not found.
func (e *Executor) qacct(ctx context.Context, cfg *config, jobs []int) ([]acctRecord, error) {
	var (
		mu   sync.Mutex
		recs = make([][]acctRecord, len(jobs))
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, qacctParallel)
	)
	for i, id := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := e.command(ctx, cfg, "qacct", []string{"-j", strconv.Itoa(id)}, nil)
			if err != nil && len(res.Stdout) == 0 {
				if !qacctNotFound(res.Stderr) {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
				return
			}
			recs[i] = parseQacct(res.Stdout)
		}()
	}
	wg.Wait()
	return slices.Concat(recs...), errors.Join(errs...)
}

// qacctNotFound recognises qacct's answer for a job it has no record of.
func qacctNotFound(stderr []byte) bool {
	return strings.Contains(string(stderr), "not found")
}
