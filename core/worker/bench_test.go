package worker

import (
	"context"
	"io"
	"os/exec"
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

// BenchmarkBashTrueBaseline is the floor BenchmarkRunTrue stands on: the
// same bash started directly, nothing recorded. The difference between the
// two is the worker's own overhead.
func BenchmarkBashTrueBaseline(b *testing.B) {
	for b.Loop() {
		if err := exec.Command("bash", "-eo", "pipefail", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}
