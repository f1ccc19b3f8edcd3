package graphfmt

import (
	"strconv"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// Sizer tells the size of an array job when it is known before running
// (a *hclconfig.Snapshot is one); -1 means not known.
type Sizer interface {
	Size(job string) int
}

// group is a flow with the jobs and flows directly inside it; the root
// group has an empty name.
type group struct {
	flow   *hclconfig.Flow
	jobs   []*hclconfig.Job
	groups []*group
}

// tree arranges the workflow's jobs into flow groups, in source order.
func tree(w *hclconfig.Workflow) *group {
	root := &group{}
	byName := map[string]*group{"": root}
	for _, f := range w.Flows {
		g := &group{flow: f}
		byName[f.Name] = g
		parent := byName[f.Parent]
		parent.groups = append(parent.groups, g)
	}
	for _, j := range w.Jobs {
		byName[j.Flow].jobs = append(byName[j.Flow].jobs, j)
	}
	return root
}

// sizeLabel describes a job's multiplicity: "" for a singleton, "[3]" for
// an array of known size, "[dynamic]" otherwise.
func sizeLabel(j *hclconfig.Job, sizes Sizer) string {
	if !j.Kind.IsArray() {
		return ""
	}
	n := -1
	if sizes != nil {
		n = sizes.Size(j.Name)
	}
	if n >= 0 {
		return "[" + strconv.Itoa(n) + "]"
	}
	if j.Kind == hclconfig.StaticArray {
		return "[size from params]"
	}
	return "[dynamic]"
}

// nodeLabel is a job's name within its group, with its size.
func nodeLabel(j *hclconfig.Job, sizes Sizer) string {
	if s := sizeLabel(j, sizes); s != "" {
		return j.Local + " " + s
	}
	return j.Local
}
