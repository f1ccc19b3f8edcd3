package fluxsyntax

// The job shape rules: tasks, cores, GPUs and nodes, as flux submit (per
// task or per resource) and flux batch (slots) check them.

import (
	"fmt"
	"strconv"
)

// submitShape applies flux submit's per-task and per-resource rules.
func (s *Submission) submitShape(p *parsed, j Job) (Job, *Rejection) {
	fail := func(format string, a ...any) (Job, *Rejection) { return Job{}, failf("submit", format, a...) }
	vals := map[string]int{}
	set := map[string]bool{}
	for _, n := range []string{"ntasks", "nodes", "cores", "cores-per-task", "gpus-per-task", "tasks-per-node", "tasks-per-core", "gpus-per-node"} {
		v, ok, rej := s.count(p, n)
		if rej != nil {
			return Job{}, rej
		}
		vals[n], set[n] = v, ok
	}
	j.Exclusive = p.has("exclusive")
	if set["tasks-per-node"] && set["tasks-per-core"] {
		return fail("Do not specify both the number of tasks per node and per core")
	}
	for _, n := range []string{"tasks-per-node", "tasks-per-core"} {
		if set[n] && vals[n] < 1 {
			return fail("--%s must be >= 1", n)
		}
	}
	if set["gpus-per-node"] && !set["nodes"] {
		return fail("--gpus-per-node requires --nodes")
	}
	if set["tasks-per-node"] || set["tasks-per-core"] || set["gpus-per-node"] || set["cores"] {
		if set["ntasks"] || set["cores-per-task"] || set["gpus-per-task"] {
			return fail("Per-resource options can't be used with per-task options. (See --help for details)")
		}
		if set["nodes"] && !set["cores"] {
			j.Exclusive = true
		}
		j.Nodes = vals["nodes"]
		j.CoresPerTask = 1
		switch {
		case set["cores"]:
			j.NTasks = vals["cores"]
		case set["tasks-per-node"]:
			j.NTasks = max(1, vals["nodes"]) * vals["tasks-per-node"]
		default:
			j.NTasks = max(1, vals["nodes"])
		}
		if j.NTasks < 1 {
			return fail("core count must be an integer >= 1")
		}
		return j, nil
	}
	j.NTasks, j.CoresPerTask, j.GPUsPerTask, j.Nodes = vals["ntasks"], vals["cores-per-task"], vals["gpus-per-task"], vals["nodes"]
	if !set["ntasks"] && set["nodes"] {
		j.NTasks = j.Nodes
		j.Exclusive = true
	}
	if !set["ntasks"] && !set["nodes"] {
		j.NTasks = 1
	}
	if !set["cores-per-task"] {
		j.CoresPerTask = 1
	}
	return j, s.checkCounts(j, "task")
}

// batchShape applies flux batch's slot rules.
func (s *Submission) batchShape(p *parsed, j Job) (Job, *Rejection) {
	vals := map[string]int{}
	set := map[string]bool{}
	for _, n := range []string{"nslots", "cores-per-slot", "gpus-per-slot", "nodes"} {
		v, ok, rej := s.count(p, n)
		if rej != nil {
			return Job{}, rej
		}
		vals[n], set[n] = v, ok
	}
	j.Exclusive = p.has("exclusive")
	j.NTasks, j.CoresPerTask, j.GPUsPerTask, j.Nodes = vals["nslots"], vals["cores-per-slot"], vals["gpus-per-slot"], vals["nodes"]
	if !set["nslots"] {
		if !set["nodes"] {
			return Job{}, Fail("batch", "Number of slots to allocate must be specified")
		}
		j.NTasks = j.Nodes
		j.Exclusive = true
	}
	if !set["cores-per-slot"] {
		j.CoresPerTask = 1
	}
	return j, s.checkCounts(j, "slot")
}

// checkCounts applies the jobspec rules: counts of at least 1 (the facts
// page's checklist asks this of GPUs too), no more nodes than tasks, and
// -x only with -N.
func (s *Submission) checkCounts(j Job, unit string) *Rejection {
	switch {
	case j.NTasks < 1:
		return failf(s.cmd(), "%s count must be an integer >= 1", unit)
	case j.CoresPerTask < 1:
		return failf(s.cmd(), "cores per %s must be an integer >= 1", unit)
	case j.GPUsPerTask < 0 || (j.GPUsPerTask == 0 && s.givenZeroGPUs()):
		return failf(s.cmd(), "gpus per %s must be an integer >= 1", unit)
	case j.Nodes < 0 || (j.Nodes == 0 && s.givenZero("nodes")):
		return failf(s.cmd(), "node count must be an integer >= 1 (if set)")
	case j.Nodes > j.NTasks:
		return failf(s.cmd(), "node count must not be greater than %s count", unit)
	case j.Exclusive && j.Nodes == 0:
		return failf(s.cmd(), "exclusive can only be set with a node count")
	}
	return nil
}

func (s *Submission) givenZero(name string) bool {
	v, ok := s.p.last(name)
	return ok && v == "0"
}

func (s *Submission) givenZeroGPUs() bool {
	return s.givenZero("gpus-per-task") || s.givenZero("gpus-per-slot")
}

// count reads a count option: "" when absent; an int otherwise.
func (s *Submission) count(p *parsed, name string) (int, bool, *Rejection) {
	v, ok := p.last(name)
	if !ok || v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		if s.Batch {
			o, _, _ := batchSet(s.v).findLong(name)
			return 0, false, Usage("flux batch", batchSet(s.v).usage,
				fmt.Sprintf("argument %s: invalid int value: '%s'", batchSet(s.v).display(o), v))
		}
		return 0, false, failf(s.cmd(), "--%s: invalid int value '%s'", name, v)
	}
	return n, true, nil
}
