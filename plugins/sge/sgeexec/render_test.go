package sgeexec

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

// testConfig is a configuration that does not depend on the machine.
func testConfig() config {
	cfg := defaultConfig()
	cfg.SGERoot, cfg.SGECell, cfg.User = "/var/lib/gridengine", "default", "alice"
	return cfg
}

func upstream(id int, st handleState) pluginapi.Handle {
	st.Submitted = 1795671000
	return encodeHandle(id, st)
}

func renderCases() map[string]pluginapi.JobSpec {
	engine := pluginapi.JobSpec{
		RunID: "r1", Task: "align", WorkDir: "/scratch/run/align",
		Script: "exec /opt/reflow/bin/reflow worker --run-dir /scratch/run --task align --attempt 1\n",
		Stdout: "/scratch/run/.reflow/logs/align.a1.job.out", Stderr: "/scratch/run/.reflow/logs/align.a1.job.err",
		Resources: map[string]string{"cpus": "4", "mem": "8G", "time": "1h30m", "queue": "all.q", "project": "genomics"},
	}
	array := pluginapi.JobSpec{
		RunID: "r1", Task: "upper", WorkDir: "/scratch/run/upper",
		Script: "exec /opt/reflow/bin/reflow worker --run-dir /scratch/run --task upper --attempt 1\n",
		Stdout: "/scratch/run/.reflow/logs/upper.{index}.a1.job.out", Stderr: "/scratch/run/.reflow/logs/upper.{index}.a1.job.err",
		Resources: map[string]string{"mem": "1G", "time": "5m"},
		Array:     &pluginapi.ArraySpec{Size: 4, Offset: 2, Parallelism: 2},
	}
	withEnv := pluginapi.JobSpec{
		Task: "2 odd:name", WorkDir: "/work/dir with space",
		Script: "echo \"$GREETING\"\nexit 0",
		Stdout: "/work/dir with space/out", Stderr: "/work/dir with space/out",
		Env:     map[string]string{"GREETING": "it's a \"test\"", "PLAIN": "x"},
		Options: map[string]string{"l": "arch=lx-amd64", "notify": "", "-m": "ea"},
	}
	tricky := pluginapi.JobSpec{
		Task: "tricky", WorkDir: "/w",
		Script: "#$ -N hijack\ncat <<'REFLOW_SCRIPT'\nREFLOW_SCRIPT\n",
		Stdout: "/w/o", Stderr: "/w/e",
	}
	deps := array
	deps.Task = "downstream"
	deps.Array = &pluginapi.ArraySpec{Size: 4, Offset: 2}
	deps.Dependencies = []pluginapi.Dependency{
		{Kind: pluginapi.AfterOK, Handle: upstream(101, handleState{})},
		{Kind: pluginapi.AfterAny, Handle: upstream(102, handleState{})},
		{Kind: pluginapi.Elementwise, Handle: upstream(103, handleState{Size: 4, Offset: 2})},
	}
	anyOnly := engine
	anyOnly.Task = "after-any"
	anyOnly.Resources = nil
	anyOnly.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: upstream(102, handleState{})}}
	return map[string]pluginapi.JobSpec{
		"engine": engine, "array": array, "env-options": withEnv, "tricky": tricky, "deps": deps, "afterany": anyOnly,
	}
}

// TestRenderGolden compares the rendered submission with the files in
// testdata/render; -update rewrites them.
func TestRenderGolden(t *testing.T) {
	for name, spec := range renderCases() {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig()
			sub, diags := build(&cfg, &spec)
			if diags.HasErrors() {
				t.Fatalf("build: %v", diags.Err())
			}
			got := "argv: " + strings.Join(sub.argv, " ") + "\n---\n" + sub.script
			path := filepath.Join("testdata", "render", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("rendered %s (-want +got):\n%s", name, d)
			}
			if !strings.Contains(sub.script, spec.Script) {
				t.Error("the script does not contain the job's Script verbatim")
			}
		})
	}
}

// TestRenderScriptRuns runs the rendered script body with bash, the way an
// execution host would, for an array element and for a job with tricky
// env values and a Script full of traps.
func TestRenderScriptRuns(t *testing.T) {
	dir := t.TempDir()
	spec := pluginapi.JobSpec{Task: "t", WorkDir: dir,
		Script: "#$ -N x\nprintf '%s|%s|%s\\n' \"$REFLOW_INDEX\" \"$V\" \"$0\"\necho err >&2\nread -r line || echo stdin-empty\nexit 7\n",
		Stdout: filepath.Join(dir, "logs", "o.{index}"), Stderr: filepath.Join(dir, "logs", "e.{index}"),
		Env:   map[string]string{"V": "a 'b' \"c\" $d", "REFLOW_INDEX": "ignored"},
		Array: &pluginapi.ArraySpec{Size: 3, Offset: 4}}
	cfg := testConfig()
	sub, diags := build(&cfg, &spec)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	script := filepath.Join(dir, "job.sh")
	if err := os.WriteFile(script, []byte(sub.script), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := runBash(t, script, dir, "SGE_TASK_ID=6") // native task 6 = engine index 5
	if rc != 7 {
		t.Errorf("exit status %d, want the Script's 7", rc)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "logs", "o.5"))
	if want := "5|a 'b' \"c\" $d|/dev/fd/3\nstdin-empty\n"; string(out) != want {
		t.Errorf("element stdout %q, want %q", out, want)
	}
	errOut, _ := os.ReadFile(filepath.Join(dir, "logs", "e.5"))
	if string(errOut) != "err\n" {
		t.Errorf("element stderr %q", errOut)
	}
}

func TestRenderRejects(t *testing.T) {
	base := pluginapi.JobSpec{Task: "t", WorkDir: "/w", Script: "true\n", Stdout: "/w/o", Stderr: "/w/e"}
	cases := []struct {
		name string
		edit func(*pluginapi.JobSpec, *config)
		attr string
	}{
		{"unknown key", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"no_such_key": "1"} }, "resources.no_such_key"},
		{"qos", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"qos": "high"} }, "resources.qos"},
		{"bad mem", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"mem": "lots"} }, "resources.mem"},
		{"gpus without gpu_resource", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"gpus": "1"} }, "resources.gpus"},
		{"nodes", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"nodes": "2"} }, "resources.nodes"},
		{"tasks without MPI PE", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"tasks": "8"} }, "resources.tasks"},
		{"cpus without PE", func(s *pluginapi.JobSpec, c *config) { s.Resources = map[string]string{"cpus": "2"}; c.PE = "" }, "resources.cpus"},
		{"queue with space", func(s *pluginapi.JobSpec, _ *config) { s.Resources = map[string]string{"queue": "all.q -l x"} }, "resources.partition"},
		{"managed option", func(s *pluginapi.JobSpec, _ *config) { s.Options = map[string]string{"N": "x"} }, "options.N"},
		{"bad option name", func(s *pluginapi.JobSpec, _ *config) { s.Options = map[string]string{"l x": "1"} }, "options.l x"},
		{"option newline", func(s *pluginapi.JobSpec, _ *config) { s.Options = map[string]string{"l": "a=1\n#$ -N x"} }, "options.l"},
		{"env name", func(s *pluginapi.JobSpec, _ *config) { s.Env = map[string]string{"A-B": "1"} }, "env.A-B"},
		{"path newline", func(s *pluginapi.JobSpec, _ *config) { s.Stdout = "/w/o\n#$ -N x" }, "stdout"},
		{"relative work dir", func(s *pluginapi.JobSpec, _ *config) { s.WorkDir = "w" }, "work_dir"},
		{"empty script", func(s *pluginapi.JobSpec, _ *config) { s.Script = " \n" }, "script"},
		{"empty array", func(s *pluginapi.JobSpec, _ *config) { s.Array = &pluginapi.ArraySpec{} }, "array.size"},
		{"array too big", func(s *pluginapi.JobSpec, c *config) { s.Array = &pluginapi.ArraySpec{Size: 11}; c.MaxArraySize = 10 }, "array.size"},
		{"any-of", func(s *pluginapi.JobSpec, _ *config) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: upstream(5, handleState{}), Group: "g"}}
		}, "dependencies[0].group"},
		{"foreign handle", func(s *pluginapi.JobSpec, _ *config) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: pluginapi.Handle{ID: "5"}}}
		}, "dependencies[0].handle"},
		{"element-wise, not an array", func(s *pluginapi.JobSpec, _ *config) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: upstream(5, handleState{Size: 2})}}
		}, "dependencies[0].kind"},
		{"element-wise, other shape", func(s *pluginapi.JobSpec, _ *config) {
			s.Array = &pluginapi.ArraySpec{Size: 3}
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: upstream(5, handleState{Size: 2})}}
		}, "dependencies[0].handle"},
		{"unknown kind", func(s *pluginapi.JobSpec, _ *config) {
			s.Dependencies = []pluginapi.Dependency{{Kind: "afternotok", Handle: upstream(5, handleState{})}}
		}, "dependencies[0].kind"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, cfg := base, testConfig()
			tc.edit(&spec, &cfg)
			_, diags := build(&cfg, &spec)
			if !hasError(diags, tc.attr) {
				t.Errorf("want an error about %q, got %v", tc.attr, diags)
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

// TestRenderAPI goes through the Render method, as the host calls it.
func TestRenderAPI(t *testing.T) {
	e := NewWithRunner(nil)
	spec := renderCases()["engine"]
	r, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Render: %v %v", err, r.Diagnostics)
	}
	if r.Argv[0] != "qsub" || r.Argv[1] != "-terse" || !strings.Contains(r.Script, "#$ -pe smp 4\n") {
		t.Errorf("Render: %q\n%s", r.Argv, r.Script)
	}
}
