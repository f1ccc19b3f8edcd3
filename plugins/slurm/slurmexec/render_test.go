package slurmexec

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

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render")

// spec is a job like the engine's: the worker command as its script.
func spec(task string) pluginapi.JobSpec {
	return pluginapi.JobSpec{
		RunID: "20261126-050000-abcdef", Task: task, WorkDir: "/scratch/run/" + task,
		Script: "exec /opt/reflow/bin/reflow worker --run-dir /scratch/run --task " + task + " --attempt 1\n",
		Stdout: "/scratch/run/.reflow/logs/" + task + ".a1.job.out",
		Stderr: "/scratch/run/.reflow/logs/" + task + ".a1.job.err",
	}
}

func arraySpec(task string, a pluginapi.ArraySpec) pluginapi.JobSpec {
	s := spec(task)
	s.Stdout = "/scratch/run/.reflow/logs/" + task + "." + pluginapi.IndexToken + ".a1.job.out"
	s.Stderr = "/scratch/run/.reflow/logs/" + task + "." + pluginapi.IndexToken + ".a1.job.err"
	s.Array = &a
	return s
}

func upstream(id string, st handleState) pluginapi.Handle {
	return pluginapi.Handle{ID: id, State: st.encode()}
}

func TestRenderGolden(t *testing.T) {
	f := newFakeSlurm(t)
	e := f.executor(map[string]any{"account": "site-acct", "sbatch_args": []any{"--mail-type=FAIL", "--requeue"}})

	full := spec("align")
	full.Resources = map[string]string{"cpus": "2", "memory": "1.5G", "time": "90m", "gpus": "1", "nodes": "1",
		"ntasks": "1", "queue": "debug", "project": "bio", "qos": "long", "constraint": "intel&ib"}
	full.Options = map[string]string{"exclusive": "", "mail_user": "me@example.org", "comment": "two words"}
	full.Env = map[string]string{"SAMPLE": "a b's", "A": "1"}

	siteDefaults := spec("tiny") // no resources: the site's account applies

	odd := spec("odd")
	odd.WorkDir = "/scratch/my run"
	odd.Stdout, odd.Stderr = "/scratch/my run/100%.out", "/scratch/my run/100%.out"

	direct := arraySpec("upper", pluginapi.ArraySpec{Size: 4, Offset: 2, Parallelism: 2})
	direct.Resources = map[string]string{"mem": "512M"}

	shifted := arraySpec("upper", pluginapi.ArraySpec{Size: 499, Offset: 1001})
	shiftedSame := arraySpec("upper", pluginapi.ArraySpec{Size: 10, Offset: 1000, Parallelism: 5})
	shiftedSame.Stderr = shiftedSame.Stdout

	deps := spec("join")
	deps.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: upstream("101", handleState{})},
		{Kind: pluginapi.AfterAny, Handle: upstream("102", handleState{})},
		{Kind: pluginapi.AfterOK, Handle: upstream("101", handleState{})}, // repeated
	}
	anyOf := spec("either")
	anyOf.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: upstream("101", handleState{}), Group: "g"},
		{Kind: pluginapi.AfterOK, Handle: upstream("102", handleState{}), Group: "g"},
	}
	chain := arraySpec("chain", pluginapi.ArraySpec{Size: 4})
	chain.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: upstream("103", handleState{Size: 4})}}

	tests := map[string]pluginapi.JobSpec{
		"full": full, "site-defaults": siteDefaults, "odd-paths": odd,
		"array-direct": direct, "array-shifted": shifted, "array-shifted-same-log": shiftedSame,
		"deps-allof": deps, "deps-anyof": anyOf, "deps-elementwise": chain,
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			resp, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: s})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Diagnostics.HasErrors() {
				t.Fatalf("Render: %v", resp.Diagnostics)
			}
			argv := append([]string{filepath.Base(resp.Argv[0])}, resp.Argv[1:]...)
			got := "argv: " + strings.Join(argv, " ") + "\n--- script\n" + resp.Script
			golden := filepath.Join("testdata", "render", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Render differs from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
			if !strings.Contains(resp.Script, s.Script) {
				t.Errorf("the script does not contain the job's own script")
			}
		})
	}
}

// TestRenderRejects lists what Render refuses, each with the attribute a
// user must fix.
func TestRenderRejects(t *testing.T) {
	f := newFakeSlurm(t)
	e := f.executor(nil)
	with := func(mod func(*pluginapi.JobSpec)) pluginapi.JobSpec {
		s := spec("bad")
		mod(&s)
		return s
	}
	arr := func(mod func(*pluginapi.JobSpec)) pluginapi.JobSpec {
		s := arraySpec("bad", pluginapi.ArraySpec{Size: 4})
		mod(&s)
		return s
	}
	up := func(st handleState) pluginapi.Handle { return upstream("55", st) }
	tests := []struct {
		name string
		spec pluginapi.JobSpec
		attr string
	}{
		{"unknown resource", with(func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"ram": "1G"} }), "resources.ram"},
		{"bad memory", with(func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"mem": "lots"} }), "resources.mem"},
		{"bad time", with(func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"time": "soon"} }), "resources.time"},
		{"partition and queue", with(func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"partition": "a", "queue": "b"} }), "resources.queue"},
		{"quote in partition", with(func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"partition": `a"b`} }), "resources.partition"},
		{"owned option", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"array": "1-3"} }), "options.array"},
		{"owned option with dashes", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"--dependency": "afterok:1"} }), "options.--dependency"},
		{"parsable", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"parsable": ""} }), "options.parsable"},
		{"short option", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"J": "name"} }), "options.J"},
		{"portable duplicate", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"mem": "1G"} }), "options.mem"},
		{"mem-per-cpu with mem", with(func(s *pluginapi.JobSpec) {
			s.Resources = map[string]string{"mem": "1G"}
			s.Options = map[string]string{"mem_per_cpu": "1G"}
		}), "options.mem_per_cpu"},
		{"newline in option", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"comment": "a\nb"} }), "options.comment"},
		{"not an option name", with(func(s *pluginapi.JobSpec) { s.Options = map[string]string{"Mail Type": "END"} }), "options.Mail Type"},
		{"bad env name", with(func(s *pluginapi.JobSpec) { s.Env = map[string]string{"1X": "y"} }), "env.1X"},
		{"relative work dir", with(func(s *pluginapi.JobSpec) { s.WorkDir = "run" }), "work_dir"},
		{"newline in stdout", with(func(s *pluginapi.JobSpec) { s.Stdout = "/tmp/a\nb" }), "stdout"},
		{"backslash in stderr", with(func(s *pluginapi.JobSpec) { s.Stderr = `/tmp/a\b` }), "stderr"},
		{"empty script", with(func(s *pluginapi.JobSpec) { s.Script = " \n" }), "script"},
		{"empty array", arr(func(s *pluginapi.JobSpec) { s.Array.Size = 0 }), "array.size"},
		{"array too big", arr(func(s *pluginapi.JobSpec) { s.Array.Size = 1002 }), "array.size"},
		{"dependency on a foreign id", with(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "local-123"}}}
		}), "dependencies[0].handle"},
		{"unknown dependency kind", with(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: "afternotok", Handle: up(handleState{})}}
		}), "dependencies[0].kind"},
		{"elementwise without an array", with(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up(handleState{Size: 4})}}
		}), "dependencies[0].kind"},
		{"elementwise on a plain job", arr(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up(handleState{})}}
		}), "dependencies[0].handle"},
		{"elementwise on other indices", arr(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up(handleState{Size: 4, Offset: 4, Base: 4})}}
		}), "dependencies[0].handle"},
		{"elementwise numbered differently", arr(func(s *pluginapi.JobSpec) {
			s.Array.Offset = 8
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up(handleState{Size: 4, Offset: 8, Base: 0})}}
		}), "dependencies[0].handle"},
		{"any-of mixed with all-of", with(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{
				{Kind: pluginapi.AfterOK, Handle: up(handleState{})},
				{Kind: pluginapi.AfterOK, Handle: upstream("56", handleState{}), Group: "g"},
				{Kind: pluginapi.AfterOK, Handle: upstream("57", handleState{}), Group: "g"},
			}
		}), "dependencies[1].group"},
		{"two any-of groups", with(func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{
				{Kind: pluginapi.AfterOK, Handle: up(handleState{}), Group: "a"},
				{Kind: pluginapi.AfterOK, Handle: upstream("56", handleState{}), Group: "a"},
				{Kind: pluginapi.AfterOK, Handle: upstream("57", handleState{}), Group: "b"},
				{Kind: pluginapi.AfterOK, Handle: upstream("58", handleState{}), Group: "b"},
			}
		}), "dependencies[0].group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: tt.spec})
			if err != nil {
				t.Fatalf("Render returned a Go error: %v", err)
			}
			if !hasError(resp.Diagnostics, tt.attr) {
				t.Errorf("want an error about %q, got %v", tt.attr, resp.Diagnostics)
			}
			if resp.Script != "" || len(resp.Argv) != 0 {
				t.Errorf("a refused job still rendered a submission")
			}
		})
	}
}

func hasError(ds pluginapi.Diagnostics, attr string) bool {
	for _, d := range ds {
		if d.Severity == pluginapi.Error && d.Attribute == attr {
			return true
		}
	}
	return false
}

// A group of one is no choice: it renders as a required dependency, and
// may then stand beside other required ones.
func TestRenderSingleMemberGroup(t *testing.T) {
	e := newFakeSlurm(t).executor(nil)
	s := spec("one")
	s.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: upstream("55", handleState{}), Group: "lonely"},
		{Kind: pluginapi.AfterAny, Handle: upstream("56", handleState{})},
	}
	resp, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: s})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("Render: %v %v", err, resp.Diagnostics)
	}
	if !strings.Contains(resp.Script, "#SBATCH --dependency=afterok:55,afterany:56\n") {
		t.Errorf("want --dependency=afterok:55,afterany:56 in:\n%s", resp.Script)
	}
}

// The site's max_array_size is what Info offers; an array above it but
// within the cluster's limit (a host that chunked by what Info said before
// Configure) is submitted with a warning rather than failed.
func TestRenderAboveSiteMaxArraySize(t *testing.T) {
	e := newFakeSlurm(t).executor(map[string]any{"max_array_size": 300.0})
	resp, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: arraySpec("big", pluginapi.ArraySpec{Size: 500})})
	if err != nil || resp.Diagnostics.HasErrors() || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Attribute != "array.size" {
		t.Fatalf("want a warning about array.size and a rendering, got %v %v", err, resp.Diagnostics)
	}
	if !strings.Contains(resp.Script, "#SBATCH --array=0-499\n") {
		t.Errorf("want --array=0-499 in:\n%s", resp.Script)
	}
}
