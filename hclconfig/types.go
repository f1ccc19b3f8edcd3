package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Workflow is a workflow file and every flow file it uses, decoded and
// checked for everything that does not need param values. It is immutable
// once Load returns it, so the engine may share it between goroutines.
type Workflow struct {
	Name        string
	Description string
	// Executor is the workflow's default executor ("" when the file names
	// none); flags, the environment and the site config override it.
	Executor string
	// File is the path the workflow was loaded from.
	File string
	// Params are the root file's params, in source order. Flow files'
	// params are bound by their flow blocks and are not listed here.
	Params []*Param
	// Jobs are all jobs, flows' included (named FLOW.job), in source order
	// with each flow's jobs where its flow block stands.
	Jobs []*Job
	// Flows are all flow instances, nested ones named OUTER.INNER.
	Flows []*Flow
	// Edges are the dependencies between jobs, each classified.
	Edges []*Edge
	// Outputs are the root file's output blocks.
	Outputs []*Output

	root   *module
	files  map[string]*hcl.File
	byName map[string]*Job
	// defaults holds the workflow block's resources {} (job values win).
	defaults *resourceExprs
}

// Job returns the job with the given full name (FLOW.job for flow jobs).
func (w *Workflow) Job(name string) *Job { return w.byName[name] }

// Param returns the root param with the given name.
func (w *Workflow) Param(name string) *Param {
	for _, p := range w.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Files returns the parsed source files keyed by filename, as hcl's
// diagnostic writer wants them for its source snippets.
func (w *Workflow) Files() map[string]*hcl.File { return w.files }

// Param is one `param "NAME" {}` block.
type Param struct {
	Name string
	// Type is the value type; a path param has cty.String here and IsPath.
	Type   cty.Type
	IsPath bool
	// TypeName is the type as the user wrote it (path, list(string), ...).
	TypeName string
	Help     string
	// Default is cty.NilVal for a required param.
	Default     cty.Value
	Validations []*Validation
	DeclRange   hcl.Range
	// dir is the declaring file's directory: a relative path default is
	// taken from there.
	dir string
}

// Required reports whether the param has no default.
func (p *Param) Required() bool { return p.Default == cty.NilVal }

// Validation is a `validation { condition, error_message }` block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// ArrayKind says how a job's instances are formed.
type ArrayKind int

const (
	// Singleton is a job without for_each: one instance.
	Singleton ArrayKind = iota
	// StaticArray is a for_each over values known at plan time (literals,
	// params): its size is known before anything runs.
	StaticArray
	// DynamicArray is a for_each over upstream values: it is sized when the
	// jobs it reads have finished (dynamic fan-out, or gather then fan-out).
	DynamicArray
	// ElementWise is a for_each over job.A.<attr> where A is an array:
	// element i depends on A's element i only, and the size is A's.
	ElementWise
)

func (k ArrayKind) String() string {
	switch k {
	case Singleton:
		return "singleton"
	case StaticArray:
		return "static array"
	case DynamicArray:
		return "dynamic array"
	case ElementWise:
		return "element-wise array"
	}
	return "unknown"
}

// IsArray reports whether the job has for_each.
func (k ArrayKind) IsArray() bool { return k != Singleton }

// Job is one `job "NAME" {}` block, in the root file or a flow.
type Job struct {
	// Name is the full name: FLOW.job for flow jobs (nested: A.B.job).
	Name string
	// Local is the name in its own file.
	Local string
	// Flow is the full name of the flow instance the job belongs to, or "".
	Flow string
	Kind ArrayKind
	// Source is the upstream job an ElementWise job is chained to, or the
	// singleton a DynamicArray fans out from when for_each names exactly
	// job.A.outputs or job.A.result; "" otherwise.
	Source string
	// Executor is the per-job override ("" = the workflow's choice).
	Executor string
	// Cache is false when the job must always run.
	Cache bool
	// Version is mixed into the cache identity ("" when not set).
	Version    string
	AllowEmpty bool
	Retry      Retry
	// After lists jobs this one waits for without reading their values.
	After []string
	// Needs lists every job this one waits for, After included, sorted.
	Needs     []string
	DeclRange hcl.Range

	mod        *module
	afterRefs  []afterRef
	forEach    hcl.Expression
	command    hcl.Expression
	outputs    hcl.Expression
	inputs     hcl.Expression
	env        hcl.Expression
	resources  *resourceExprs
	consumes   []consumed
	pathParams []paramRef
	// perElement is true when some expression reads each.*; otherwise
	// everything but for_each items is evaluated once for all elements.
	perElement map[string]bool
}

// Retry is a `retry {}` block.
type Retry struct {
	// Attempts is the total number of tries (1 = no retry).
	Attempts int
	// On lists the failure kinds that are retried; empty means any failure.
	On []string
	// MemFactor and TimeFactor multiply mem and time on each retry of an
	// out_of_memory or timeout failure (1 = unchanged).
	MemFactor  float64
	TimeFactor float64
}

// RetryKinds are the failure kinds retry { on = [...] } accepts.
var RetryKinds = []string{"failed", "oom", "timeout", "node_fail", "cancelled"}

// Flow is one instance of a `flow "NAME" {}` block.
type Flow struct {
	// Name is the full name (OUTER.INNER for nested flows).
	Name string
	// Parent is the enclosing flow's full name, or "".
	Parent string
	// Source is the flow file's path as resolved.
	Source    string
	DeclRange hcl.Range
	mod       *module
	// sourceRange is where the source attribute's value stands.
	sourceRange hcl.Range
}

// Output is an `output "NAME" { value = ... }` block.
type Output struct {
	Name      string
	Value     hcl.Expression
	DeclRange hcl.Range
}

// EdgeKind classifies how a job consumes an upstream job. It is decided
// from the shape of the expressions alone, never from values.
type EdgeKind int

const (
	// EdgeData: a singleton reads a singleton's values (plain afterok).
	EdgeData EdgeKind = iota
	// EdgeFanOut: an array is sized from a singleton's values (dynamic
	// fan-out); every element waits for the singleton.
	EdgeFanOut
	// EdgeElementWise: element i reads only element i of an upstream array.
	EdgeElementWise
	// EdgeGather: the job reads an upstream array's values as one list
	// ordered by element index, so it waits for every element.
	EdgeGather
	// EdgeBroadcast: every element of an array reads the whole of an
	// upstream job (an array's gathered list, or a singleton's values).
	EdgeBroadcast
	// EdgeAfter: order only (after = [...]), no values read.
	EdgeAfter
)

func (k EdgeKind) String() string {
	switch k {
	case EdgeData:
		return "data"
	case EdgeFanOut:
		return "fan-out"
	case EdgeElementWise:
		return "element-wise"
	case EdgeGather:
		return "gather"
	case EdgeBroadcast:
		return "broadcast"
	case EdgeAfter:
		return "after"
	}
	return "unknown"
}

// Edge is a dependency of To on From.
type Edge struct {
	From, To string
	Kind     EdgeKind
}

// consumed is an upstream job a job reads, and whether it reads it element
// by element (only an ElementWise job's for_each source does).
type consumed struct {
	job       string
	elementOf bool
}

// paramRef is a path param a job reads, in the module that declares it.
type paramRef struct {
	mod  *module
	name string
}
