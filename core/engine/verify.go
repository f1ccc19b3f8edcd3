package engine

import (
	"fmt"
	"os"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
)

// verifyOutputs reports whether a cache entry's outputs are still as they
// were recorded: same size and mtime, or with content set the same digest.
// The reason names the first file that differs.
func verifyOutputs(outs []store.Output, content bool) (bool, string) {
	for _, o := range outs {
		fi, err := os.Stat(o.Path)
		if err != nil {
			return false, fmt.Sprintf("output %s is gone", o.Path)
		}
		if fi.Size() != o.Size {
			return false, fmt.Sprintf("output %s changed size", o.Path)
		}
		if content {
			got, err := runspec.DigestFile(o.Path, nil)
			if err != nil || got.Digest != o.Digest {
				return false, fmt.Sprintf("output %s changed content", o.Path)
			}
			continue
		}
		if !fi.ModTime().Equal(o.MTime) {
			return false, fmt.Sprintf("output %s was modified", o.Path)
		}
	}
	return true, ""
}
