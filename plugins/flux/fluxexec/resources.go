package fluxexec

import (
	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// fluxKeys are the resource keys the plugin accepts. qos and constraint
// are left out: flux-core has no quality of service, and constraints are
// written in Flux's own syntax (use options = { requires = "..." }).
var fluxKeys = []struct {
	name, desc string
	extra      []string // aliases beyond the SDK's
}{
	{name: sdk.KeyCPUs, desc: "Cores per task (-c)."},
	{name: sdk.KeyMem, desc: "Accepted for portability and checked, but not passed on: flux-core has no memory option (a warning says so)."},
	{name: sdk.KeyTime, desc: "Time limit (-t, a Flux standard duration such as 10m)."},
	{name: sdk.KeyGPUs, desc: "GPUs for the whole job, divided over its tasks (-g per task or slot)."},
	{name: sdk.KeyNodes, desc: "Nodes (-N); a job with more than one is submitted with flux batch."},
	{name: sdk.KeyTasks, desc: "Tasks (flux batch slots, -n); a job with more than one is submitted with flux batch."},
	{name: sdk.KeyPartition, desc: "Flux queue (--queue)."},
	{name: sdk.KeyAccount, desc: "Bank for flux-accounting (--bank, or --setattr=bank before flux-core 0.65).", extra: []string{"bank"}},
	{name: sdk.KeyArrayParallelism, desc: "Accepted, not enforced: Flux has no array throttle, so every element may run at once (a warning says so)."},
}

func resourceKeys() []pluginapi.ResourceKey {
	out := make([]pluginapi.ResourceKey, 0, len(fluxKeys))
	for _, k := range fluxKeys {
		rk := pluginapi.ResourceKey{Name: k.name, Description: k.desc}
		for _, p := range sdk.PortableKeys {
			if p.Name == k.name {
				rk.Aliases = append(rk.Aliases, p.Aliases...)
			}
		}
		rk.Aliases = append(rk.Aliases, k.extra...)
		out = append(out, rk)
	}
	return out
}
