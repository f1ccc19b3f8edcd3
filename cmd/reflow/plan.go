package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/hclconfig"
	"github.com/reflow-hpc/reflow/pluginapi"
)

func newPlanCmd() *cobra.Command {
	return newRunCmd("plan", "Show what apply would run, job by job",
		`Show what reflow apply would do: every job in dependency order, array sizes
(or "sized at run time" for dynamic fan-outs), and the rendered commands with
each interpolation shell-quoted; values only known once upstream jobs finish
are shown as the expression that produces them.

Every task is marked: cached (its identity has a cache entry whose outputs
are intact), run (with the reason: new, command changed, input X changed,
upstream changed, forced, ...), or unknown until the upstream jobs that will
run have run. Arrays are summarised with counts. Nothing is run or written.

--show-native prints what each job's executor would be handed for the first
instances that would run: the command line and the complete job script with
the scheduler's directives. --detailed-exitcode exits 0 when everything is
cached and 4 when some task would run (1, 2, 3 keep their meanings).

Params are flags, as for apply: reflow plan FILE --help lists them.`, true)
}

// ctyJSON renders a value as compact JSON, for defaults and params.
func ctyJSON(v cty.Value) (string, error) {
	b, err := ctyjson.Marshal(v, v.Type())
	return string(b), err
}

// exitWouldRun is plan --detailed-exitcode's status when a task would run.
const exitWouldRun = 4

// planRun prints what apply would do, job by job in dependency order.
func planRun(cmd *cobra.Command, rf *runFlags, site *hclconfig.SiteConfig, b *hclconfig.Bound, executor string, detailed bool) error {
	ctx := cmd.Context()
	st, err := openStore(ctx, rf.store, site)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg, done, err := engineFor(rf, site, st)
	if err != nil {
		return err
	}
	defer done()
	cfg.Seed = rf.seed
	jobs, err := engine.Plan(ctx, cfg, b, rf.runID, rf.runDir, executor)
	if err != nil {
		return infraError(err)
	}
	var native map[string]*pluginapi.RenderResponse
	if rf.native {
		if native, err = engine.RenderNative(ctx, cfg, b, rf.runID, rf.runDir, executor, jobs); err != nil {
			return infraError(err)
		}
	}
	out := cmd.OutOrStdout()
	w := b.Workflow
	fmt.Fprintf(out, "workflow %s (%s) on %s\n", w.Name, w.File, executor)
	names := make([]string, 0, len(b.Params))
	for n := range b.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(out, "  param %s = %s\n", n, showValue(b.Params[n]))
	}
	total := map[string]int{}
	for _, jp := range jobs {
		printJobPlan(out, jp, detailed)
		for k, v := range jp.Counts {
			total[k] += v
		}
		if r := native[jp.Job.Name]; r != nil {
			fmt.Fprintf(out, "  native submission: %s\n", strings.Join(r.Argv, " "))
			for _, line := range strings.Split(strings.TrimRight(r.Script, "\n"), "\n") {
				fmt.Fprintf(out, "    | %s\n", line)
			}
			for _, d := range r.Diagnostics {
				fmt.Fprintf(out, "  %s\n", d)
			}
		}
	}
	fmt.Fprintf(out, "\nPlan: %s\n", planCountsText(total))
	if rf.detailed && total[engine.PlanRun]+total[engine.PlanUnknown] > 0 {
		return &silentExit{code: exitWouldRun}
	}
	return nil
}

func planCountsText(c map[string]int) string {
	var parts []string
	for _, k := range []string{engine.PlanCached, engine.PlanRun, engine.PlanUnknown, engine.PlanFails, engine.PlanSkipped} {
		if c[k] > 0 {
			label := map[string]string{engine.PlanCached: "cached", engine.PlanRun: "to run",
				engine.PlanUnknown: "known after upstream runs", engine.PlanFails: "failing", engine.PlanSkipped: "skipped"}[k]
			parts = append(parts, fmt.Sprintf("%d %s", c[k], label))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func printJobPlan(out io.Writer, jp *engine.JobPlan, detailed bool) {
	j := jp.Job
	size := "1 task"
	switch {
	case j.Kind.IsArray() && jp.Size >= 0:
		size = plural(jp.Size, "element")
	case j.Kind.IsArray():
		size = "size known at run time"
	}
	fmt.Fprintf(out, "\njob %s: %s, %s, on %s — %s\n", j.Name, j.Kind, size, jp.Executor, planCountsText(jp.Counts))
	limit := 1
	if detailed {
		limit = 3
	}
	shown := 0
	for _, it := range jp.Items {
		if it.Status == engine.PlanCached && len(jp.Items) > 1 {
			continue
		}
		if shown == limit {
			fmt.Fprintln(out, "  ...")
			break
		}
		shown++
		label := "task"
		if it.Index >= 0 {
			label = fmt.Sprintf("[%d]", it.Index)
		}
		status := it.Status
		if status == engine.PlanRun {
			status = "will run"
		}
		if len(it.Reasons) > 0 {
			status += ": " + strings.Join(it.Reasons, "; ")
		}
		fmt.Fprintf(out, "  %s %s\n", label, status)
		for _, line := range strings.Split(strings.TrimRight(it.Preview, "\n"), "\n") {
			fmt.Fprintf(out, "    %s\n", line)
		}
	}
}
