package hclconfig

import (
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
)

// ResourceKey is a resource key an executor accepts, with the other names
// users may write for it. It mirrors the executor's Info so that hclconfig
// need not import the plugin API.
type ResourceKey struct {
	Name    string
	Aliases []string
}

// PortableResourceKeys are the keys every executor is expected to accept
// (DESIGN §2). Validation uses them when the caller knows no executor.
var PortableResourceKeys = []ResourceKey{
	{Name: "cpus"},
	{Name: "mem"},
	{Name: "time"},
	{Name: "gpus"},
	{Name: "nodes"},
	{Name: "tasks"},
	{Name: "partition", Aliases: []string{"queue"}},
	{Name: "account", Aliases: []string{"project"}},
	{Name: "qos"},
	{Name: "constraint"},
}

// engineResourceKeys are handled by the engine itself, whatever the
// executor: array throttling and the native-flags escape hatch.
const (
	keyArrayParallelism = "array_parallelism"
	keyOptions          = "options"
)

// resourceExprs is a decoded resources {} block: its attributes unevaluated.
type resourceExprs struct {
	attrs     map[string]*hcl.Attribute
	names     []string // sorted, for stable evaluation and messages
	perElem   bool     // some value reads each.*
	DeclRange hcl.Range
}

func newResourceExprs(attrs hcl.Attributes, rng hcl.Range) *resourceExprs {
	r := &resourceExprs{attrs: attrs, DeclRange: rng}
	for name, a := range attrs {
		r.names = append(r.names, name)
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() == "each" {
				r.perElem = true
			}
		}
	}
	sort.Strings(r.names)
	return r
}

// Resources are a job's evaluated resource requests: JSON-compatible values
// (string, float64, bool) keyed as the user wrote them. Executors normalise
// aliases and parse units (mem = "1G", time = "10m").
type Resources struct {
	Values map[string]any
	// Options are native scheduler flags from options = {...}.
	Options map[string]any
}

// ArrayParallelism returns array_parallelism, or 0 when unset.
func (r *Resources) ArrayParallelism() int {
	if r == nil {
		return 0
	}
	if f, ok := r.Values[keyArrayParallelism].(float64); ok {
		return int(f)
	}
	return 0
}

// MergeResources layers resources: a key set in a later layer wins. Pass
// the site's executor defaults first, then the workflow's, then the job's.
// Aliased keys are compared by what is written, so give keys normalised by
// NormaliseKeys when layers may spell one key differently.
func MergeResources(layers ...*Resources) *Resources {
	out := &Resources{Values: map[string]any{}, Options: map[string]any{}}
	for _, l := range layers {
		if l == nil {
			continue
		}
		for k, v := range l.Values {
			out.Values[k] = v
		}
		for k, v := range l.Options {
			out.Options[k] = v
		}
	}
	return out
}

// NormaliseKeys renames aliased keys in r.Values to their canonical names.
// Unknown keys are kept as they are.
func NormaliseKeys(r *Resources, keys []ResourceKey) *Resources {
	if r == nil {
		return nil
	}
	canon := aliasMap(keys)
	out := &Resources{Values: make(map[string]any, len(r.Values)), Options: r.Options}
	for k, v := range r.Values {
		if c, ok := canon[k]; ok {
			k = c
		}
		out.Values[k] = v
	}
	return out
}

func aliasMap(keys []ResourceKey) map[string]string {
	m := map[string]string{}
	for _, k := range keys {
		m[k.Name] = k.Name
		for _, a := range k.Aliases {
			m[a] = k.Name
		}
	}
	return m
}

// checkResourceKeys reports keys the executor does not know (with a "did you
// mean"), and a key given twice under two of its names.
func checkResourceKeys(r *resourceExprs, keys []ResourceKey, executor string) hcl.Diagnostics {
	if r == nil {
		return nil
	}
	var diags hcl.Diagnostics
	canon := aliasMap(keys)
	var known []string
	for name := range canon {
		known = append(known, name)
	}
	known = append(known, keyArrayParallelism, keyOptions)
	sort.Strings(known)
	seen := map[string]string{}
	for _, name := range r.names {
		a := r.attrs[name]
		if name == keyArrayParallelism || name == keyOptions {
			continue
		}
		c, ok := canon[name]
		if !ok {
			who := "The executor " + strconv.Quote(executor) + " does"
			if executor == "" {
				who = "No executor is chosen, so only the portable keys apply; reflow does"
			}
			diags = append(diags, errorAt(a.NameRange, "Unknown resource key",
				"%s not accept a resource named %q.%s Native scheduler flags go in options = {...}.",
				who, name, didYouMean(name, known)))
			continue
		}
		if other, dup := seen[c]; dup {
			diags = append(diags, errorAt(a.NameRange, "Resource given twice",
				"%q and %q are the same resource (%s); set only one.", other, name, c))
			continue
		}
		seen[c] = name
	}
	return diags
}
