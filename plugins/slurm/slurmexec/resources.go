package slurmexec

import (
	"strconv"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// resourceKeys are the keys the plugin accepts: every portable key, with
// Slurm's meaning spelled out where users ask.
func resourceKeys() []pluginapi.ResourceKey {
	keys := sdk.PortableKeysExcept()
	slurm := map[string]string{
		sdk.KeyCPUs:       "CPUs per task (--cpus-per-task).",
		sdk.KeyMem:        `Memory per node (--mem), e.g. "512M", "4G"; rounded up to whole megabytes.`,
		sdk.KeyTime:       `Time limit (--time), e.g. "10m", "2h", "1-12:00:00"; Slurm rounds up to whole minutes.`,
		sdk.KeyGPUs:       "GPUs for the whole job (--gpus); the cluster must have GPUs as generic resources.",
		sdk.KeyNodes:      "Nodes (--nodes).",
		sdk.KeyTasks:      "Tasks, e.g. MPI ranks (--ntasks).",
		sdk.KeyPartition:  "Partition (--partition); a comma-separated list lets Slurm pick.",
		sdk.KeyAccount:    "Account charged (--account).",
		sdk.KeyQOS:        "Quality of service (--qos).",
		sdk.KeyConstraint: `Node features (--constraint), in Slurm's syntax, e.g. "intel&ib".`,
	}
	for i := range keys {
		if d, ok := slurm[keys[i].Name]; ok {
			keys[i].Description = d
		}
	}
	return keys
}

// resourceDirectives turns parsed resources into directives, in a fixed
// order, with the site's account, partition and QOS for jobs that set none.
func resourceDirectives(res sdk.Resources, cfg config) ([]directive, pluginapi.Diagnostics) {
	var (
		out   []directive
		diags pluginapi.Diagnostics
	)
	num := func(name string, n int) {
		if n > 0 {
			out = append(out, directive{Name: name, Value: strconv.Itoa(n)})
		}
	}
	text := func(name, key, v, site string) {
		if v == "" {
			v = site
		}
		if v == "" {
			return
		}
		if why := badDirectiveValue(v); why != "" {
			diags = diags.Errorf("resources."+key, "%s %q %s, which an #SBATCH line cannot carry", key, v, why)
			return
		}
		out = append(out, directive{Name: name, Value: v})
	}
	num("nodes", res.Nodes)
	num("ntasks", res.Tasks)
	num("cpus-per-task", res.CPUs)
	if res.Memory > 0 {
		out = append(out, directive{Name: "mem", Value: sdk.FormatMemory(res.Memory, sdk.SlurmMemory)})
	}
	if res.Time > 0 {
		out = append(out, directive{Name: "time", Value: sdk.FormatSlurmTime(res.Time)})
	}
	num("gpus", res.GPUs)
	text("partition", sdk.KeyPartition, res.Partition, cfg.Partition)
	text("account", sdk.KeyAccount, res.Account, cfg.Account)
	text("qos", sdk.KeyQOS, res.QOS, cfg.QOS)
	text("constraint", sdk.KeyConstraint, res.Constraint, "")
	return out, diags
}
