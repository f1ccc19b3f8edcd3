package hclconfig

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// summary is what a test checks of an expansion.
type summary struct {
	Size     int
	Commands []string // Command when known, else "?" + Preview
	Consumes [][]Ref
	WorkDirs []string
}

func summarize(e *Expansion) summary {
	s := summary{Size: e.Size}
	for _, in := range e.Instances {
		c := in.Command
		if !in.Known {
			c = "?" + in.Preview
		}
		s.Commands = append(s.Commands, c)
		s.Consumes = append(s.Consumes, in.Consumes)
		s.WorkDirs = append(s.WorkDirs, in.WorkDir())
	}
	return s
}

func readExample(t *testing.T, names ...string) memFS {
	t.Helper()
	files := memFS{}
	for i, n := range names {
		b, err := os.ReadFile("../examples/" + n)
		if err != nil {
			t.Fatal(err)
		}
		key := n
		if i == 0 {
			key = "main.hcl"
		}
		files[key] = string(b)
	}
	return files
}

func done(outputs ...string) *Values { return &Values{Outputs: outputs} }
func result(raw string) *Values      { return &Values{Result: []byte(raw)} }

func TestExpandExamples(t *testing.T) {
	etl := readExample(t, "etl.hcl")
	chain := readExample(t, "chain.hcl")
	pipeline := readExample(t, "pipeline.hcl", "flows/qc.hcl")
	mixed := readExample(t, "mixed.hcl")

	tests := []struct {
		name  string
		files memFS
		in    ParamInput
		state map[string]*TaskState
		job   string
		want  summary
	}{
		{
			name: "etl split is static", files: etl,
			in:  ParamInput{Flags: map[string]string{"source": "in put.txt"}},
			job: "split",
			want: summary{Size: 1, Commands: []string{"split -n l/4 -d '/cwd/in put.txt' chunk_"},
				Consumes: [][]Ref{nil}, WorkDirs: []string{"/run/split"}},
		},
		{
			name: "etl upper waits for split", files: etl,
			in:  ParamInput{Flags: map[string]string{"source": "x"}},
			job: "upper", want: summary{Size: -1},
		},
		{
			name: "etl upper fans out over split's outputs", files: etl,
			in:    ParamInput{Flags: map[string]string{"source": "x"}},
			state: map[string]*TaskState{"split": {Instances: []*Values{done("/run/split/chunk_00", "/run/split/chunk 01")}}},
			job:   "upper",
			want: summary{Size: 2,
				Commands: []string{"tr a-z A-Z < /run/split/chunk_00 > up.txt", "tr a-z A-Z < '/run/split/chunk 01' > up.txt"},
				Consumes: [][]Ref{{{"split", -1}}, {{"split", -1}}},
				WorkDirs: []string{"/run/upper/0", "/run/upper/1"}},
		},
		{
			name: "etl join gathers in element order", files: etl,
			in: ParamInput{Flags: map[string]string{"source": "x"}},
			state: map[string]*TaskState{
				"split": {Instances: []*Values{done("/a", "/b")}},
				"upper": {Instances: []*Values{done("/run/upper/0/up.txt"), done("/run/upper/1/up.txt")}},
			},
			job: "join",
			want: summary{Size: 1,
				Commands: []string{"cat /run/upper/0/up.txt /run/upper/1/up.txt > joined.txt\nwc -l < joined.txt | tr -d ' ' > \"$REFLOW_RESULT\"\n"},
				Consumes: [][]Ref{{{"upper", -1}}}, WorkDirs: []string{"/run/join"}},
		},
		{
			name: "etl join not known while an element runs", files: etl,
			in: ParamInput{Flags: map[string]string{"source": "x"}},
			state: map[string]*TaskState{
				"upper": {Instances: []*Values{done("/run/upper/0/up.txt"), nil}},
			},
			job: "join",
			want: summary{Size: 1,
				Commands: []string{"?cat ${args(flatten(job.upper.outputs))} > joined.txt\nwc -l < joined.txt | tr -d ' ' > \"$REFLOW_RESULT\"\n"},
				Consumes: [][]Ref{{{"upper", -1}}}, WorkDirs: []string{"/run/join"}},
		},
		{
			name: "chain measure is a static array", files: chain,
			in:  ParamInput{Vars: []string{"samples=s1,s22"}},
			job: "measure",
			want: summary{Size: 2,
				Commands: []string{`printf '%s' s1 | wc -c | tr -d ' ' > "$REFLOW_RESULT"`, `printf '%s' s22 | wc -c | tr -d ' ' > "$REFLOW_RESULT"`},
				Consumes: [][]Ref{nil, nil}, WorkDirs: []string{"/run/measure/0", "/run/measure/1"}},
		},
		{
			name: "chain double element i needs measure i only", files: chain,
			in:    ParamInput{Vars: []string{"samples=s1,s22"}},
			state: map[string]*TaskState{"measure": {Instances: []*Values{nil, result("3\n")}}},
			job:   "double",
			want: summary{Size: 2,
				Commands: []string{`?echo $(( ${each.value} * 2 )) > "$REFLOW_RESULT"`, `echo $(( 3 * 2 )) > "$REFLOW_RESULT"`},
				Consumes: [][]Ref{{{"measure", 0}}, {{"measure", 1}}},
				WorkDirs: []string{"/run/double/0", "/run/double/1"}},
		},
		{
			name: "chain total gathers double", files: chain,
			in: ParamInput{Vars: []string{"samples=s1,s22"}},
			state: map[string]*TaskState{
				"measure": {Instances: []*Values{result("2"), result("3")}},
				"double":  {Instances: []*Values{result("4\n"), result("6\n")}},
			},
			job: "total",
			want: summary{Size: 1, Commands: []string{`echo $(( 4 + 6 )) > "$REFLOW_RESULT"`},
				Consumes: [][]Ref{{{"double", -1}}}, WorkDirs: []string{"/run/total"}},
		},
		{
			name: "pipeline flow jobs are prefixed and get their params", files: pipeline,
			job: "right.count",
			want: summary{Size: 1, Commands: []string{`printf '%s' 'one two three' | wc -w | tr -d ' ' > "$REFLOW_RESULT"`},
				Consumes: [][]Ref{nil}, WorkDirs: []string{"/run/right.count"}},
		},
		{
			name: "pipeline summary reads flow outputs", files: pipeline,
			state: map[string]*TaskState{
				"left.count":   {Instances: []*Values{result("2\n")}},
				"left.report":  {Instances: []*Values{done("/run/left.report/report.txt")}},
				"right.count":  {Instances: []*Values{result("3\n")}},
				"right.report": {Instances: []*Values{done("/run/right.report/report.txt")}},
			},
			job: "summary",
			want: summary{Size: 1,
				Commands: []string{"cat /run/left.report/report.txt /run/right.report/report.txt > summary.txt\necho $(( 2 + 3 )) > \"$REFLOW_RESULT\"\n"},
				Consumes: [][]Ref{{{"left.count", -1}, {"left.report", -1}, {"right.count", -1}, {"right.report", -1}}},
				WorkDirs: []string{"/run/summary"}},
		},
		{
			name: "mixed train reads a JSON result", files: mixed,
			state: map[string]*TaskState{"prepare": {Instances: []*Values{result(`{"rows": 100}`)}}},
			job:   "train",
			want: summary{Size: 1, Commands: []string{"echo rows=100 > m.bin"},
				Consumes: [][]Ref{{{"prepare", -1}}}, WorkDirs: []string{"/run/train"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := mustLoad(t, tt.files)
			b := mustBind(t, w, tt.in)
			e, diags := b.Snapshot(&State{RunDir: "/run", RunID: "r1", Tasks: tt.state}).Expand(tt.job)
			if diags.HasErrors() {
				t.Fatalf("expand: %v", diags)
			}
			if diff := cmp.Diff(tt.want, summarize(e)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

const fanOutSrc = `
workflow "w" {}

job "list" {
  command = "ls > /dev/null"
  outputs = ["*.txt"]
}

job "each" {
  for_each    = job.list.outputs
  allow_empty = ALLOW
  command     = "wc -c ${each.value}"
}

job "after_all" {
  command = "echo ${length(job.each.outputs)}"
}
`

func TestFanOutOverZeroItems(t *testing.T) {
	state := &State{RunDir: "/run", Tasks: map[string]*TaskState{"list": {Instances: []*Values{done()}}}}
	t.Run("error without allow_empty", func(t *testing.T) {
		w := mustLoad(t, memFS{"main.hcl": strings.Replace(fanOutSrc, "ALLOW", "false", 1)})
		_, diags := mustBind(t, w, ParamInput{}).Snapshot(state).Expand("each")
		if !diags.HasErrors() || diags[0].Summary != "for_each over zero items" {
			t.Fatalf("want a zero-items error, got %v", diags)
		}
	})
	t.Run("empty with allow_empty", func(t *testing.T) {
		w := mustLoad(t, memFS{"main.hcl": strings.Replace(fanOutSrc, "ALLOW", "true", 1)})
		s := mustBind(t, w, ParamInput{}).Snapshot(state)
		e, diags := s.Expand("each")
		if diags.HasErrors() || e.Size != 0 {
			t.Fatalf("size %d, diags %v", e.Size, diags)
		}
		after, diags := s.Expand("after_all")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := after.Instances[0].Command; got != "echo 0" {
			t.Errorf("dependent saw %q, want an empty list", got)
		}
	})
}

func TestEdgeKinds(t *testing.T) {
	src := `
workflow "w" {}

param "n" {
  type    = number
  default = 3
}

job "one" {
  command = "date > $REFLOW_RESULT"
}

job "arr" {
  for_each = range(param.n)
  command  = "echo ${each.value} ${job.one.result}"
  outputs  = ["o"]
}

job "chain" {
  for_each = job.arr.outputs
  command  = "cat ${args(each.value)}"
}

job "bcast" {
  for_each = job.arr.outputs
  command  = "cat ${args(flatten(job.arr.outputs))} ${each.index}"
}

job "regather" {
  for_each = flatten(job.arr.outputs)
  command  = "cat ${each.value}"
}

job "fan" {
  for_each = job.one.result
  command  = "echo ${each.key}"
}

job "sum" {
  after   = [job.fan]
  command = "echo ${length(job.chain.result)}"
}
`
	w := mustLoad(t, memFS{"main.hcl": src})
	got := map[string]string{}
	for _, e := range w.Edges {
		got[e.From+"->"+e.To] = e.Kind.String()
	}
	want := map[string]string{
		"one->arr":      "broadcast",
		"arr->chain":    "element-wise",
		"arr->bcast":    "broadcast",
		"arr->regather": "gather",
		"one->fan":      "fan-out",
		"fan->sum":      "after",
		"chain->sum":    "gather",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	kinds := map[string]string{}
	for _, j := range w.Jobs {
		kinds[j.Name] = j.Kind.String()
	}
	wantKinds := map[string]string{
		"one": "singleton", "arr": "static array", "chain": "element-wise array",
		"bcast": "element-wise array", "regather": "dynamic array", "fan": "dynamic array", "sum": "singleton",
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}

	// chain's size follows arr's, known at plan time; a broadcast element
	// consumes all of arr, an element-wise one only its own element.
	s := mustBind(t, w, ParamInput{}).Snapshot(nil)
	for job, want := range map[string][]Ref{
		"chain": {{"arr", 1}},
		"bcast": {{"arr", -1}},
	} {
		e, diags := s.Expand(job)
		if diags.HasErrors() || e.Size != 3 {
			t.Fatalf("%s: size %d, %v", job, e.Size, diags)
		}
		if diff := cmp.Diff(want, e.Instances[1].Consumes); diff != "" {
			t.Errorf("%s[1] consumes (-want +got):\n%s", job, diff)
		}
	}
}

func TestMapForEachKeys(t *testing.T) {
	src := `
workflow "w" {}

job "m" {
  for_each = { b = "two", a = "one" }
  command  = "echo ${each.key} ${each.value} ${each.index}"
  env      = { WHICH = each.key }
  resources {
    mem = each.key == "a" ? "1G" : "2G"
  }
}
`
	w := mustLoad(t, memFS{"main.hcl": src})
	e, diags := mustBind(t, w, ParamInput{}).Snapshot(&State{RunDir: "/r"}).Expand("m")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, in := range e.Instances {
		got = append(got, in.Key+"|"+in.Command+"|"+in.Env["WHICH"]+"|"+in.Resources.Values["mem"].(string))
	}
	want := []string{"a|echo a one 0|a|1G", "b|echo b two 1|b|2G"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestExpandLargeArrayInParallel: an array big enough to be filled by
// several goroutines gives every element its own values, with the workflow
// defaults applied, and reports per-element errors in element order (run
// with -race to check the fill shares nothing it writes).
func TestExpandLargeArrayInParallel(t *testing.T) {
	src := `
workflow "w" {
  resources {
    cpus = 3
  }
}

job "big" {
  for_each = range(5000)
  command  = "echo ${each.value} ${[100][each.value % 1000 == 999 ? 5 : 0]}"
  env      = { I = each.index }
  resources {
    mem = "${each.value % 7 + 1}G"
  }
}
`
	w := mustLoad(t, memFS{"main.hcl": src})
	e, diags := mustBind(t, w, ParamInput{}).Snapshot(&State{RunDir: "/r"}).Expand("big")
	if e.Size != 5000 || len(e.Instances) != 5000 {
		t.Fatalf("size %d with %d instances, want 5000", e.Size, len(e.Instances))
	}
	for i, in := range e.Instances {
		if i%1000 == 999 {
			continue // the element whose command indexes out of range
		}
		want := fmt.Sprintf("echo %d 100", i)
		if in.Index != i || in.Command != want || in.Env["I"] != strconv.Itoa(i) ||
			in.Resources.Values["mem"] != fmt.Sprintf("%dG", i%7+1) || in.Resources.Values["cpus"] == nil {
			t.Fatalf("element %d: index %d command %q env %v resources %v", i, in.Index, in.Command, in.Env, in.Resources.Values)
		}
	}
	var bad []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			bad = append(bad, d.Detail[strings.LastIndex(d.Detail, "(element"):])
		}
	}
	want := []string{`(element 999, key "999")`, `(element 1999, key "1999")`, `(element 2999, key "2999")`,
		`(element 3999, key "3999")`, `(element 4999, key "4999")`}
	if diff := cmp.Diff(want, bad); diff != "" {
		t.Errorf("error details (-want +got):\n%s", diff)
	}
}
