package hclconfig

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/reflow-hpc/reflow/hclconfig/funcs"
)

// Options tune Load.
type Options struct {
	// ReadFile reads the workflow file, flow files and file(); nil means
	// os.ReadFile. Tests and the fuzzer pass an in-memory one.
	ReadFile func(name string) ([]byte, error)
	// ResourceKeys returns the resource keys an executor accepts (from its
	// Info); ok=false means the executor is not known here and its keys go
	// unchecked. nil checks every job against PortableResourceKeys.
	ResourceKeys func(executor string) (keys []ResourceKey, ok bool)
	// Executor is the executor chosen outside the file (flag, environment,
	// site config); it replaces the workflow block's executor for jobs
	// without their own. It only matters for resource key checks here.
	Executor string
	// ReservedParams are names no param may take: the built-in flags of
	// `reflow apply`, since every param becomes a flag there.
	ReservedParams []string
}

// maxFlowDepth stops runaway nesting that is not a cycle (each level a new
// file); no real workflow nests this deep.
const maxFlowDepth = 32

// Load reads the workflow file at path and every flow file it uses, decodes
// them and checks everything that does not need param values: references
// (with "did you mean" hints), functions, cycles, types as far as they are
// known, resource keys and reserved names. All problems are reported at
// once, sorted by position.
//
// The Workflow is never nil, so its Files can render the diagnostics, but
// it is only fit for use when the diagnostics hold no error.
func Load(path string, opts Options) (*Workflow, hcl.Diagnostics) {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	l := &loader{opts: opts, files: map[string]*hcl.File{}, bad: map[hcl.Expression]bool{}}
	w := &Workflow{File: path, files: l.files, byName: map[string]*Job{}}

	root, diags := l.loadModule(path, "", nil, nil, nil)
	if root == nil {
		sortDiags(diags)
		return w, diags
	}
	w.root = root
	w.Name = root.workflowName
	w.Description = l.description
	w.Executor = l.executor
	w.defaults = l.defaults
	w.Params = root.paramList
	w.Outputs = root.outputList
	root.walk(func(m *module) {
		if m.flow != nil {
			w.Flows = append(w.Flows, m.flow)
		}
	})
	w.collectJobs(root)

	diags = append(diags, l.checkNames(w)...)
	diags = append(diags, l.checkAllRefs(w)...)
	diags = append(diags, l.buildGraph(w)...)
	diags = append(diags, l.typeCheck(w)...)
	diags = append(diags, l.checkResources(w)...)
	diags = dedupe(diags)
	sortDiags(diags)
	return w, diags
}

// collectJobs lists jobs in source order, a flow's jobs at the place of
// its flow block.
func (w *Workflow) collectJobs(m *module) {
	for _, item := range m.order {
		switch it := item.(type) {
		case *Job:
			w.Jobs = append(w.Jobs, it)
			w.byName[it.Name] = it
		case *module:
			w.collectJobs(it)
		}
	}
}

// loader carries what Load needs while it reads files.
type loader struct {
	opts  Options
	files map[string]*hcl.File
	// bad marks expressions with reference errors: evaluating them would
	// only repeat the problem in hcl's less helpful words.
	bad map[hcl.Expression]bool
	// extra collects problems found while resolving references.
	extra hcl.Diagnostics
	// root workflow block values
	description, executor string
	defaults              *resourceExprs
}

// parse reads and parses a file once, however many flows use it.
func (l *loader) parse(path string, rng *hcl.Range) (*hcl.File, hcl.Diagnostics) {
	if f, ok := l.files[path]; ok {
		return f, nil
	}
	src, err := l.opts.ReadFile(path)
	if err != nil {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read workflow file", Detail: err.Error(), Subject: rng}
		return nil, hcl.Diagnostics{d}
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if f != nil {
		l.files[path] = f
	}
	return f, diags
}

// loadModule parses path and decodes it as the module name (a flow
// instance, or "" for the root). chain lists the files above it, to catch a
// flow that includes itself.
func (l *loader) loadModule(path, name string, parent *module, flowBlock *Flow, chain []string) (*module, hcl.Diagnostics) {
	var declRange *hcl.Range
	if flowBlock != nil {
		declRange = &flowBlock.DeclRange
	}
	abs, _ := filepath.Abs(path)
	for i, c := range chain {
		if c == abs {
			names := make([]string, 0, len(chain)-i+1)
			for _, p := range chain[i:] {
				names = append(names, filepath.Base(p))
			}
			names = append(names, filepath.Base(abs))
			return nil, hcl.Diagnostics{errorAt(*declRange, "Flow includes itself",
				"The flow chain %s comes back to a file already in use; a flow cannot include itself, directly or through other flows.",
				strings.Join(names, " → "))}
		}
	}
	if len(chain) > maxFlowDepth {
		return nil, hcl.Diagnostics{errorAt(*declRange, "Flows nested too deeply", "Flows may nest at most %d levels.", maxFlowDepth)}
	}
	f, diags := l.parse(path, declRange)
	if f == nil || diags.HasErrors() {
		return nil, diags
	}
	m := newModule(name, parent)
	m.file, m.dir, m.src = path, filepath.Dir(path), f.Bytes
	m.flow = flowBlock
	m.funcs = funcs.Table(m.dir, l.opts.ReadFile)
	if flowBlock != nil {
		flowBlock.mod = m
	}
	chain = append(chain[:len(chain):len(chain)], abs)
	diags = append(diags, l.decodeFile(m, f.Body, chain)...)
	return m, diags
}

// decodeFile decodes the top-level blocks of one file into m.
func (l *loader) decodeFile(m *module, body hcl.Body, chain []string) hcl.Diagnostics {
	content, diags := body.Content(fileSchema)
	var workflowSeen *hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "workflow":
			if workflowSeen != nil {
				diags = append(diags, errorAt(b.DefRange, "Duplicate workflow block",
					"A file holds one workflow block; the first is at %s.", at(workflowSeen.DefRange)))
				continue
			}
			workflowSeen = b
			diags = append(diags, l.decodeWorkflow(m, b)...)
		case "param":
			p, ds := decodeParam(b)
			diags = append(diags, ds...)
			if p == nil {
				continue
			}
			if prev, dup := m.params[p.Name]; dup {
				diags = append(diags, duplicate("param", p.Name, b.LabelRanges[0], prev.DeclRange))
				continue
			}
			p.dir = m.dir
			m.params[p.Name] = p
			m.paramList = append(m.paramList, p)
		case "job":
			j, ds := decodeJob(m, b)
			diags = append(diags, ds...)
			if j == nil {
				continue
			}
			if prev, dup := m.jobs[j.Local]; dup {
				diags = append(diags, duplicate("job", j.Local, b.LabelRanges[0], prev.DeclRange))
				continue
			}
			m.jobs[j.Local] = j
			m.jobList = append(m.jobList, j)
			m.order = append(m.order, j)
		case "flow":
			diags = append(diags, l.decodeFlow(m, b, chain)...)
		case "output":
			o, ds := decodeOutput(b)
			diags = append(diags, ds...)
			if o == nil {
				continue
			}
			if prev, dup := m.outputs[o.Name]; dup {
				diags = append(diags, duplicate("output", o.Name, b.LabelRanges[0], prev.DeclRange))
				continue
			}
			m.outputs[o.Name] = o
			m.outputList = append(m.outputList, o)
		}
	}
	if m.workflowName == "" {
		// A file without a workflow block is named after itself.
		m.workflowName = strings.TrimSuffix(filepath.Base(m.file), filepath.Ext(m.file))
	}
	return diags
}

func duplicate(kind, name string, where, prev hcl.Range) *hcl.Diagnostic {
	return errorAt(where, "Duplicate "+kind, "A %s named %q is already defined at %s.", kind, name, at(prev))
}

// checkName reports a block label that cannot be referenced as an
// identifier (job.NAME) or would clash with flow prefixes.
func checkName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if !hclsyntax.ValidIdentifier(name) {
		return hcl.Diagnostics{errorAt(rng, "Invalid "+kind+" name",
			"%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter or underscore.", name)}
	}
	return nil
}

func (l *loader) decodeWorkflow(m *module, b *hcl.Block) hcl.Diagnostics {
	diags := checkName("workflow", b.Labels[0], b.LabelRanges[0])
	m.workflowName = b.Labels[0]
	content, ds := b.Body.Content(workflowSchema)
	diags = append(diags, ds...)
	isRoot := m.parent == nil
	if a := content.Attributes["description"]; a != nil {
		s, ds := constString(a, "description")
		diags = append(diags, ds...)
		if isRoot {
			l.description = s
		}
	}
	if a := content.Attributes["executor"]; a != nil {
		s, ds := constString(a, "executor")
		diags = append(diags, ds...)
		if isRoot {
			l.executor = s
		}
	}
	for i, rb := range content.Blocks {
		if i > 0 {
			diags = append(diags, errorAt(rb.DefRange, "Duplicate resources block", "A workflow block holds one resources block."))
			continue
		}
		attrs, ds := rb.Body.JustAttributes()
		diags = append(diags, ds...)
		r := newResourceExprs(attrs, rb.DefRange)
		if isRoot {
			l.defaults = r
		}
	}
	return diags
}
