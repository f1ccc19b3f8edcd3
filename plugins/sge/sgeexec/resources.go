package sgeexec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// resourceKeys are the keys the plugin accepts: the portable ones except
// qos, which Grid Engine does not have. Descriptions say what each becomes.
func resourceKeys() []pluginapi.ResourceKey {
	keys := sdk.PortableKeysExcept(sdk.KeyQOS)
	desc := map[string]string{
		sdk.KeyCPUs:             "CPU cores (slots) for each task: above 1, -pe <parallel_environment> N.",
		sdk.KeyMem:              `Memory for the whole job, e.g. "4G"; requested per slot as -l <memory_resource>=mem/slots (h_vmem by default).`,
		sdk.KeyTime:             `Wall-clock limit, e.g. "90m", "2h", "HH:MM:SS"; -l h_rt (the job is killed at the limit and ends as timeout).`,
		sdk.KeyGPUs:             "GPUs for the job: -l <gpu_resource>=N; needs the gpu_resource setting.",
		sdk.KeyNodes:            "Grid Engine has no node count: 1 is accepted (a job's slots are on one host), more is refused; spread tasks with an MPI parallel environment instead.",
		sdk.KeyTasks:            "MPI ranks: -pe <mpi_parallel_environment> tasks*cpus; needs the mpi_parallel_environment setting.",
		sdk.KeyPartition:        "Queue (-q), wildcards allowed, e.g. \"all.q\" or \"*@node01\".",
		sdk.KeyAccount:          "Project (-P); it must exist in Grid Engine.",
		sdk.KeyConstraint:       `Extra resource requests in Grid Engine's syntax, passed as -l, e.g. "arch=lx-amd64" or "bigmem=true".`,
		sdk.KeyArrayParallelism: "Most tasks of an array running at once (-tc).",
	}
	for i := range keys {
		if d, ok := desc[keys[i].Name]; ok {
			keys[i].Description = d
		}
	}
	return keys
}

// vmemFloor is the job memory below which a virtual memory limit (h_vmem,
// s_vmem) is likely to stop the reflow worker: Go reserves address space
// for its heap up front, and was seen to fail under limits from 512 MB up
// to 1.2 GB (the exact point moves with the address layout).
const vmemFloor = 2 << 30

// request is a job's resources in Grid Engine's terms.
type request struct {
	// directives are the resource options in a fixed order, each an
	// option and its arguments: {"-pe", "smp", "4"}.
	directives [][]string
	// timeLimit (seconds) and memLimit (bytes, whole job) go into the
	// handle to tell a timeout from a memory kill later.
	timeLimit int64
	memLimit  int64
}

// buildRequest turns the job's resources into qsub options. Every problem
// is a diagnostic naming resources.<key>.
func buildRequest(cfg *config, spec *pluginapi.JobSpec) (request, pluginapi.Diagnostics) {
	var req request
	res, diags := sdk.ParseResources(spec.Resources, resourceKeys())
	if diags.HasErrors() {
		return req, diags
	}
	cpus := max(res.CPUs, 1)
	slots := cpus
	pe := ""
	switch {
	case res.Tasks > 0:
		if cfg.MPIPE == "" {
			diags = diags.Errorf("resources.tasks", "tasks = %d needs a parallel environment for MPI jobs: set mpi_parallel_environment in the executor \"sge\" block of the site config (ask your admins which PE spreads slots over hosts), or leave tasks out", res.Tasks)
		}
		slots, pe = res.Tasks*cpus, cfg.MPIPE
	case cpus > 1:
		if cfg.PE == "" {
			diags = diags.Errorf("resources.cpus", "cpus = %d needs a parallel environment: set parallel_environment in the executor \"sge\" block of the site config", cpus)
		}
		pe = cfg.PE
	}
	if res.Nodes > 1 {
		diags = diags.Errorf("resources.nodes", "nodes = %d: Grid Engine has no node count; ask for tasks instead, with mpi_parallel_environment set to a parallel environment that spreads slots over hosts", res.Nodes)
	}
	if pe != "" {
		req.directives = append(req.directives, []string{"-pe", pe, strconv.Itoa(slots)})
	}
	if res.Time > 0 {
		req.timeLimit = sdk.Seconds(res.Time)
		req.directives = append(req.directives, []string{"-l", "h_rt=" + sdk.FormatClock(res.Time)})
	}
	if res.Memory > 0 {
		req.memLimit = int64(res.Memory)
		if cfg.MemRes != "" {
			// Grid Engine counts memory per slot and multiplies by the
			// slots; mem is the whole job's, so divide, rounding up.
			per := (int64(res.Memory) + int64(slots) - 1) / int64(slots)
			req.directives = append(req.directives, []string{"-l", cfg.MemRes + "=" + sdk.FormatMemory(sdk.Memory(per), sdk.SGEMemory)})
			if (cfg.MemRes == "h_vmem" || cfg.MemRes == "s_vmem") && res.Memory < vmemFloor {
				diags = diags.Warnf("resources.mem", "mem = %s is requested as %s, a virtual memory limit; the reflow worker (a Go program) reserves about 1 GB of address space and may fail to start below %s", sdk.Memory(res.Memory), cfg.MemRes, sdk.Memory(vmemFloor))
			}
		} else {
			diags = diags.Warnf("resources.mem", "mem is not requested: the site set memory_resource to \"\"")
		}
	}
	if res.GPUs > 0 {
		if cfg.GPURes == "" {
			diags = diags.Errorf("resources.gpus", "gpus = %d: Grid Engine has no standard GPU resource; set gpu_resource in the executor \"sge\" block of the site config to the complex your site defines (often \"gpu\")", res.GPUs)
		} else {
			req.directives = append(req.directives, []string{"-l", fmt.Sprintf("%s=%d", cfg.GPURes, res.GPUs)})
		}
	}
	for _, kv := range [][2]string{{sdk.KeyPartition, res.Partition}, {sdk.KeyAccount, res.Account}, {sdk.KeyConstraint, res.Constraint}} {
		if strings.ContainsAny(kv[1], " \t\r\n\"'\\") {
			diags = diags.Errorf("resources."+kv[0], "%s %q must not contain spaces, quotes or backslashes: Grid Engine takes it as one word", kv[0], kv[1])
		}
	}
	if diags.HasErrors() {
		return req, diags
	}
	if res.Constraint != "" {
		req.directives = append(req.directives, []string{"-l", res.Constraint})
	}
	if q := firstNonEmpty(res.Partition, cfg.Queue); q != "" {
		req.directives = append(req.directives, []string{"-q", q})
	}
	if p := firstNonEmpty(res.Account, cfg.Project); p != "" {
		req.directives = append(req.directives, []string{"-P", p})
	}
	return req, diags
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
