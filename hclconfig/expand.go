package hclconfig

import (
	"path/filepath"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/reflow-hpc/reflow/core/parallel"
)

// Snapshot evaluates a bound workflow against what the engine knows at one
// moment. It memoises everything it computes, so ask one snapshot about
// many jobs, and take a new one when the state changes.
type Snapshot struct {
	b     *Bound
	st    *State
	jobs  map[string]cty.Value
	sizes map[string]int
	// params and outputs of flow modules, memoised
	params   map[*module]map[string]cty.Value
	outputs  map[*module]map[string]cty.Value
	defaults *Resources
	defDone  bool
	// diags holds problems found while computing flow params, outputs and
	// sizes; they are reported by the Expand that needed them.
	diags hcl.Diagnostics
	// expanded memoises Expand: the state cannot change under a snapshot,
	// so a second Expand of a job (validation, then the engine's first
	// round) returns the first one's result. Callers must not modify it.
	expanded map[string]expandResult
}

type expandResult struct {
	exp   *Expansion
	diags hcl.Diagnostics
}

// Snapshot starts evaluating b against st (nil means nothing has run).
func (b *Bound) Snapshot(st *State) *Snapshot {
	if st == nil {
		st = &State{}
	}
	return &Snapshot{
		b: b, st: st,
		jobs:     map[string]cty.Value{},
		sizes:    map[string]int{},
		params:   map[*module]map[string]cty.Value{},
		outputs:  map[*module]map[string]cty.Value{},
		expanded: map[string]expandResult{},
	}
}

// Ref names an upstream instance. Index is the element of an array, or -1
// for a singleton or for every element of an array (a gather).
type Ref struct {
	Job   string
	Index int
}

// Expansion is a job's instances as far as they are known.
type Expansion struct {
	Job *Job
	// Size is the number of instances, or -1 while it depends on upstream
	// values not known yet (a dynamic fan-out before its source finished).
	Size int
	// Instances has Size entries; nil while Size is -1.
	Instances []*Instance
}

// Instance is one task instance: a singleton job, or one array element.
type Instance struct {
	Job string
	// Index is the element's 0-based index, or -1 for a singleton.
	Index int
	// Key is each.key: the index as text for a list, the key for a map.
	Key string
	// Value is each.value (cty.NilVal for a singleton).
	Value cty.Value
	// Known is true when everything below is resolved. An instance that is
	// not Known cannot run yet; plan shows Preview.
	Known bool
	// Command is the bash script with every interpolation quoted; complete
	// only when Known.
	Command string
	// Preview is Command with unresolved interpolations shown as their
	// source, e.g. ${job.split.outputs}.
	Preview string
	Env     map[string]string
	// Resources are the job's merged over the workflow's defaults. The
	// engine layers the site's executor defaults below them with
	// MergeResources(site, inst.Resources).
	Resources *Resources
	// Outputs are the output globs, relative to WorkDir().
	Outputs []string
	// Inputs are absolute paths whose content enters the cache identity:
	// the job's inputs and every path param it reads (through flows too).
	Inputs []string
	// jobDir is <run_dir>/<job>, shared by a job's instances: WorkDir()
	// adds the index only when asked, so a plan of 100,000 elements does
	// not hold 100,000 paths.
	jobDir string
	// Consumes are the upstream instances whose values this one reads:
	// exactly those enter its cache identity. An element-wise element reads
	// element Index of its source only.
	Consumes []Ref
	// After are jobs it waits for without reading them.
	After []string
}

// WorkDir is the instance's work dir: <run_dir>/<job>[/<index>].
func (in *Instance) WorkDir() string {
	if in.Index < 0 {
		return in.jobDir
	}
	// jobDir is clean and an index is digits: filepath.Join without its
	// cost.
	return in.jobDir + string(filepath.Separator) + strconv.Itoa(in.Index)
}

// maxInstanceDiags caps per-element errors so a broken array of 100,000
// elements reports a handful, not 100,000.
const maxInstanceDiags = 5

// ExpandAll expands every job, upstream first.
func (s *Snapshot) ExpandAll() ([]*Expansion, hcl.Diagnostics) {
	var out []*Expansion
	var diags hcl.Diagnostics
	for _, j := range s.b.Workflow.Order() {
		e, ds := s.Expand(j.Name)
		out = append(out, e)
		diags = append(diags, ds...)
	}
	diags = dedupe(diags)
	sortDiags(diags)
	return out, diags
}

// Expand resolves the instances of the named job. Static arrays expand
// fully; dynamic ones once their upstream values are in the state;
// element-wise arrays take their source's size, each element resolving as
// its own source element finishes. A fan-out over zero items is an error
// unless the job sets allow_empty.
func (s *Snapshot) Expand(name string) (*Expansion, hcl.Diagnostics) {
	if r, ok := s.expanded[name]; ok {
		return r.exp, r.diags
	}
	exp, diags := s.expand(name)
	s.expanded[name] = expandResult{exp, diags}
	return exp, diags
}

func (s *Snapshot) expand(name string) (*Expansion, hcl.Diagnostics) {
	j := s.b.Workflow.Job(name)
	if j == nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown job", Detail: "There is no job named " + strconv.Quote(name) + "."}}
	}
	before := len(s.diags)
	ctx := ctxFor(s, j.mod, jobExprs(j)...)
	exp := &Expansion{Job: j, Size: -1}
	var diags hcl.Diagnostics

	var items []item
	if j.forEach == nil {
		exp.Size = 1
	} else {
		fe, ds := j.forEach.Value(ctx)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			return exp, append(diags, s.diags[before:]...)
		}
		its, known, ds := forEachItems(fe, j.forEach.Range())
		diags = append(diags, ds...)
		if !known || ds.HasErrors() {
			return exp, append(diags, s.diags[before:]...)
		}
		if len(its) == 0 && !j.AllowEmpty {
			return exp, append(diags, emptyForEach(j))
		}
		items, exp.Size = its, len(its)
	}

	shared := s.sharedParts(j, ctx, &diags)
	jobDir := filepath.Join(s.st.RunDir, j.Name)
	exp.Instances = make([]*Instance, exp.Size)
	perInst := fillAll(exp.Instances, ctx, func(i int, inst *Instance, sc *evalScope) hcl.Diagnostics {
		// Field by field: the block is zeroed, and copying a whole
		// struct of pointers costs a bulk write barrier while the
		// collector runs.
		inst.Job, inst.Index, inst.After, inst.jobDir = j.Name, -1, j.After, jobDir
		if j.forEach != nil {
			inst.Index, inst.Key, inst.Value = i, items[i].key, items[i].value
			sc.setElement(i, items[i].key, items[i].value)
		}
		return s.fill(j, inst, sc, shared)
	})
	errs := 0
	for i, ds := range perInst {
		if !ds.HasErrors() {
			continue
		}
		errs++
		if errs > maxInstanceDiags {
			break
		}
		for _, d := range ds {
			if j.forEach != nil {
				d.Detail += " (element " + strconv.Itoa(i) + ", key " + strconv.Quote(items[i].key) + ")"
			}
		}
		diags = append(diags, ds...)
	}
	return exp, append(diags, s.diags[before:]...)
}

// parallelFill is the size from which fillAll spreads elements over the
// machine's cores: evaluating 100,000 commands is most of a plan's time,
// and elements do not depend on each other.
const parallelFill = 2048

// fillAll fills out[i] by fn for every i and returns each element's
// diagnostics by index. Large arrays are filled by one goroutine per core,
// each over a contiguous block (core/parallel), so diagnostics still come
// out in element order. Each block allocates its instances together and
// hands fn one scope over ctx to reuse for all of them. fn must only read
// shared state: every memo it could fill (defaults, parameters, the job's
// context) is filled before fillAll is called.
func fillAll(out []*Instance, ctx *hcl.EvalContext, fn func(i int, inst *Instance, sc *evalScope) hcl.Diagnostics) []hcl.Diagnostics {
	diags := make([]hcl.Diagnostics, len(out))
	parallel.Blocks(len(out), parallelFill, func(lo, hi int) {
		block := make([]Instance, hi-lo)
		sc := plainScope(ctx)
		for i := lo; i < hi; i++ {
			out[i] = &block[i-lo]
			diags[i] = fn(i, out[i], sc)
		}
	})
	return diags
}

// parts are the pieces of an instance that do not read each.*, computed
// once for all elements of an array.
type parts struct {
	command, preview string
	cmdKnown         bool
	env              map[string]string
	envKnown         bool
	outputs, inputs  []string
	outKnown, inKnow bool
	res              *Resources
	resKnown         bool
	paths            []string
	pathsKnown       bool
	consumes         []Ref
}

func (s *Snapshot) sharedParts(j *Job, ctx *hcl.EvalContext, diags *hcl.Diagnostics) *parts {
	p := &parts{}
	ds := s.loadDefaults()
	*diags = append(*diags, ds...)
	if !j.perElement["command"] {
		p.command, p.preview, p.cmdKnown, ds = renderCommand(j, plainScope(ctx))
		*diags = append(*diags, ds...)
	}
	if !j.perElement["env"] {
		p.env, p.envKnown, ds = evalEnv(j.env, ctx)
		*diags = append(*diags, ds...)
	}
	if !j.perElement["outputs"] {
		p.outputs, p.outKnown, ds = s.globs(j, ctx)
		*diags = append(*diags, ds...)
	}
	if !j.perElement["inputs"] {
		p.inputs, p.inKnow, ds = s.inputs(j, ctx)
		*diags = append(*diags, ds...)
	}
	if j.resources == nil || !j.resources.perElem {
		p.res, p.resKnown, ds = s.resources(j, ctx)
		*diags = append(*diags, ds...)
	}
	p.paths, p.pathsKnown = s.pathInputs(j)
	for _, c := range j.consumes {
		if !c.elementOf {
			p.consumes = append(p.consumes, Ref{Job: c.job, Index: -1})
		}
	}
	return p
}

// fill resolves one instance, reusing shared parts where they apply. The
// caller has set its identity and work dir.
func (s *Snapshot) fill(j *Job, inst *Instance, sc *evalScope, p *parts) hcl.Diagnostics {
	var diags, ds hcl.Diagnostics
	known := true
	cmd, preview, cmdKnown := p.command, p.preview, p.cmdKnown
	if j.perElement["command"] {
		cmd, preview, cmdKnown, ds = renderCommand(j, sc)
		diags = append(diags, ds...)
	}
	inst.Preview = preview
	if cmdKnown {
		inst.Command = cmd
	}
	known = known && cmdKnown
	env, envKnown := p.env, p.envKnown
	if j.perElement["env"] {
		env, envKnown, ds = evalEnv(j.env, sc.ctx())
		diags = append(diags, ds...)
	}
	inst.Env, known = env, known && envKnown
	outs, outKnown := p.outputs, p.outKnown
	if j.perElement["outputs"] {
		outs, outKnown, ds = s.globs(j, sc.ctx())
		diags = append(diags, ds...)
	}
	inst.Outputs, known = outs, known && outKnown
	ins, inKnown := p.inputs, p.inKnow
	if j.perElement["inputs"] {
		ins, inKnown, ds = s.inputs(j, sc.ctx())
		diags = append(diags, ds...)
	}
	known = known && inKnown && p.pathsKnown
	inst.Inputs = ins
	if len(p.paths) > 0 {
		inst.Inputs = mergeSorted(ins, p.paths)
	}
	res, resKnown := p.res, p.resKnown
	if j.resources != nil && j.resources.perElem {
		res, resKnown, ds = s.resources(j, sc.ctx())
		diags = append(diags, ds...)
	}
	inst.Resources, known = res, known && resKnown
	if inst.Value != cty.NilVal && !inst.Value.IsWhollyKnown() {
		known = false
	}
	inst.Known = known && !diags.HasErrors()
	inst.Consumes = p.consumes
	for _, c := range j.consumes {
		if c.elementOf {
			inst.Consumes = append(append([]Ref(nil), p.consumes...), Ref{Job: c.job, Index: inst.Index})
		}
	}
	return diags
}

func (s *Snapshot) globs(j *Job, ctx *hcl.EvalContext) ([]string, bool, hcl.Diagnostics) {
	if j.outputs == nil {
		return nil, true, nil
	}
	globs, known, diags := stringList(j.outputs, ctx, "outputs")
	if known && !diags.HasErrors() {
		diags = append(diags, checkGlobs(globs, j.outputs.Range())...)
	}
	return globs, known, diags
}

// inputs evaluates inputs = [...]: relative paths are taken from the
// directory of the file that declares the job.
func (s *Snapshot) inputs(j *Job, ctx *hcl.EvalContext) ([]string, bool, hcl.Diagnostics) {
	list, known, diags := stringList(j.inputs, ctx, "inputs")
	for i, p := range list {
		if !filepath.IsAbs(p) {
			p = filepath.Join(j.mod.dir, p)
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		list[i] = p
	}
	sort.Strings(list)
	return list, known, diags
}

// pathInputs are the values of the path params j reads.
func (s *Snapshot) pathInputs(j *Job) ([]string, bool) {
	var out []string
	known := true
	for _, r := range j.pathParams {
		v := s.paramValue(r.mod, r.name)
		switch {
		case !v.IsKnown():
			known = false
		case !v.IsNull() && v.Type() == cty.String && v.AsString() != "":
			out = append(out, v.AsString())
		}
	}
	sort.Strings(out)
	return out, known
}

// loadDefaults evaluates the workflow's default resources once. It runs
// before any element is filled, so fillAll's goroutines only read them.
func (s *Snapshot) loadDefaults() hcl.Diagnostics {
	if s.defDone {
		return nil
	}
	s.defDone = true
	d := s.b.Workflow.defaults
	if d == nil {
		return nil
	}
	var diags hcl.Diagnostics
	s.defaults, _, diags = evalResources(d, ctxFor(s, s.b.Workflow.root, resourceList(d)...))
	return diags
}

func (s *Snapshot) resources(j *Job, ctx *hcl.EvalContext) (*Resources, bool, hcl.Diagnostics) {
	own, known, diags := evalResources(j.resources, ctx)
	return MergeResources(s.defaults, own), known, diags
}

func mergeSorted(a, b []string) []string {
	out := append(append(make([]string, 0, len(a)+len(b)), a...), b...)
	sort.Strings(out)
	n := 0
	for i, x := range out {
		if i == 0 || x != out[n-1] {
			out[n] = x
			n++
		}
	}
	return out[:n]
}
