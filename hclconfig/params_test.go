package hclconfig

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const paramsSrc = `
workflow "w" {}

param "name" {
  default = "world"
}

param "n" {
  type    = number
  default = 1
  validation {
    condition     = param.n >= 1 && param.n <= 10
    error_message = "n must be from 1 to 10."
  }
}

param "src" {
  type    = path
  default = "data/in.txt"
}

param "on" {
  type    = bool
  default = false
}

param "samples" {
  type    = list(string)
  default = []
}

job "a" {
  command = "echo ${param.name} ${param.n} ${param.src} ${param.on} ${args(param.samples)}"
}
`

func TestBindPrecedence(t *testing.T) {
	files := memFS{
		"main.hcl":       paramsSrc,
		"/vf/vars.hcl":   "name = \"from-file\"\nn = 3\nsrc = \"rel.txt\"\nsamples = [\"x\"]\n",
		"/vf/more.json":  `{"n": 4}`,
		"/vf/typed.json": `{"samples": ["j1", "j2"]}`,
	}
	w := mustLoad(t, files)
	tests := []struct {
		name string
		in   ParamInput
		want map[string]cty.Value
	}{
		{"defaults", ParamInput{}, map[string]cty.Value{
			"name": cty.StringVal("world"), "n": cty.NumberIntVal(1), "src": cty.StringVal(mustAbs("data/in.txt")),
			"on": cty.False, "samples": cty.ListValEmpty(cty.String)}},
		{"var file over default; its paths are relative to it", ParamInput{VarFiles: []string{"/vf/vars.hcl"}}, map[string]cty.Value{
			"name": cty.StringVal("from-file"), "n": cty.NumberIntVal(3), "src": cty.StringVal("/vf/rel.txt"),
			"on": cty.False, "samples": cty.ListVal([]cty.Value{cty.StringVal("x")})}},
		{"later var file wins, JSON too", ParamInput{VarFiles: []string{"/vf/vars.hcl", "/vf/more.json", "/vf/typed.json"}}, map[string]cty.Value{
			"name": cty.StringVal("from-file"), "n": cty.NumberIntVal(4), "src": cty.StringVal("/vf/rel.txt"),
			"on": cty.False, "samples": cty.ListVal([]cty.Value{cty.StringVal("j1"), cty.StringVal("j2")})}},
		{"--var over var file, flag over --var", ParamInput{
			VarFiles: []string{"/vf/vars.hcl"},
			Vars:     []string{"name=from-var", "n=5", "on=true", "samples=a, b"},
			Flags:    map[string]string{"n": "6", "src": "flag.txt"},
		}, map[string]cty.Value{
			"name": cty.StringVal("from-var"), "n": cty.NumberIntVal(6), "src": cty.StringVal("/cwd/flag.txt"),
			"on": cty.True, "samples": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})}},
		{"HCL list syntax", ParamInput{Flags: map[string]string{"samples": `["a,b", "c"]`}}, map[string]cty.Value{
			"name": cty.StringVal("world"), "n": cty.NumberIntVal(1), "src": cty.StringVal(mustAbs("data/in.txt")),
			"on": cty.False, "samples": cty.ListVal([]cty.Value{cty.StringVal("a,b"), cty.StringVal("c")})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.ReadFile = files.read
			b := mustBind(t, w, tt.in)
			if diff := cmp.Diff(tt.want, b.Params, cmp.Comparer(func(a, b cty.Value) bool { return a.Equals(b).True() })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func mustAbs(p string) string {
	v := absPath(&Param{IsPath: true}, cty.StringVal(p), ".")
	return v.AsString()
}

func TestBindErrors(t *testing.T) {
	src := paramsSrc + `
param "required" {
  type = number
}
`
	w := mustLoad(t, memFS{"main.hcl": src})
	tests := []struct {
		name string
		in   ParamInput
		want []string // summaries
	}{
		{"missing required", ParamInput{}, []string{"Missing required param"}},
		{"bad number", ParamInput{Flags: map[string]string{"required": "x1"}}, []string{`Invalid value for param "required"`}},
		{"unknown name with hint", ParamInput{Vars: []string{"requird=1"}}, []string{"Unknown param", "Missing required param"}},
		{"malformed --var", ParamInput{Vars: []string{"required"}, Flags: map[string]string{"required": "1"}}, []string{"Invalid --var"}},
		{"validation fails", ParamInput{Flags: map[string]string{"required": "1", "n": "11"}}, []string{`Invalid value for param "n"`}},
		{"bad bool", ParamInput{Flags: map[string]string{"required": "1", "on": "maybe"}}, []string{`Invalid value for param "on"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := w.Bind(tt.in)
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.name == "unknown name with hint" && !strings.Contains(diags[0].Detail, `Did you mean "required"?`) {
				t.Errorf("no hint: %s", diags[0].Detail)
			}
			if tt.name == "validation fails" && diags[0].Detail != "n must be from 1 to 10." {
				t.Errorf("message %q", diags[0].Detail)
			}
		})
	}
}

func TestPathParamIsAnInput(t *testing.T) {
	files := memFS{
		"main.hcl": `
workflow "w" {}
param "src" {
  type = path
}
flow "f" {
  source = "sub/flow.hcl"
  params = { file = param.src, other = "rel.txt" }
}
`,
		"sub/flow.hcl": `
param "file" {
  type = path
}
param "other" {
  type = path
}
job "use" {
  command = "wc -c < ${param.file} ${param.other}"
  inputs  = ["ref.fa"]
}
`,
	}
	w := mustLoad(t, files)
	b := mustBind(t, w, ParamInput{Flags: map[string]string{"src": "reads.fq"}})
	e, diags := b.Snapshot(nil).Expand("f.use")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []string{"/cwd/reads.fq", mustAbs("rel.txt"), mustAbs("sub/ref.fa")}
	sortStrings(want)
	if diff := cmp.Diff(want, e.Instances[0].Inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestFlowParamValidation(t *testing.T) {
	files := memFS{
		"main.hcl": `
flow "ok" {
  source = "f.hcl"
  params = { n = 2 }
}
flow "bad" {
  source = "f.hcl"
  params = { n = 20 }
}
`,
		"f.hcl": `
param "n" {
  type = number
  validation {
    condition     = param.n < 10
    error_message = "n must be below 10."
  }
}
job "j" {
  command = "echo ${param.n}"
}
`,
	}
	s := mustBind(t, mustLoad(t, files), ParamInput{}).Snapshot(nil)
	if _, diags := s.Expand("ok.j"); diags.HasErrors() {
		t.Errorf("ok.j: %v", diags)
	}
	_, diags := s.Expand("bad.j")
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "n must be below 10. (flow bad)") {
		t.Errorf("bad.j: %v", diags)
	}
}
