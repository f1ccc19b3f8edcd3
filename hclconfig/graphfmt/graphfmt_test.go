package graphfmt

import (
	"bytes"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/hclconfig"
)

var update = flag.Bool("update", false, "rewrite golden files")

var formats = map[string]func(io.Writer, *hclconfig.Workflow, Sizer) error{
	"txt": Text, "dot": DOT, "mmd": Mermaid,
}

// TestGolden draws every example in every format and compares with
// testdata/<example>.<format>. Params are left unset except chain's
// samples, so one static array shows its size and the others do not.
func TestGolden(t *testing.T) {
	examples, _ := filepath.Glob("../../examples/*.hcl")
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range examples {
		name := strings.TrimSuffix(filepath.Base(path), ".hcl")
		w, diags := hclconfig.Load(path, hclconfig.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", path, diags)
		}
		b, _ := w.Bind(hclconfig.ParamInput{Vars: []string{"samples=a,b,c"}[:boolInt(w.Param("samples") != nil)]})
		for ext, draw := range formats {
			t.Run(name+"."+ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := draw(&buf, w, b.Snapshot(nil)); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", name+"."+ext), buf.Bytes())
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestMermaidShowsFlowsAsGroups checks what the golden file shows, so a
// careless -update cannot bless a graph without its flow groups.
func TestMermaidShowsFlowsAsGroups(t *testing.T) {
	w, diags := hclconfig.Load("../../examples/pipeline.hcl", hclconfig.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var buf bytes.Buffer
	if err := Mermaid(&buf, w, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`subgraph f0["flow left"]`, `subgraph f1["flow right"]`, "-->|data|"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q in:\n%s", want, buf.String())
		}
	}
}

// TestDOTRendersWithGraphviz runs Graphviz on the DOT of every example.
func TestDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz (dot) not installed")
	}
	examples, _ := filepath.Glob("../../examples/*.hcl")
	for _, path := range examples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			w, diags := hclconfig.Load(path, hclconfig.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var in bytes.Buffer
			if err := DOT(&in, w, nil); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin = &in
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || !bytes.Contains(out, []byte("<svg")) {
				t.Fatalf("dot -Tsvg: %v\n%s", err, stderr.String())
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
