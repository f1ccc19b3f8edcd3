package cache

import (
	"fmt"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// FromInstance collects the parts of a Known instance. version is the
// job's `version` (hclconfig.Job.Version); inputs are digested through dc;
// upstream returns the identity of a consumed instance ({A, i} for an
// element, {A, -1} for a whole job — Combine for an array). Resources are
// deliberately left out.
func FromInstance(inst *hclconfig.Instance, version string, dc *DigestCache, upstream func(hclconfig.Ref) (string, error)) (Parts, error) {
	if !inst.Known {
		return Parts{}, fmt.Errorf("%s: the instance is not resolved yet", instanceName(inst.Job, inst.Index))
	}
	inputs, err := dc.Inputs(inst.Inputs)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{
		Task:    inst.Job,
		Index:   inst.Index,
		Command: inst.Command,
		Env:     inst.Env,
		Version: version,
		Outputs: inst.Outputs,
		Inputs:  inputs,
	}
	if len(inst.Consumes) > 0 {
		p.Upstream = make([]Upstream, len(inst.Consumes))
		for i, ref := range inst.Consumes {
			id, err := upstream(ref)
			if err != nil {
				return Parts{}, fmt.Errorf("%s: upstream %s: %w", instanceName(inst.Job, inst.Index), instanceName(ref.Job, ref.Index), err)
			}
			p.Upstream[i] = Upstream{Task: ref.Job, Index: ref.Index, Identity: id}
		}
	}
	return p, nil
}
