package hclconfig

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

const bigArraySrc = `
workflow "big" {}

param "n" {
  type    = number
  default = 100000
}

job "work" {
  for_each = range(param.n)
  resources {
    cpus = 1
    mem  = "1G"
  }
  command = "process --shard ${each.value} --of ${param.n} > out.txt"
  outputs = ["out.txt"]
}
`

// BenchmarkExpandRange100k parses, validates and expands one job over
// range(100000): the target is at most 1 s and 300 MB per run.
func BenchmarkExpandRange100k(b *testing.B) {
	files := memFS{"main.hcl": bigArraySrc}
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		w := mustLoad(b, files)
		bound := mustBind(b, w, ParamInput{})
		e, diags := bound.Snapshot(&State{RunDir: "/run"}).Expand("work")
		if diags.HasErrors() || e.Size != 100000 || !e.Instances[99999].Known {
			b.Fatalf("size %d, %v", e.Size, diags)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
}

// BenchmarkLoad1000Jobs parses, validates and expands a file of 1,000 job
// blocks, each reading the one before: the target is at most 200 ms.
func BenchmarkLoad1000Jobs(b *testing.B) {
	files := memFS{"main.hcl": thousandJobs()}
	b.ReportAllocs()
	for b.Loop() {
		w := mustLoad(b, files)
		bound := mustBind(b, w, ParamInput{})
		exps, diags := bound.Snapshot(nil).ExpandAll()
		if diags.HasErrors() || len(exps) != 1000 {
			b.Fatalf("%d expansions, %v", len(exps), diags)
		}
	}
}

func thousandJobs() string {
	var sb strings.Builder
	sb.WriteString("workflow \"many\" {}\n\nparam \"tag\" {\n  default = \"x\"\n}\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "\njob \"j%d\" {\n  resources {\n    cpus = %d\n  }\n", i, 1+i%4)
		if i == 0 {
			sb.WriteString("  command = \"echo ${param.tag} > $REFLOW_RESULT\"\n")
		} else {
			fmt.Fprintf(&sb, "  command = \"echo ${param.tag} ${job.j%d.result} > $REFLOW_RESULT\"\n", i-1)
		}
		sb.WriteString("  outputs = [\"o.txt\"]\n}\n")
	}
	return sb.String()
}
