package lsfexec

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

func configured(t *testing.T, settings map[string]any) config {
	t.Helper()
	settings["flavor"] = "test"
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	return cfg
}

// goldenCases are jobs whose rendering is kept in testdata/render.
func goldenCases() []struct {
	name     string
	settings map[string]any
	spec     pluginapi.JobSpec
} {
	base := func(task string) pluginapi.JobSpec {
		return pluginapi.JobSpec{
			RunID: "r1", Task: task, WorkDir: "/runs/r1/" + task,
			Script: "exec /opt/reflow/bin/reflow worker --run-dir /runs/r1 --task " + task + " --attempt 1\n",
			Stdout: "/runs/r1/.reflow/logs/" + task + ".a1.job.out", Stderr: "/runs/r1/.reflow/logs/" + task + ".a1.job.err",
		}
	}
	plain := base("hello")

	full := base("train")
	full.Resources = map[string]string{"cpus": "4", "memory": "1.5G", "time": "90m", "gpus": "2",
		"queue": "gpu", "project": "ml-lab", "constraint": "avx2 && mem>64000"}
	full.Env = map[string]string{"MODEL": "/data/m.bin", "NOTE": "it's here"}
	full.Options = map[string]string{"x": "", "-G": "grp", "sla": "fast lane"}

	arr := base("upper")
	arr.Stdout = "/runs/r1/.reflow/logs/upper." + pluginapi.IndexToken + ".a1.job.out"
	arr.Stderr = "/runs/r1/.reflow/logs/upper." + pluginapi.IndexToken + ".a1.job.err"
	arr.Resources = map[string]string{"mem": "512M", "time": "5m"}
	arr.Array = &pluginapi.ArraySpec{Size: 4, Offset: 2, Parallelism: 2}
	arr.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: handleOf("101", handleState{})},
		{Kind: pluginapi.AfterAny, Handle: handleOf("102", handleState{}), Group: "any"},
		{Kind: pluginapi.AfterAny, Handle: handleOf("103", handleState{}), Group: "any"},
	}

	chain := base("down")
	chain.Stdout, chain.Stderr = arr.Stdout, ""
	chain.Array = &pluginapi.ArraySpec{Size: 3}
	chain.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: handleOf("104", handleState{Name: "rf.up.0a1b2c3d", Size: 3})}}

	mpi := base("mpi")
	mpi.Resources = map[string]string{"nodes": "2", "tasks": "8", "cpus": "2", "mem": "4G", "partition": "normal"}

	return []struct {
		name     string
		settings map[string]any
		spec     pluginapi.JobSpec
	}{
		{"plain", map[string]any{}, plain},
		{"full-mb", map[string]any{"mem_unit": "MB", "bsub_args": []any{"-G", "site-group"}}, full},
		{"array", map[string]any{"queue": "short", "project": "default-proj"}, arr},
		{"elementwise", map[string]any{}, chain},
		{"mpi-per-task", map[string]any{"reserve_per_task": true, "mem_limit": false, "mem_unit": "GB", "bsub": "/opt/lsf/bin/bsub"}, mpi},
	}
}

// TestRenderGolden compares Render's argv and script with testdata/render.
func TestRenderGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := New()
			e.cfg = configured(t, tc.settings)
			r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: tc.spec})
			if err != nil || r.Diagnostics.HasErrors() {
				t.Fatalf("Render: %v %v", err, r.Diagnostics)
			}
			got := "argv: " + strings.Join(quoteAll(r.Argv), " ") + "\n-----\n" + r.Script
			path := filepath.Join("testdata", "render", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Render differs from %s (run with -update if intended):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
			again, _ := e.Render(context.Background(), &pluginapi.RenderRequest{Job: tc.spec})
			if again.Script != r.Script {
				t.Error("Render is not deterministic")
			}
		})
	}
}

func quoteAll(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = shellWord(a)
	}
	return out
}

// TestRenderRejects checks that bad jobs are diagnostics naming the
// attribute to fix, from Render and Submit alike, never a Go error.
func TestRenderRejects(t *testing.T) {
	good := func() pluginapi.JobSpec {
		return pluginapi.JobSpec{Task: "t", WorkDir: t.TempDir(), Script: "true\n", Stdout: "/tmp/o", Resources: map[string]string{}}
	}
	tests := []struct {
		name   string
		change func(*pluginapi.JobSpec)
		attr   string
	}{
		{"qos has no LSF counterpart", func(s *pluginapi.JobSpec) { s.Resources["qos"] = "high" }, "resources.qos"},
		{"bad memory", func(s *pluginapi.JobSpec) { s.Resources["mem"] = "lots" }, "resources.mem"},
		{"bad time", func(s *pluginapi.JobSpec) { s.Resources["time"] = "soon" }, "resources.time"},
		{"fewer tasks than nodes", func(s *pluginapi.JobSpec) { s.Resources["nodes"] = "4"; s.Resources["tasks"] = "2" }, "resources.nodes"},
		{"unbalanced constraint", func(s *pluginapi.JobSpec) { s.Resources["constraint"] = "select[x" }, "resources.constraint"},
		{"queue with a line break", func(s *pluginapi.JobSpec) { s.Resources["partition"] = "a\nb" }, "resources.partition"},
		{"project with a blank", func(s *pluginapi.JobSpec) { s.Resources["account"] = "my project" }, "resources.account"},
		{"reserved option", func(s *pluginapi.JobSpec) { s.Options = map[string]string{"J": "name"} }, "options.J"},
		{"interactive option", func(s *pluginapi.JobSpec) { s.Options = map[string]string{"-Is": ""} }, "options.-Is"},
		{"option written from resources", func(s *pluginapi.JobSpec) {
			s.Resources["partition"] = "short"
			s.Options = map[string]string{"q": "long"}
		}, "options.q"},
		{"option name", func(s *pluginapi.JobSpec) { s.Options = map[string]string{"bad name": "1"} }, "options.bad name"},
		{"option value with both quotes", func(s *pluginapi.JobSpec) { s.Options = map[string]string{"app": `it's "x"`} }, "options.app"},
		{"array too large", func(s *pluginapi.JobSpec) { s.Array = &pluginapi.ArraySpec{Size: 1001} }, "array.size"},
		{"empty array", func(s *pluginapi.JobSpec) { s.Array = &pluginapi.ArraySpec{Size: 0} }, "array.size"},
		{"negative offset", func(s *pluginapi.JobSpec) { s.Array = &pluginapi.ArraySpec{Size: 2, Offset: -1} }, "array.offset"},
		{"relative work dir", func(s *pluginapi.JobSpec) { s.WorkDir = "rel" }, "work_dir"},
		{"bad env name", func(s *pluginapi.JobSpec) { s.Env = map[string]string{"A-B": "1"} }, "env"},
		{"no script", func(s *pluginapi.JobSpec) { s.Script = " \n" }, "script"},
		{"stdout with a line break", func(s *pluginapi.JobSpec) { s.Stdout = "/tmp/a\nb" }, "stdout"},
	}
	e := New()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := good()
			tc.change(&spec)
			r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
			if err != nil || !hasErrorAt(r.Diagnostics, tc.attr) || r.Script != "" {
				t.Errorf("Render: err %v, diagnostics %v, script %q; want an error about %s and no script", err, r.Diagnostics, r.Script, tc.attr)
			}
			s, err := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
			if err != nil || !hasErrorAt(s.Diagnostics, tc.attr) || s.Handle.ID != "" || s.RetryLater {
				t.Errorf("Submit: err %v, %+v; want an error about %s", err, s, tc.attr)
			}
		})
	}
}

func TestRunLimitForms(t *testing.T) {
	for in, want := range map[int64]string{1: "1", 59: "59", 60: "1:00", 90: "1:30", 1441: "24:01"} {
		if got := runLimit(in); got != want {
			t.Errorf("runLimit(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		settings map[string]any
		attr     string
	}{
		{map[string]any{"queu": "x"}, "settings.queu"},
		{map[string]any{"mem_unit": "B"}, "settings.mem_unit"},
		{map[string]any{"mem_unit": "bogus"}, "settings.mem_unit"},
		{map[string]any{"max_array_size": 0.0}, "settings.max_array_size"},
		{map[string]any{"max_array_size": 2.5}, "settings.max_array_size"},
		{map[string]any{"bjobs_format": "xml"}, "settings.bjobs_format"},
		{map[string]any{"history_grace": "soon"}, "settings.history_grace"},
		{map[string]any{"command_timeout": "-1s"}, "settings.command_timeout"},
		{map[string]any{"bsub": ""}, "settings.bsub"},
		{map[string]any{"bsub_args": []any{"-G", ""}}, "settings.bsub_args[1]"},
		{map[string]any{"reserve_per_task": "yes"}, "settings.reserve_per_task"},
	}
	for _, tc := range tests {
		_, diags := decodeConfig(tc.settings)
		if !hasErrorAt(diags, tc.attr) {
			t.Errorf("settings %v: want an error about %s, got %v", tc.settings, tc.attr, diags)
		}
	}
	cfg, diags := decodeConfig(map[string]any{"mem_unit": "gb", "max_array_size": 5000.0, "bjobs_format": "delimited", "history_grace": "90s", "queue": "short"})
	if diags.HasErrors() || cfg.MemUnit.String() != "GB" || cfg.MaxArraySize != 5000 || cfg.JSON || cfg.HistoryGrace.Seconds() != 90 || cfg.Queue != "short" {
		t.Errorf("good settings: %+v %v", cfg, diags)
	}
	// A rejected configuration leaves the previous one in place.
	e := New()
	resp, _ := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"max_array_size": 7.0, "flavor": "x"}})
	if resp.Diagnostics.HasErrors() || e.config().MaxArraySize != 7 {
		t.Fatalf("%v", resp.Diagnostics)
	}
	e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"max_array_size": -7.0}})
	info, _ := e.Info(context.Background(), &pluginapi.InfoRequest{})
	if info.Capabilities.MaxArraySize != 7 || info.Flavor != "x" {
		t.Errorf("after a bad Configure: max array %d flavor %q", info.Capabilities.MaxArraySize, info.Flavor)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	os.Remove(path) // the next offset writes the same names
	return s
}
