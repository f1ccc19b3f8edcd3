package slurmexec

import (
	"context"
	"errors"
	"fmt"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// upstream verdicts.
type verdict int

const (
	pendingUp  verdict = iota // Slurm knows the job: let it decide
	satisfied                 // ended so that the dependency holds
	neverHolds                // ended so that it never will
	unknownUp                 // Slurm does not know the job
)

// resolveUpstream looks at every upstream job of a submission before it is
// submitted, with one squeue (and, for jobs squeue no longer lists, one
// sacct). Slurm treats a dependency on a job it has forgotten as satisfied,
// so a dependency on an upstream that left Slurm's memory is settled here:
// dropped when it holds, refused when it never can or the job is unknown.
// retry is set when Slurm could not be asked.
func (e *Executor) resolveUpstream(ctx context.Context, cfg config, cl clusterInfo, plan depPlan) (depPlan, pluginapi.Diagnostics, bool) {
	var diags pluginapi.Diagnostics
	byCluster := map[string][]string{}
	for _, it := range plan.Items {
		byCluster[it.State.Cluster] = append(byCluster[it.State.Cluster], it.ID)
	}
	views := map[string]*jobView{}
	for cluster, ids := range byCluster {
		recs, err := e.squeue(ctx, cfg, cluster, ids)
		if err != nil {
			return plan, diags.Warnf("", "cannot check the upstream jobs: %v", err), true
		}
		addViews(views, recs, true, nil)
		var gone []string
		for _, id := range ids {
			if views[id].empty() {
				gone = append(gone, id)
			}
		}
		if len(gone) == 0 || !e.accountingOn(cfg, cl) {
			continue
		}
		recs, err = e.sacct(ctx, cfg, cluster, gone)
		switch {
		case errors.Is(err, errAccountingDisabled):
			e.noteAccountingDisabled()
		case err != nil:
			return plan, diags.Warnf("", "cannot check the upstream jobs: %v", err), true
		default:
			addViews(views, recs, false, nil)
		}
	}

	verdicts := make([]verdict, len(plan.Items))
	why := make([]string, len(plan.Items))
	for i, it := range plan.Items {
		verdicts[i], why[i] = judge(it, views[it.ID])
	}
	var keep []depItem
	for i, it := range plan.Items {
		attr := fmt.Sprintf("dependencies[%d]", it.At)
		switch verdicts[i] {
		case satisfied:
			if plan.AnyOf {
				return depPlan{}, diags, false // one member holds: the group holds
			}
		case pendingUp:
			keep = append(keep, it)
		case neverHolds:
			if !plan.AnyOf {
				diags = append(diags, pluginapi.Diagnostic{Attribute: attr,
					Summary: fmt.Sprintf("dependency can never be satisfied: upstream job %s %s", it.ID, why[i]),
					Detail:  "Slurm no longer holds the upstream job, so the result is settled; this job is not submitted."})
			}
		case unknownUp:
			diags = append(diags, pluginapi.Diagnostic{Attribute: attr + ".handle",
				Summary: fmt.Sprintf("Slurm does not know upstream job %s", it.ID),
				Detail: "It left Slurm's memory (MinJobAge) and accounting has no record of it, or it never existed. " +
					"Slurm treats a dependency on a job it does not know as satisfied and would start this job at once, so it is not submitted."})
		}
	}
	if plan.AnyOf && len(keep) == 0 && !diags.HasErrors() {
		diags = diags.Errorf(fmt.Sprintf("dependencies[%d]", plan.Items[0].At),
			"dependency can never be satisfied: every upstream job of the any-of group ended without satisfying it")
	}
	return depPlan{Items: keep, AnyOf: plan.AnyOf}, diags, false
}

// judge decides one dependency from what Slurm says of its upstream job.
func judge(it depItem, v *jobView) (verdict, string) {
	if v.empty() {
		return unknownUp, ""
	}
	if v.live {
		return pendingUp, "" // slurmctld holds it and decides correctly
	}
	st := v.status(it.State, it.Ours, pluginapi.Status{State: pluginapi.StateUnknown})
	if !st.State.Terminal() {
		return unknownUp, "" // a stale accounting record of a job Slurm forgot
	}
	if it.Kind == pluginapi.AfterAny || st.State == pluginapi.StateCompleted {
		return satisfied, ""
	}
	return neverHolds, fmt.Sprintf("ended %s (%s)", st.State, st.Reason)
}

// noteAccountingDisabled remembers that sacct said the cluster has no
// accounting, so Poll stops asking it.
func (e *Executor) noteAccountingDisabled() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.acctDisabled {
		e.acctDisabled = true
		e.log().Warn("sacct says accounting storage is disabled; jobs that leave the queue are followed with scontrol, then declared vanished")
	}
}
