package hclconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFunctions evaluates each function through a command, the way users
// call them; the rendered text (quoted as interpolations are) is compared.
func TestFunctions(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`basename("/a/b/c.txt")`, "c.txt"},
		{`dirname("/a/b/c.txt")`, "/a/b"},
		{`file("data/x.txt")`, "'hello\n'"},
		{`trimspace(file("data/x.txt"))`, "hello"},
		{`args(flatten([["a"], ["b", "c d"]]))`, "a b 'c d'"},
		{`raw("a && b")`, "a && b"},
		{`length(range(100000))`, "100000"},
		{`jsonencode(range(2, 8, 2))`, "'[2,4,6]'"},
		{`jsonencode(range(3, 0))`, "'[3,2,1]'"},
		{`format("%s-%03d", "s", 7)`, "s-007"},
		{`join(",", ["a", "b"])`, "a,b"},
		{`length("grüße")`, "5"},
		{`length({a = 1, b = 2})`, "2"},
		{`jsondecode("{\"a\": [1, 2]}").a[1]`, "2"},
		{`upper("abc")`, "ABC"},
		{`replace("a-b-c", "-", "_")`, "a_b_c"},
		{`max(3, 9, 2)`, "9"},
		{`tostring(4)`, "4"},
		{`element(split(",", "x,y,z"), 1)`, "y"},
		{`lookup({a = "1"}, "b", "dflt")`, "dflt"},
		{`contains(["a"], "a")`, "true"},
		{`workflow.name`, "fn"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := "workflow \"fn\" {}\njob \"j\" {\n  command = \"${" + tt.expr + "}\"\n}\n"
			w := mustLoad(t, memFS{"main.hcl": src, "data/x.txt": "hello\n"})
			e, diags := mustBind(t, w, ParamInput{}).Snapshot(nil).Expand("j")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.want, e.Instances[0].Command); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctionErrors(t *testing.T) {
	tests := []struct{ expr, summary string }{
		{`range(2000000)`, "Invalid function argument"},
		{`range(1, 5, 0)`, "Invalid function argument"},
		{`file("missing.txt")`, "Invalid function argument"},
		{`args([["nested"]])`, "Invalid function argument"},
		{`args("not a list")`, "Invalid function argument"},
		{`upper(raw("x"))`, "Invalid function argument"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := "job \"j\" {\n  command = \"${" + tt.expr + "}\"\n}\n"
			w, diags := Load("main.hcl", Options{ReadFile: memFS{"main.hcl": src}.read})
			if !diags.HasErrors() {
				_, diags = mustBind(t, w, ParamInput{}).Snapshot(nil).Expand("j")
			}
			if !diags.HasErrors() || diags[0].Summary != tt.summary {
				t.Fatalf("want %q, got %v", tt.summary, diags)
			}
		})
	}
}
