package cache

import (
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkChain20k computes the identities of two 20,000-element arrays,
// b[i] consuming a[i]: the seed engine took 40 s here.
func BenchmarkChain20k(b *testing.B) {
	for b.Loop() {
		chain(20_000, func(i int) string { return "seq " + strconv.Itoa(i) + " > out" })
	}
}

// BenchmarkIndependent100k computes 100,000 identities of instances that
// each read one shared input, through a DigestCache, like a plan of a
// 100,000-element array.
func BenchmarkIndependent100k(b *testing.B) {
	ref := filepath.Join(b.TempDir(), "ref.fa")
	write(b, ref, "ACGT\n")
	env := map[string]string{"LC_ALL": "C"}
	for b.Loop() {
		dc := NewDigestCache()
		for i := range 100_000 {
			inputs, err := dc.Inputs([]string{ref})
			if err != nil {
				b.Fatal(err)
			}
			_ = Parts{Task: "sample", Index: i, Command: "process --sample " + strconv.Itoa(i) + " --ref " + ref,
				Env: env, Outputs: []string{"out.bam", "out.bai"}, Inputs: inputs}.Identity()
		}
	}
}

// BenchmarkIdentity is one typical instance.
func BenchmarkIdentity(b *testing.B) {
	p := base()
	for b.Loop() {
		_ = p.Identity()
	}
}
