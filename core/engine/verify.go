package engine

import (
	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
)

// runspecOutputs and toStoreOutputs convert between the worker's record of
// an output and the store's; they hold the same facts.
func runspecOutputs(os []store.Output) []runspec.Output {
	out := make([]runspec.Output, len(os))
	for i, o := range os {
		out[i] = runspec.Output{Path: o.Path, Size: o.Size, ModTime: o.MTime, Digest: o.Digest}
	}
	return out
}

func toStoreOutputs(os []runspec.Output) []store.Output {
	out := make([]store.Output, len(os))
	for i, o := range os {
		out[i] = store.Output{Path: o.Path, Size: o.Size, MTime: o.ModTime, Digest: o.Digest}
	}
	return out
}
