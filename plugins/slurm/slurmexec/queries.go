package slurmexec

import (
	"context"
	"fmt"
	"strings"
)

// The three status sources, each one call for a whole batch of jobs.

// squeueArgs is the squeue command line for a list of job ids: every state
// (-t all keeps finished jobs Slurm still remembers, for MinJobAge), every
// partition (-a shows hidden ones too), no header, the layout's fields.
func squeueArgs(idList, cluster string) []string {
	args := []string{"--noheader", "--all", "--states=all", "--Format=" + squeueLayout.squeueFormat(), "--jobs=" + idList}
	return append(args, clusterArgs(cluster)...)
}

// sacctArgs is the sacct command line for a list of job ids: allocations
// only (-X: no step rows), parsable, no header.
func sacctArgs(idList, cluster string) []string {
	args := []string{"--allocations", "--parsable2", "--noheader", "--format=" + sacctLayout.sacctFormat(), "--jobs=" + idList}
	return append(args, clusterArgs(cluster)...)
}

// squeue asks about ids in as few calls as the command line allows (one in
// practice). A single id Slurm does not know makes squeue fail with
// "Invalid job id specified"; that is an empty answer, not an error.
func (e *Executor) squeue(ctx context.Context, cfg config, cluster string, ids []string) ([]record, error) {
	var all []record
	for _, list := range chunkIDs(ids) {
		res, err := e.run(ctx, cfg, cfg.Squeue, squeueArgs(list, cluster), nil)
		if err != nil {
			if strings.Contains(string(res.Stderr), "Invalid job id specified") {
				continue
			}
			return nil, fmt.Errorf("squeue: %s", stderrOf(err))
		}
		recs, bad := parseRecords(res.Stdout, squeueLayout, e.loc)
		e.logBad("squeue", bad)
		all = append(all, recs...)
	}
	return all, nil
}

// sacct asks the accounting database about ids. errAccountingDisabled
// says the cluster has none.
func (e *Executor) sacct(ctx context.Context, cfg config, cluster string, ids []string) ([]record, error) {
	var all []record
	for _, list := range chunkIDs(ids) {
		res, err := e.run(ctx, cfg, cfg.Sacct, sacctArgs(list, cluster), nil)
		if err != nil {
			if strings.Contains(string(res.Stderr), "accounting storage is disabled") {
				return nil, errAccountingDisabled
			}
			return nil, fmt.Errorf("sacct: %s", stderrOf(err))
		}
		recs, bad := parseRecords(res.Stdout, sacctLayout, e.loc)
		e.logBad("sacct", bad)
		all = append(all, recs...)
	}
	return all, nil
}

// maxScontrolPerPoll bounds the `scontrol show job` calls of one Poll. They
// only happen without accounting, for jobs this plugin submitted that
// squeue no longer lists, so they are rare; the bound keeps a burst of them
// (a reattach after a long pause) from making one Poll slow.
const maxScontrolPerPoll = 10

// scontrolJob asks scontrol about one job: the last way to learn the end of
// a job without accounting, while slurmctld still remembers it. scontrol
// takes one job id per call. An id Slurm does not know is an empty answer.
func (e *Executor) scontrolJob(ctx context.Context, cfg config, cluster, id string) ([]record, error) {
	args := append(clusterArgs(cluster), "--oneliner", "show", "job", id)
	res, err := e.run(ctx, cfg, cfg.Scontrol, args, nil)
	if err != nil {
		if strings.Contains(string(res.Stderr), "Invalid job id specified") {
			return nil, nil
		}
		return nil, fmt.Errorf("scontrol show job: %s", stderrOf(err))
	}
	recs, bad := parseScontrolJobs(res.Stdout, e.loc)
	e.logBad("scontrol", bad)
	return recs, nil
}

// logBad logs rows a parser could not read: a newer Slurm may print
// something unexpected, and the log is where that should show.
func (e *Executor) logBad(cmd string, bad []string) {
	for i, b := range bad {
		if i == 5 {
			e.log().Warn("more unreadable rows left out", "command", cmd, "count", len(bad)-5)
			break
		}
		e.log().Warn("unreadable status row", "command", cmd, "row", b)
	}
}
