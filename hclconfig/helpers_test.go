package hclconfig

import (
	"bytes"
	"io/fs"
	"testing"
)

// memFS serves workflow files from memory, so tests state their sources
// next to their expectations.
type memFS map[string]string

func (m memFS) read(name string) ([]byte, error) {
	if s, ok := m[name]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// mustLoad loads main.hcl from files and fails the test on any diagnostic.
func mustLoad(t testing.TB, files memFS) *Workflow {
	t.Helper()
	w, diags := Load("main.hcl", Options{ReadFile: files.read})
	if len(diags) > 0 {
		var buf bytes.Buffer
		_ = WriteDiagnostics(&buf, w.Files(), diags)
		t.Fatalf("load:\n%s", buf.String())
	}
	return w
}

func mustBind(t testing.TB, w *Workflow, in ParamInput) *Bound {
	t.Helper()
	if in.Dir == "" {
		in.Dir = "/cwd"
	}
	b, diags := w.Bind(in)
	if diags.HasErrors() {
		var buf bytes.Buffer
		_ = WriteDiagnostics(&buf, b.Files(), diags)
		t.Fatalf("bind:\n%s", buf.String())
	}
	return b
}
