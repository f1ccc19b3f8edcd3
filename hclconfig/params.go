package hclconfig

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// ParamInput holds param values from the command line. Precedence, lowest
// first: the param's default, --var-file files (in order), --var (in
// order), then --NAME flags. A later source replaces a value; lists are not
// merged.
type ParamInput struct {
	// Flags are --NAME VALUE flags, as text.
	Flags map[string]string
	// Vars are --var NAME=VALUE arguments, as text, in the order given.
	Vars []string
	// VarFiles are --var-file paths: HCL (name = value) or, for a .json
	// file, a JSON object.
	VarFiles []string
	// Dir is where relative path values from flags and --var are taken
	// from; "" means the current directory. Path values from a var file are
	// relative to that file; a default is relative to the workflow file.
	Dir string
	// ReadFile reads var files; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Bound is a workflow with its params' values: ready to plan.
type Bound struct {
	Workflow *Workflow
	// Params are the root params' final values (path params absolute).
	Params map[string]cty.Value
	files  map[string]*hcl.File
}

// Files returns the sources for diagnostics, var files included.
func (b *Bound) Files() map[string]*hcl.File { return b.files }

// ParamsJSON returns the params as JSON-compatible Go values, as the store
// records them with the run.
func (b *Bound) ParamsJSON() map[string]any {
	out := make(map[string]any, len(b.Params))
	for name, v := range b.Params {
		g, _ := toJSONValue(v)
		out[name] = g
	}
	return out
}

// Bind gives the workflow's params their values: it parses text by the
// param's type, makes path params absolute, checks required params are
// set and runs each param's validation blocks. All problems are reported at
// once.
func (w *Workflow) Bind(in ParamInput) (*Bound, hcl.Diagnostics) {
	if in.ReadFile == nil {
		in.ReadFile = os.ReadFile
	}
	base := in.Dir
	if base == "" {
		base, _ = os.Getwd()
	}
	b := &Bound{Workflow: w, Params: map[string]cty.Value{}, files: map[string]*hcl.File{}}
	for k, f := range w.files {
		b.files[k] = f
	}
	var diags hcl.Diagnostics
	for _, p := range w.Params {
		if !p.Required() {
			b.Params[p.Name] = absPath(p, p.Default, p.dir)
		}
	}
	names := paramNames(w.root)
	unknownParam := func(name, how string, subject *hcl.Range) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown param",
			Detail:  "The workflow has no param named " + strconv.Quote(name) + " (given " + how + ")." + didYouMean(name, names),
			Subject: subject})
	}

	for _, path := range in.VarFiles {
		vals, files, ds := readVarFile(path, in.ReadFile)
		diags = append(diags, ds...)
		for k, f := range files {
			b.files[k] = f
		}
		entries := make([]varName, 0, len(vals))
		for name := range vals {
			entries = append(entries, name)
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
		for _, name := range entries {
			v := vals[name]
			p := w.Param(name.name)
			if p == nil {
				unknownParam(name.name, "in "+path, &name.rng)
				continue
			}
			cv, err := convert.Convert(v, p.Type)
			if err != nil {
				diags = append(diags, errorAt(name.rng, "Wrong type for param", "Param %q is %s: %s.", p.Name, p.TypeName, err))
				continue
			}
			b.Params[p.Name] = absPath(p, cv, filepath.Dir(path))
		}
	}
	// given marks params that got a value, valid or not, so a bad value is
	// not also reported as missing.
	given := map[string]bool{}
	set := func(name, text, how string) {
		p := w.Param(name)
		if p == nil {
			unknownParam(name, how, nil)
			return
		}
		given[name] = true
		v, err := parseParamText(p, text)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for param " + strconv.Quote(name),
				Detail: "The value " + strconv.Quote(text) + " given " + how + " is not a valid " + p.TypeName + ": " + err.Error() + "."})
			return
		}
		b.Params[name] = absPath(p, v, base)
	}
	for _, kv := range in.Vars {
		name, text, ok := strings.Cut(kv, "=")
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --var",
				Detail: "--var takes NAME=VALUE, not " + strconv.Quote(kv) + "."})
			continue
		}
		set(strings.TrimSpace(name), text, "with --var")
	}
	for _, name := range sortedKeys(in.Flags) {
		set(name, in.Flags[name], "as --"+name)
	}
	for _, p := range w.Params {
		if _, ok := b.Params[p.Name]; !ok && !given[p.Name] {
			diags = append(diags, errorAt(p.DeclRange, "Missing required param",
				"Param %q (%s) has no default; pass --%s VALUE (or --var %s=VALUE).", p.Name, p.TypeName, p.Name, p.Name))
		}
	}
	if !diags.HasErrors() {
		diags = append(diags, b.runValidations()...)
	}
	return b, diags
}

// absPath makes a path param's value absolute against base.
func absPath(p *Param, v cty.Value, base string) cty.Value {
	if !p.IsPath || !v.IsKnown() || v.IsNull() {
		return v
	}
	s := v.AsString()
	if s == "" {
		return v
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(base, s)
	}
	if abs, err := filepath.Abs(s); err == nil {
		s = abs
	}
	return cty.StringVal(s)
}

// parseParamText reads a command-line value by the param's type. A list of
// plain values may be written comma-separated (--samples s1,s2,s3); any
// list, map or object may also be written in HCL syntax (["a", "b"]).
func parseParamText(p *Param, text string) (cty.Value, error) {
	ty := p.Type
	switch {
	case ty == cty.String:
		return cty.StringVal(text), nil
	case ty == cty.Number:
		return cty.ParseNumberVal(strings.TrimSpace(text))
	case ty == cty.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return cty.NilVal, errorString("use true or false")
		}
		return cty.BoolVal(b), nil
	case (ty.IsListType() || ty.IsSetType()) && ty.ElementType().IsPrimitiveType() && !strings.HasPrefix(strings.TrimSpace(text), "["):
		var elems []cty.Value
		if strings.TrimSpace(text) != "" {
			for _, part := range strings.Split(text, ",") {
				e, err := convert.Convert(cty.StringVal(strings.TrimSpace(part)), ty.ElementType())
				if err != nil {
					return cty.NilVal, err
				}
				elems = append(elems, e)
			}
		}
		if len(elems) == 0 {
			if ty.IsSetType() {
				return cty.SetValEmpty(ty.ElementType()), nil
			}
			return cty.ListValEmpty(ty.ElementType()), nil
		}
		if ty.IsSetType() {
			return cty.SetVal(elems), nil
		}
		return cty.ListVal(elems), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(text), "<value>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, errorString(diags[0].Summary + ": " + diags[0].Detail)
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, errorString(diags[0].Summary + ": " + diags[0].Detail)
	}
	return convert.Convert(v, ty)
}

// varName is a var file entry's name and where it stands, for messages.
type varName struct {
	name string
	rng  hcl.Range
}

func readVarFile(path string, read func(string) ([]byte, error)) (map[varName]cty.Value, map[string]*hcl.File, hcl.Diagnostics) {
	src, err := read(path)
	if err != nil {
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read var file", Detail: err.Error()}}
	}
	out := map[varName]cty.Value{}
	if strings.HasSuffix(path, ".json") {
		ty, err := ctyjson.ImpliedType(src)
		if err == nil && !ty.IsObjectType() {
			err = errorString("the file must hold one JSON object")
		}
		var v cty.Value
		if err == nil {
			v, err = ctyjson.Unmarshal(src, ty)
		}
		if err != nil {
			return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid var file", Detail: path + ": " + err.Error()}}
		}
		rng := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
		for name, e := range v.AsValueMap() {
			out[varName{name, rng}] = e
		}
		return out, nil, nil
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	files := map[string]*hcl.File{path: f}
	if diags.HasErrors() {
		return nil, files, diags
	}
	attrs, diags := f.Body.JustAttributes()
	for name, a := range attrs {
		v, ds := a.Expr.Value(nil)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			out[varName{name, a.NameRange}] = v
		}
	}
	return out, files, diags
}

// runValidations evaluates every validation block of the root params.
func (b *Bound) runValidations() hcl.Diagnostics {
	var diags hcl.Diagnostics
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"param": cty.ObjectVal(b.Params)},
		Functions: b.Workflow.root.funcs,
	}
	for _, p := range b.Workflow.Params {
		for _, val := range p.Validations {
			ok, ds := val.Condition.Value(ctx)
			diags = append(diags, ds...)
			if ds.HasErrors() {
				continue
			}
			ok, err := convert.Convert(ok, cty.Bool)
			if err != nil || ok.IsNull() || !ok.IsKnown() {
				diags = append(diags, errorAt(val.Condition.Range(), "Condition must be a bool", "The condition did not give true or false."))
				continue
			}
			if ok.True() {
				continue
			}
			msg, ds := val.ErrorMessage.Value(ctx)
			text := "The value of param " + strconv.Quote(p.Name) + " is not valid."
			if !ds.HasErrors() && msg.Type() == cty.String && msg.IsKnown() && !msg.IsNull() {
				text = msg.AsString()
			}
			diags = append(diags, errorAt(val.Condition.Range(), "Invalid value for param "+strconv.Quote(p.Name), "%s", text))
		}
	}
	return diags
}
