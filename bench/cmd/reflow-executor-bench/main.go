// Command reflow-executor-bench serves memexec as a plugin for benchmarks.
package main

import (
	"github.com/reflow-hpc/reflow/bench/memexec"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() { sdk.Serve(&memexec.Executor{}, sdk.WithName("bench")) }
