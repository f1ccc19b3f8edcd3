package worker

import (
	"context"
	"io"
	"testing"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// BenchmarkRunTrue is the worker's cost per task around the cheapest
// command: spec read, fork/exec of bash, result write with its fsyncs.
func BenchmarkRunTrue(b *testing.B) {
	s := newSpec(b, 0, "true", func(s *runspec.Spec) { s.Outputs = []string{"*.txt"} })
	opts := Options{SpecPath: specPath(s), Log: io.Discard}
	for b.Loop() {
		if code := Run(context.Background(), opts); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
}
