package hclconfig

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fileLineCol = regexp.MustCompile(`(?m)^testdata/invalid/\S+\.hcl:\d+:\d+: error: `)

// golden compares got with the file at path, or rewrites it with -update.
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

// testReserved stands in for reflow apply's built-in flags.
var testReserved = []string{"executor", "var", "var-file", "help"}

// TestExamplesValidate loads every example workflow: they are the language's
// contract, so each must load without a single diagnostic.
func TestExamplesValidate(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.hcl")
	flows, _ := filepath.Glob("../examples/flows/*.hcl")
	files = append(files, flows...)
	if len(files) < 6 {
		t.Fatalf("found only %d example files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			w, diags := Load(f, Options{ReservedParams: testReserved})
			if len(diags) > 0 {
				var buf bytes.Buffer
				_ = WriteDiagnostics(&buf, w.Files(), diags)
				t.Fatalf("diagnostics:\n%s", buf.String())
			}
			if len(w.Jobs) == 0 {
				t.Errorf("no jobs decoded")
			}
		})
	}
}

// TestInvalidWorkflows loads every file in testdata/invalid: each must fail,
// and its diagnostics (as reflow prints them) must match the golden file.
func TestInvalidWorkflows(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.hcl")
	if len(files) < 25 {
		t.Fatalf("want at least 25 invalid workflows, found %d", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".hcl")
		t.Run(name, func(t *testing.T) {
			w, diags := Load(f, Options{ReservedParams: testReserved})
			if !diags.HasErrors() {
				t.Fatalf("loaded without errors")
			}
			var buf bytes.Buffer
			if err := WriteDiagnostics(&buf, w.Files(), diags); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			// Every diagnostic names file:line:col and marks the spot.
			if !fileLineCol.MatchString(out) || !strings.Contains(out, "^") {
				t.Errorf("output lacks file:line:col or a caret:\n%s", out)
			}
			golden(t, strings.TrimSuffix(f, ".hcl")+".golden", buf.Bytes())
		})
	}
}
