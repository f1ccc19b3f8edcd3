package hclconfig

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// FuzzLoadExpand feeds arbitrary workflow text through everything a user
// file reaches: parse, validate, print diagnostics, bind params and expand
// every job, before anything ran and after everything did. It must never
// panic or hang, whatever the input.
func FuzzLoadExpand(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*.hcl")
	bad, _ := filepath.Glob("testdata/invalid/*.hcl")
	for _, p := range append(seeds, bad...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	qc, err := os.ReadFile("../examples/flows/qc.hcl")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		files := memFS{"main.hcl": src, "flows/qc.hcl": string(qc), "./flows/qc.hcl": string(qc)}
		w, diags := Load("main.hcl", Options{ReadFile: files.read, ReservedParams: testReserved})
		_ = WriteDiagnostics(io.Discard, w.Files(), diags)
		if diags.HasErrors() {
			return
		}
		in := ParamInput{Flags: map[string]string{}, Dir: "/cwd", ReadFile: files.read}
		for _, p := range w.Params {
			if p.Required() {
				in.Flags[p.Name] = sampleText(p.Type)
			}
		}
		b, diags := w.Bind(in)
		_ = WriteDiagnostics(io.Discard, b.Files(), diags)
		if diags.HasErrors() {
			return
		}
		_, _ = b.Snapshot(nil).ExpandAll()
		// Then pretend every job finished with two outputs and a result.
		st := &State{RunDir: "/run", RunID: "r", Tasks: map[string]*TaskState{}}
		snap := b.Snapshot(nil)
		for _, j := range w.Order() {
			e, _ := snap.Expand(j.Name)
			if e == nil || e.Size < 0 || e.Size > 1000 {
				continue
			}
			vals := make([]*Values, e.Size)
			for i := range vals {
				vals[i] = &Values{Outputs: []string{"/run/a", "/run/b c"}, Result: []byte(`{"n": 2, "s": "x"}`)}
			}
			st.Tasks[j.Name] = &TaskState{Instances: vals}
		}
		_, _ = b.Snapshot(st).ExpandAll()
	})
}

func sampleText(ty cty.Type) string {
	switch {
	case ty == cty.Number:
		return "2"
	case ty == cty.Bool:
		return "true"
	case ty.IsListType() || ty.IsSetType():
		return "a,b"
	case ty == cty.String:
		return "x y"
	}
	return "{}"
}
