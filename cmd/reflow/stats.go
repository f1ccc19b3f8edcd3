package main

import (
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/core/engine"
)

// printStats reports what the dispatcher itself cost (REFLOW_STATS=1): its
// own CPU time, excluding plugins and jobs, per task instance. The
// benchmarks in bench/ read it.
func printStats(w io.Writer, s engine.Summary) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	perTask := time.Duration(0)
	if s.Total > 0 {
		perTask = cpu / time.Duration(s.Total)
	}
	fmt.Fprintf(w, "reflow-stats: rounds=%d instances=%d dispatcher_cpu=%.3fs per_instance=%dus maxrss=%dMB\n",
		s.Round, s.Total, cpu.Seconds(), perTask.Microseconds(), ru.Maxrss/1024)
}
