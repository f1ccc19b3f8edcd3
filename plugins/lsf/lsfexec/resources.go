package lsfexec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// keyDescriptions say what each portable key becomes in LSF.
var keyDescriptions = map[string]string{
	sdk.KeyCPUs:             "CPU cores per task; the job asks for tasks × cpus slots (bsub -n).",
	sdk.KeyMem:              `Memory of the whole job on each host: reserved with -R "rusage[mem=N]" and enforced with -M N, N in the site's LSF_UNIT_FOR_LIMITS.`,
	sdk.KeyTime:             "Run limit (bsub -W), rounded up to whole minutes.",
	sdk.KeyGPUs:             `GPUs (bsub -gpu "num=N").`,
	sdk.KeyNodes:            `Hosts: 1 keeps the job on one host (span[hosts=1]); more spreads the tasks evenly (span[ptile=K]).`,
	sdk.KeyTasks:            "Tasks (MPI ranks); with cpus, the slots the job asks for.",
	sdk.KeyPartition:        "Queue (bsub -q).",
	sdk.KeyAccount:          "Project (bsub -P).",
	sdk.KeyConstraint:       `A host selection expression in LSF's syntax (the select[] of -R), e.g. "avx2 && mem>64000".`,
	sdk.KeyArrayParallelism: `Most array elements running at once (the %N of -J "name[1-N]%P").`,
}

// resourceKeys are the portable keys LSF can honour: all but qos, which
// LSF has no counterpart for (its service classes are a native option:
// options = { sla = "name" }).
func resourceKeys() []pluginapi.ResourceKey {
	keys := sdk.PortableKeysExcept(sdk.KeyQOS)
	for i := range keys {
		if d, ok := keyDescriptions[keys[i].Name]; ok {
			keys[i].Description = d
		}
	}
	return keys
}

// option is one bsub option: "-q" with its value ("" for a flag).
type option struct {
	Name  string
	Value string
	Flag  bool
	// Attr is the request attribute the option comes from, for diagnostics
	// about it.
	Attr string
}

// resourceOptions turns a job's parsed resources into bsub options, in the
// order the script lists them.
func resourceOptions(res sdk.Resources, cfg config) ([]option, pluginapi.Diagnostics) {
	var (
		out   []option
		diags pluginapi.Diagnostics
	)
	if q := firstNonEmpty(res.Partition, cfg.Queue); q != "" {
		if strings.ContainsAny(q, "\"'\n") {
			diags = diags.Errorf("resources.partition", "queue %q is not a queue name", q)
		}
		out = append(out, option{Name: "-q", Value: q, Attr: "resources.partition"})
	}
	if p := firstNonEmpty(res.Account, cfg.Project); p != "" {
		if strings.ContainsAny(p, " \t\n\"'") {
			diags = diags.Errorf("resources.account", "project %q contains a blank or a quote; LSF project names are single words", p)
		}
		out = append(out, option{Name: "-P", Value: p, Attr: "resources.account"})
	}

	// Slots: LSF counts slots, reflow tasks × cpus per task.
	cpus, tasks, nodes := max(res.CPUs, 1), max(res.Tasks, 1), res.Nodes
	if nodes > 1 && res.Tasks == 0 {
		tasks = nodes // one task on each host
	}
	if nodes > 1 && tasks < nodes {
		diags = diags.Errorf("resources.nodes", "%d tasks cannot spread over %d hosts; ask for at least as many tasks as nodes", tasks, nodes)
	}
	slots := tasks * cpus
	perHost := slots // slots on one host
	var span string
	switch {
	case nodes > 1:
		ptile := ceilDiv(tasks, nodes) * cpus
		perHost = ptile
		span = fmt.Sprintf("span[ptile=%d]", ptile)
	case nodes == 1 || slots > 1 && tasks == 1:
		// One task's cpus must share a host; so must everything on 1 node.
		span = "span[hosts=1]"
	}
	if slots > 1 {
		out = append(out, option{Name: "-n", Value: strconv.Itoa(slots), Attr: "resources.cpus"})
	}

	var req []string
	if c := res.Constraint; c != "" {
		if !balanced(c) || strings.ContainsAny(c, "\"\n") {
			diags = diags.Errorf("resources.constraint", "constraint %q must be an LSF select expression with balanced brackets and no double quotes", c)
		}
		req = append(req, "select["+c+"]")
	}
	if res.Memory > 0 {
		reserve := res.Memory
		if cfg.ReservePerTask {
			reserve = sdk.Memory((int64(res.Memory) + int64(perHost) - 1) / int64(perHost))
		}
		req = append(req, fmt.Sprintf("rusage[mem=%d]", reserve.In(cfg.MemUnit)))
	}
	if span != "" {
		req = append(req, span)
	}
	if len(req) > 0 {
		out = append(out, option{Name: "-R", Value: strings.Join(req, " "), Attr: "resources"})
	}
	if res.Memory > 0 && cfg.MemLimit {
		out = append(out, option{Name: "-M", Value: strconv.FormatInt(res.Memory.In(cfg.MemUnit), 10), Attr: "resources.mem"})
	}
	if res.Time > 0 {
		out = append(out, option{Name: "-W", Value: runLimit(sdk.Minutes(res.Time)), Attr: "resources.time"})
	}
	if res.GPUs > 0 {
		out = append(out, option{Name: "-gpu", Value: fmt.Sprintf("num=%d", res.GPUs), Attr: "resources.gpus"})
	}
	return out, diags
}

// runLimit writes minutes for -W, rounded up: "45", or "1:30" from an hour
// on (-W takes [hours:]minutes, never seconds).
func runLimit(m int64) string {
	if m < 60 {
		return strconv.FormatInt(m, 10)
	}
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// balanced reports whether the brackets and parentheses of s pair up.
func balanced(s string) bool {
	var stack []rune
	pairs := map[rune]rune{']': '[', ')': '('}
	for _, r := range s {
		switch r {
		case '[', '(':
			stack = append(stack, r)
		case ']', ')':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}
