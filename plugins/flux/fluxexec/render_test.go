package fluxexec

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// configured returns an executor configured with settings (flux_version
// set, so no flux command is run).
func configured(t *testing.T, settings map[string]any) *Executor {
	t.Helper()
	if settings == nil {
		settings = map[string]any{}
	}
	if _, ok := settings["flux_version"]; !ok {
		settings["flux_version"] = "0.79.0"
	}
	e := New()
	resp, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: settings})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure(%v): %v %v", settings, err, resp.Diagnostics)
	}
	return e
}

// engineSpec is a job as the engine hands it over.
func engineSpec(task string) pluginapi.JobSpec {
	run := "/scratch/alice/runs/r1"
	return pluginapi.JobSpec{
		RunID: "r1", Task: task, WorkDir: run + "/" + task,
		WorkerArgv: []string{"/opt/reflow/bin/reflow", "worker", "--run-dir", run, "--task", task, "--attempt", "1"},
		Script:     "exec /opt/reflow/bin/reflow worker --run-dir " + run + " --task " + task + " --attempt 1\n",
		Stdout:     run + "/.reflow/logs/" + task + ".a1.job.out",
		Stderr:     run + "/.reflow/logs/" + task + ".a1.job.err",
	}
}

func arraySpec(task string, a pluginapi.ArraySpec) pluginapi.JobSpec {
	s := engineSpec(task)
	s.Stdout = strings.Replace(s.Stdout, task+".a1", task+"."+pluginapi.IndexToken+".a1", 1)
	s.Stderr = strings.Replace(s.Stderr, task+".a1", task+"."+pluginapi.IndexToken+".a1", 1)
	s.Array = &a
	return s
}

func depHandle(ids []uint64, array bool) pluginapi.Handle {
	return newHandle(tracked{ids: ids, array: array})
}

// TestRenderGolden renders representative jobs and compares Argv, the
// script and the diagnostics with testdata/render/*.golden (go test
// -update rewrites them).
func TestRenderGolden(t *testing.T) {
	single := engineSpec("split")
	single.Resources = map[string]string{"cpus": "2", "mem": "1G", "time": "10m", "queue": "pdebug", "account": "physics"}
	single.Env = map[string]string{"GREETING": "hello world", "B": "it's"}
	single.Options = map[string]string{"requires": "host:node[1-4]", "u": ""}
	single.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: depHandle([]uint64{529086284178653184}, false)},
		{Kind: pluginapi.AfterAny, Handle: depHandle([]uint64{529086284178653200, 529086284178653300}, true)},
	}

	arr := arraySpec("upper", pluginapi.ArraySpec{Size: 4, Offset: 2, Parallelism: 2})
	arr.Resources = map[string]string{"cpus": "1", "time": "90s"}

	mpi := engineSpec("simulate")
	mpi.Resources = map[string]string{"tasks": "8", "nodes": "2", "gpus": "8", "cpus": "4", "time": "1d", "partition": "gpu"}

	mpiArr := arraySpec("sweep", pluginapi.ArraySpec{Size: 3})
	mpiArr.Resources = map[string]string{"tasks": "4", "nodes": "2", "time": "2h"}

	tests := []struct {
		name     string
		settings map[string]any
		spec     pluginapi.JobSpec
	}{
		{"submit_single", nil, single},
		{"submit_array", map[string]any{"extra_args": []any{"--setattr=user.project=x"}}, arr},
		{"batch_single", nil, mpi},
		{"batch_array", nil, mpiArr},
		{"batch_forced_old_bank", map[string]any{"submit_command": "batch", "flux_version": "0.60.0", "bank": "chem", "queue": "batch"}, engineSpec("hello")},
		{"script_dir", map[string]any{"script_dir": "/shared/scripts", "flux": "/opt/flux/bin/flux"}, engineSpec("hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := configured(t, tt.settings)
			r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: tt.spec})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString("# argv\n")
			for _, a := range r.Argv {
				b.WriteString(a + "\n")
			}
			b.WriteString("# script\n" + r.Script + "# diagnostics\n")
			for _, d := range r.Diagnostics {
				b.WriteString(d.String() + "\n")
			}
			golden := filepath.Join("testdata", "render", tt.name+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("Render differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestRenderDiagnostics checks that bad input is refused with diagnostics
// naming the attribute, and never a panic or a Go error.
func TestRenderDiagnostics(t *testing.T) {
	type mod func(*pluginapi.JobSpec)
	res := func(k, v string) mod { return func(s *pluginapi.JobSpec) { s.Resources = map[string]string{k: v} } }
	tests := []struct {
		name     string
		settings map[string]any
		mod      mod
		attr     string
	}{
		{"unknown key", nil, res("qos", "high"), "resources.qos"},
		{"bad mem", nil, res("mem", "lots"), "resources.mem"},
		{"bad time", nil, res("time", "soon"), "resources.time"},
		{"nodes over tasks", nil, func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"nodes": "3", "tasks": "2"} }, "resources.nodes"},
		{"gpus uneven", nil, func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"gpus": "3", "tasks": "2"} }, "resources.gpus"},
		{"submit with tasks", map[string]any{"submit_command": "submit"}, res("tasks", "4"), "resources.tasks"},
		{"relative work dir", nil, func(s *pluginapi.JobSpec) { s.WorkDir = "rel" }, "work_dir"},
		{"managed option", nil, func(s *pluginapi.JobSpec) { s.Options = map[string]string{"cc": "1-3"} }, "options.cc"},
		{"bad option name", nil, func(s *pluginapi.JobSpec) { s.Options = map[string]string{"a b": "1"} }, "options.a b"},
		{"brace in stdout", nil, func(s *pluginapi.JobSpec) { s.Stdout = "/x/{{name}}.out" }, "stdout"},
		{"bad env name", nil, func(s *pluginapi.JobSpec) { s.Env = map[string]string{"A-B": "1"} }, "env"},
		{"elementwise", nil, func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: depHandle([]uint64{5}, true)}}
		}, "dependencies[0].kind"},
		{"any-of", nil, func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: depHandle([]uint64{5}, false), Group: "g"}}
		}, "dependencies[0].group"},
		{"bad handle", nil, func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "nope"}}}
		}, "dependencies[0].handle"},
		{"array too big", map[string]any{"max_array_size": float64(10)}, func(s *pluginapi.JobSpec) {
			*s = arraySpec("a", pluginapi.ArraySpec{Size: 11})
		}, "array.size"},
		{"empty array", nil, func(s *pluginapi.JobSpec) { *s = arraySpec("a", pluginapi.ArraySpec{Size: 0}) }, "array.size"},
		{"brace option in cc array", nil, func(s *pluginapi.JobSpec) {
			*s = arraySpec("a", pluginapi.ArraySpec{Size: 2})
			s.Options = map[string]string{"setattr": "user.x={y}"}
		}, "options.setattr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := engineSpec("job")
			tt.mod(&spec)
			e := configured(t, tt.settings)
			r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range r.Diagnostics {
				found = found || d.Severity == pluginapi.Error && d.Attribute == tt.attr
			}
			if !found {
				t.Errorf("want an error diagnostic about %s, got %v", tt.attr, r.Diagnostics)
			}
		})
	}
}
