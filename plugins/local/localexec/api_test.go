package localexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestInfo(t *testing.T) {
	r, err := New().Info(context.Background(), &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "local" || r.ProtocolVersion != pluginapi.ProtocolVersion || r.Version == "" {
		t.Errorf("identity = %q %q %d", r.Name, r.Version, r.ProtocolVersion)
	}
	want := pluginapi.Capabilities{Arrays: true, MaxArraySize: maxArraySize, ArrayIndexBase: 0, Throttle: true,
		Dependencies: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise}, AnyOf: true}
	if d := cmp.Diff(want, r.Capabilities); d != "" {
		t.Errorf("capabilities (-want +got):\n%s", d)
	}
	var keys, settings []string
	for _, k := range r.ResourceKeys {
		keys = append(keys, k.Name)
		if k.Name == "cpus" && len(k.Aliases) == 0 {
			t.Errorf("cpus has no aliases")
		}
	}
	for _, s := range r.Settings {
		settings = append(settings, s.Name)
	}
	if d := cmp.Diff([]string{"cpus", "mem", "time", "array_parallelism"}, keys); d != "" {
		t.Errorf("resource keys (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"slots", "state_dir", "kill_grace"}, settings); d != "" {
		t.Errorf("settings (-want +got):\n%s", d)
	}
}

func attrs(ds pluginapi.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		if d.Severity == pluginapi.Error {
			out = append(out, d.Attribute)
		}
	}
	return out
}

func TestConfigureDiagnostics(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		settings map[string]any
		want     []string
	}{
		{"defaults", nil, nil},
		{"valid", map[string]any{"slots": 3.0, "state_dir": dir, "kill_grace": "1s"}, nil},
		{"slots not a number", map[string]any{"slots": "four"}, []string{"settings.slots"}},
		{"slots zero", map[string]any{"slots": 0.0}, []string{"settings.slots"}},
		{"slots fractional", map[string]any{"slots": 1.5}, []string{"settings.slots"}},
		{"state_dir not a string", map[string]any{"state_dir": 3.0}, []string{"settings.state_dir"}},
		{"state_dir empty", map[string]any{"state_dir": ""}, []string{"settings.state_dir"}},
		{"state_dir not creatable", map[string]any{"state_dir": "/proc/nope"}, []string{"settings.state_dir"}},
		{"bad kill_grace", map[string]any{"kill_grace": "soon"}, []string{"settings.kill_grace"}},
		{"unknown key", map[string]any{"bogus": true, "slots": 2.0}, []string{"settings.bogus"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.settings == nil {
				t.Setenv("XDG_STATE_HOME", t.TempDir())
			}
			r, err := New().Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: tc.settings})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, attrs(r.Diagnostics)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%v", d, r.Diagnostics)
			}
		})
	}
}

func TestSubmitDiagnostics(t *testing.T) {
	h := newHarness(t, map[string]any{"slots": 2.0})
	up := h.submit(h.spec("true"))
	tests := []struct {
		name string
		edit func(*pluginapi.JobSpec)
		want []string
	}{
		{"unknown key", func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"gpus": "1"} }, []string{"resources.gpus"}},
		{"bad mem", func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"mem": "lots"} }, []string{"resources.mem"}},
		{"mem is fine", func(s *pluginapi.JobSpec) {
			s.Resources = map[string]string{"memory": "1G", "cpus": "2", "walltime": "1h"}
		}, nil},
		{"more cpus than slots", func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"cpus": "3"} }, []string{"resources.cpus"}},
		{"bad time", func(s *pluginapi.JobSpec) { s.Resources = map[string]string{"time": "forever"} }, []string{"resources.time"}},
		{"missing work dir", func(s *pluginapi.JobSpec) { s.WorkDir = "/does/not/exist" }, []string{"work_dir"}},
		{"relative work dir", func(s *pluginapi.JobSpec) { s.WorkDir = "rel" }, []string{"work_dir"}},
		{"empty array", func(s *pluginapi.JobSpec) { s.Array = &pluginapi.ArraySpec{Size: 0} }, []string{"array.size"}},
		{"huge array", func(s *pluginapi.JobSpec) { s.Array = &pluginapi.ArraySpec{Size: 1 << 40} }, []string{"array.size"}},
		{"garbage handle", func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: up},
				{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "local-x", State: []byte("garbage")}}}
		}, []string{"dependencies[1].handle"}},
		{"handle of a vanished job", func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny,
				Handle: encodeHandle("local-gone", filepath.Join(h.stateDir, "jobs", "local-gone"))}}
		}, []string{"dependencies[0].handle"}},
		{"bad kind", func(s *pluginapi.JobSpec) {
			s.Dependencies = []pluginapi.Dependency{{Kind: "before", Handle: up}}
		}, []string{"dependencies[0].kind"}},
		{"elementwise on a plain job from an array", func(s *pluginapi.JobSpec) {
			s.Array = &pluginapi.ArraySpec{Size: 2}
			s.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up}}
		}, []string{"dependencies[0].kind"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := h.spec("true")
			tc.edit(&spec)
			r, err := h.e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, attrs(r.Diagnostics)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%v", d, r.Diagnostics)
			}
			if tc.want != nil && r.Handle.ID != "" {
				t.Errorf("a refused job got handle %q", r.Handle.ID)
			}
			if r.Handle.ID != "" {
				h.handles = append(h.handles, r.Handle)
			}
		})
	}
}

func TestRender(t *testing.T) {
	h := newHarness(t, nil)
	spec := h.spec("echo hello\n")
	spec.Resources = map[string]string{"cpus": "1", "time": "90m"}
	spec.Array = &pluginapi.ArraySpec{Size: 4, Offset: 2, Parallelism: 2}
	spec.Env = map[string]string{"B": "2", "A": "1"}
	render := func() *pluginapi.RenderResponse {
		r, err := h.e.Render(context.Background(), &pluginapi.RenderRequest{Job: spec})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := render(), render()
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("Render is not deterministic:\n%s", d)
	}
	if a.Argv[0] != "bash" || !strings.HasSuffix(a.Argv[1], "run.sh") {
		t.Errorf("argv = %q", a.Argv)
	}
	for _, want := range []string{"#LOCAL cpus=1", "#LOCAL time=1h30m", "#LOCAL array=2-5%2", "#LOCAL env=A,B", "echo hello\n"} {
		if !strings.Contains(a.Script, want) {
			t.Errorf("script lacks %q:\n%s", want, a.Script)
		}
	}
	// Submit writes exactly the rendered script.
	hd := h.submit(spec)
	dir, _ := decodeHandle(hd)
	got, _ := os.ReadFile(jobScript(dir))
	if d := cmp.Diff(a.Script, string(got)); d != "" {
		t.Errorf("job.sh differs from Render (-render +file):\n%s", d)
	}
	spec.Resources = map[string]string{"gpus": "1"}
	if r := render(); !cmp.Equal(attrs(r.Diagnostics), []string{"resources.gpus"}) {
		t.Errorf("Render diagnostics = %v", r.Diagnostics)
	}
}

// TestNeverPanics feeds the executor nonsense; it must answer, not panic.
func TestNeverPanics(t *testing.T) {
	h := newHarness(t, map[string]any{"slots": 1.0})
	ctx := context.Background()
	e := h.e
	_, _ = e.Info(ctx, nil)
	_, _ = e.Configure(ctx, nil)
	_, _ = e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: map[string]any{"slots": nil, "state_dir": []any{1}}})
	_, _ = e.Configure(ctx, &pluginapi.ConfigureRequest{Settings: h.settings})
	_, _ = e.Render(ctx, nil)
	_, _ = e.Submit(ctx, nil)
	_, _ = e.Poll(ctx, nil)
	_, _ = e.Cancel(ctx, nil)
	specs := []pluginapi.JobSpec{
		{},
		{WorkDir: h.work, Array: &pluginapi.ArraySpec{Size: -1, Offset: -5, Parallelism: -1}},
		{WorkDir: h.work, Resources: map[string]string{"cpus": "-1", "time": "-5m", "mem": "", "": ""}},
		{WorkDir: h.work, Env: map[string]string{"": "x", "A=B": "y"}},
		{WorkDir: h.work, Dependencies: []pluginapi.Dependency{{}, {Kind: pluginapi.Elementwise, Handle: pluginapi.Handle{ID: "x", State: []byte(`{"v":1,"dir":"/"}`)}}}},
		{WorkDir: h.work, Dependencies: []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "local-1", State: []byte(`{"v":1,"dir":"/etc/local-1"}`)}}}},
	}
	for i, s := range specs {
		r, err := e.Submit(ctx, &pluginapi.SubmitRequest{Job: s})
		if err != nil {
			t.Errorf("spec %d: Go error %v", i, err)
		} else if !r.Diagnostics.HasErrors() {
			t.Errorf("spec %d accepted", i)
		}
		_, _ = e.Render(ctx, &pluginapi.RenderRequest{Job: s})
	}
	weird := []pluginapi.Handle{{}, {ID: "a"}, {ID: "a", State: []byte("{")}, {ID: "..", State: []byte(`{"v":1,"dir":"/.."}`)}}
	r, err := e.Poll(ctx, &pluginapi.PollRequest{Handles: weird})
	if err != nil || len(r.Jobs) != len(weird) {
		t.Fatalf("Poll: %v %d", err, len(r.Jobs))
	}
	if _, err := e.Cancel(ctx, &pluginapi.CancelRequest{Handles: weird}); err != nil {
		t.Fatal(err)
	}
}
