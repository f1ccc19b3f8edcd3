package pbsexec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// resourceKeys are the portable keys PBS can honour. qos is left out: PBS
// has no quality of service, and a key that silently meant nothing would
// be worse than a clear "unknown resource key".
func resourceKeys() []pluginapi.ResourceKey {
	keys := sdk.PortableKeysExcept(sdk.KeyQOS)
	for i := range keys {
		switch keys[i].Name {
		case sdk.KeyPartition:
			keys[i].Description = "Queue to submit to (-q)."
		case sdk.KeyAccount:
			keys[i].Description = "Account charged (-A; -P with account_flag = \"P\")."
		case sdk.KeyConstraint:
			keys[i].Description = `Node properties: OpenPBS chunk resources "name=value" joined by ':' (a bare name means name=true); Torque node features joined by ':'.`
		case sdk.KeyGPUs:
			keys[i].Description = "GPUs for the job, spread evenly over its nodes (OpenPBS ngpus, Torque gpus)."
		}
	}
	return keys
}

var (
	chunkResRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(=[A-Za-z0-9_.+-]+)?$`)
	featureRE  = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)
)

// request is a job's resources translated for PBS.
type request struct {
	res sdk.Resources
	// nodes and perNode* describe the chunks: one chunk per node.
	nodes, cpusPerNode, tasksPerNode, gpusPerNode int
	constraint                                    []string // chunk terms (OpenPBS) or features (Torque)
}

// parseRequest validates the resources against the dialect.
func parseRequest(spec pluginapi.JobSpec, dialect string) (request, pluginapi.Diagnostics) {
	res, diags := sdk.ParseResources(spec.Resources, resourceKeys())
	r := request{res: res, nodes: 1}
	if res.Nodes > 0 {
		r.nodes = res.Nodes
	}
	cpus := max(res.CPUs, 1)
	if res.Tasks > 0 {
		r.tasksPerNode = (res.Tasks + r.nodes - 1) / r.nodes
		if res.Tasks%r.nodes != 0 {
			diags = diags.Warnf("resources.tasks", "%d tasks do not split evenly over %d nodes; asking for %d per node", res.Tasks, r.nodes, r.tasksPerNode)
		}
		if res.Tasks < r.nodes {
			diags = diags.Errorf("resources.tasks", "%d tasks cannot fill %d nodes; ask for at least one task per node", res.Tasks, r.nodes)
		}
	}
	r.cpusPerNode = cpus * max(r.tasksPerNode, 1)
	if res.GPUs > 0 {
		r.gpusPerNode = (res.GPUs + r.nodes - 1) / r.nodes
		if res.GPUs%r.nodes != 0 {
			diags = diags.Warnf("resources.gpus", "%d GPUs do not split evenly over %d nodes; asking for %d per node", res.GPUs, r.nodes, r.gpusPerNode)
		}
	}
	if c := res.Constraint; c != "" {
		for _, term := range strings.Split(c, ":") {
			term = strings.TrimSpace(term)
			ok := chunkResRE.MatchString(term)
			if dialect == dialectTorque {
				ok = featureRE.MatchString(term)
			}
			if !ok {
				want := `chunk resources "name=value" or bare names joined by ':', e.g. "model=skylake:bigmem"`
				if dialect == dialectTorque {
					want = `node features joined by ':', e.g. "bigmem:ib"`
				}
				diags = diags.Errorf("resources.constraint", "invalid constraint %q: want %s", c, want)
				break
			}
			if dialect == dialectOpenPBS && !strings.Contains(term, "=") {
				term += "=true"
			}
			switch strings.SplitN(term, "=", 2)[0] {
			case "ncpus", "mem", "ngpus", "mpiprocs", "select", "place", "walltime", "nodes", "ppn", "gpus":
				diags = diags.Errorf("resources.constraint", "constraint %q sets %q, which reflow derives from cpus, mem, gpus, tasks and nodes; use those keys", c, term)
			}
			r.constraint = append(r.constraint, term)
		}
	}
	return r, diags
}

// directives are the -l lines for the request, without walltime.
func (r request) directives(dialect string) []string {
	if dialect == dialectTorque {
		spec := fmt.Sprintf("nodes=%d:ppn=%d", r.nodes, r.cpusPerNode)
		if r.gpusPerNode > 0 {
			spec += ":gpus=" + strconv.Itoa(r.gpusPerNode)
		}
		for _, f := range r.constraint {
			spec += ":" + f
		}
		out := []string{spec}
		if r.res.Memory > 0 {
			// Torque's mem is the whole job's; reflow's mem is per node.
			out = append(out, "mem="+sdk.FormatMemory(r.res.Memory*sdk.Memory(r.nodes), sdk.PBSMemory))
		}
		return out
	}
	chunk := fmt.Sprintf("select=%d:ncpus=%d", r.nodes, r.cpusPerNode)
	if r.tasksPerNode > 0 {
		chunk += ":mpiprocs=" + strconv.Itoa(r.tasksPerNode)
	}
	if r.res.Memory > 0 {
		chunk += ":mem=" + sdk.FormatMemory(r.res.Memory, sdk.PBSMemory)
	}
	if r.gpusPerNode > 0 {
		chunk += ":ngpus=" + strconv.Itoa(r.gpusPerNode)
	}
	for _, c := range r.constraint {
		chunk += ":" + c
	}
	out := []string{chunk}
	if r.nodes > 1 {
		out = append(out, "place=scatter")
	}
	return out
}
