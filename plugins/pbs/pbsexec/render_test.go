package pbsexec

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

// configured returns an executor configured for dialect without asking any
// qstat: the version is given, the commands are fixed paths.
func configured(t *testing.T, settings map[string]any) *Executor {
	t.Helper()
	s := map[string]any{"version": "23.06.06", "qsub": "/opt/pbs/bin/qsub", "qstat": "/opt/pbs/bin/qstat", "qdel": "/opt/pbs/bin/qdel"}
	if settings["dialect"] == dialectTorque {
		s["version"] = "6.1.3"
	}
	for k, v := range settings {
		s[k] = v
	}
	e := New()
	r, err := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: s})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Configure(%v): %v %v", s, err, r.Diagnostics.Err())
	}
	return e
}

func upstream(id string, size int) pluginapi.Handle {
	st := handleState{V: stateVersion, Dialect: dialectOpenPBS, Size: size, Submitted: 1}
	return pluginapi.Handle{ID: id, State: st.encode()}
}

// renderCases are the jobs the golden files show, for both dialects.
func renderCases() map[string]pluginapi.JobSpec {
	base := func(task string) pluginapi.JobSpec {
		return pluginapi.JobSpec{
			RunID: "20240405-193430-abc123", Task: task, WorkDir: "/scratch/alice/run/" + task,
			Script: "exec /opt/reflow/bin/reflow worker --run-dir /scratch/alice/run --task " + task + " --attempt 1\n",
			Stdout: "/scratch/alice/run/.reflow/logs/" + task + ".a1.job.out",
			Stderr: "/scratch/alice/run/.reflow/logs/" + task + ".a1.job.err",
		}
	}
	single := base("align")
	single.Resources = map[string]string{"cpus": "4", "mem": "1.5G", "time": "1h30m", "queue": "workq", "project": "bio42"}
	single.Env = map[string]string{"SAMPLE": "s 1", "REF": "hg38"}

	arr := base("upper")
	arr.Stdout = "/scratch/alice/run/.reflow/logs/upper." + pluginapi.IndexToken + ".a1.job.out"
	arr.Stderr = "/scratch/alice/run/.reflow/logs/upper." + pluginapi.IndexToken + ".a1.job.err"
	arr.Array = &pluginapi.ArraySpec{Size: 50, Offset: 100, Parallelism: 5}
	arr.Resources = map[string]string{"mem": "512M", "time": "10m"}

	one := arr
	one.Task = "upper"
	one.Array = &pluginapi.ArraySpec{Size: 1, Offset: 7}

	mpi := base("mpi")
	mpi.Resources = map[string]string{"nodes": "2", "tasks": "8", "cpus": "2", "gpus": "4", "mem": "64G", "constraint": "bigmem"}

	deps := base("join")
	deps.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: upstream("1234.pbs01", 0)},
		{Kind: pluginapi.AfterOK, Handle: upstream("1235[].pbs01", 4)},
		{Kind: pluginapi.AfterAny, Handle: upstream("1236.pbs01", 0)},
	}
	deps.Options = map[string]string{"m": "ae", "M": "alice@example.org", "place": "excl"}

	return map[string]pluginapi.JobSpec{"single": single, "array": arr, "array-of-one": one, "multinode": mpi, "dependencies": deps}
}

func TestRenderGolden(t *testing.T) {
	for _, dialect := range []string{dialectOpenPBS, dialectTorque} {
		e := configured(t, map[string]any{"dialect": dialect, "queue": "default", "account": "lab"})
		for name, spec := range renderCases() {
			t.Run(dialect+"/"+name, func(t *testing.T) {
				r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
				if err != nil {
					t.Fatal(err)
				}
				if r.Diagnostics.HasErrors() {
					t.Fatalf("Render: %v", r.Diagnostics.Err())
				}
				var b strings.Builder
				b.WriteString("argv: " + strings.Join(r.Argv, " ") + "\n")
				for _, d := range r.Diagnostics {
					b.WriteString("diagnostic: " + d.String() + "\n")
				}
				b.WriteString("----\n" + r.Script)
				path := filepath.Join("testdata", "render", dialect+"-"+name+".golden")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), b.String()); diff != "" {
					t.Errorf("Render differs from %s (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}

// TestRenderRefuses checks that bad input becomes diagnostics naming the
// attribute, never a panic or a silently wrong script.
func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name    string
		dialect string
		edit    func(*pluginapi.JobSpec)
		attr    string
	}{
		{"qos has no PBS meaning", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"qos": "high"} }, "resources.qos"},
		{"bad memory", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"mem": "lots"} }, "resources.mem"},
		{"constraint with blanks", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"constraint": "big mem"} }, "resources.constraint"},
		{"constraint sets ncpus", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"constraint": "ncpus=4"} }, "resources.constraint"},
		{"torque feature with =", dialectTorque, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"constraint": "model=x"} }, "resources.constraint"},
		{"fewer tasks than nodes", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Resources = map[string]string{"nodes": "4", "tasks": "2"} }, "resources.tasks"},
		{"reserved option", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Options = map[string]string{"N": "x"} }, "options.N"},
		{"derived resource option", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Options = map[string]string{"select": "2:ncpus=1"} }, "options.select"},
		{"option with blanks", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Options = map[string]string{"M": "a b"} }, "options.M"},
		{"unknown option letter", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Options = map[string]string{"Y": "1"} }, "options.Y"},
		{"-R is OpenPBS's", dialectTorque, func(j *pluginapi.JobSpec) { j.Options = map[string]string{"R": "oe"} }, "options.R"},
		{"relative work dir", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.WorkDir = "run" }, "work_dir"},
		{"bad env name", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Env = map[string]string{"A-B": "1"} }, "env"},
		{"empty array", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Array = &pluginapi.ArraySpec{} }, "array.size"},
		{"array over max_array_size", dialectOpenPBS, func(j *pluginapi.JobSpec) { j.Array = &pluginapi.ArraySpec{Size: 10001} }, "array.size"},
		{"any-of group", dialectOpenPBS, func(j *pluginapi.JobSpec) {
			j.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: upstream("1.s", 0), Group: "g"}, {Kind: pluginapi.AfterOK, Handle: upstream("2.s", 0), Group: "g"}}
		}, "dependencies[0].group"},
		{"element-wise", dialectOpenPBS, func(j *pluginapi.JobSpec) {
			j.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: upstream("1[].s", 2)}}
		}, "dependencies[0].kind"},
		{"not a PBS id", dialectOpenPBS, func(j *pluginapi.JobSpec) {
			j.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "local-123"}}}
		}, "dependencies[0].handle"},
		{"another plugin's state", dialectOpenPBS, func(j *pluginapi.JobSpec) {
			j.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "12", State: []byte(`{"v":1,"dir":"/x"}`)}}}
		}, "dependencies[0].handle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := configured(t, map[string]any{"dialect": tt.dialect})
			spec := renderCases()["single"]
			spec.Resources = nil
			tt.edit(&spec)
			r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range r.Diagnostics {
				found = found || d.Severity == pluginapi.Error && d.Attribute == tt.attr
			}
			if !found {
				t.Errorf("want an error about %s, got %v", tt.attr, r.Diagnostics)
			}
		})
	}
}

// TestRenderOldOpenPBSHasNoThrottle: before 22.05 qsub refuses %N, so the
// throttle is dropped with a warning and Info stops claiming it.
func TestRenderOldOpenPBSHasNoThrottle(t *testing.T) {
	e := configured(t, map[string]any{"dialect": dialectOpenPBS, "version": "20.0.1"})
	spec := renderCases()["array"]
	r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Script, "#PBS -J 100-149\n") {
		t.Errorf("want -J 100-149 without a throttle:\n%s", r.Script)
	}
	warned := false
	for _, d := range r.Diagnostics {
		warned = warned || d.Severity == pluginapi.Warning && d.Attribute == "array.parallelism"
	}
	if !warned {
		t.Errorf("no warning about the dropped throttle: %v", r.Diagnostics)
	}
	info, _ := e.Info(context.Background(), &pluginapi.InfoRequest{})
	if info.Capabilities.Throttle {
		t.Error("Info claims Throttle for OpenPBS 20.0.1")
	}
}
