package hclconfig

import (
	"github.com/hashicorp/hcl/v2"
)

func decodeJob(m *module, b *hcl.Block) (*Job, hcl.Diagnostics) {
	j := &Job{
		Local:     b.Labels[0],
		Name:      m.prefix + b.Labels[0],
		Flow:      m.name,
		Cache:     true,
		Retry:     Retry{Attempts: 1, MemFactor: 1, TimeFactor: 1},
		DeclRange: b.DefRange,
		mod:       m,
	}
	diags := checkName("job", j.Local, b.LabelRanges[0])
	content, ds := b.Body.Content(jobSchema)
	diags = append(diags, ds...)
	attr := func(name string) hcl.Expression {
		if a := content.Attributes[name]; a != nil {
			return a.Expr
		}
		return nil
	}
	j.command = attr("command")
	j.forEach = attr("for_each")
	j.outputs = attr("outputs")
	j.inputs = attr("inputs")
	j.env = attr("env")
	if j.forEach != nil {
		// The kind is refined to static, dynamic or element-wise once every
		// job is known (see graph.go).
		j.Kind = DynamicArray
	}
	if a := content.Attributes["executor"]; a != nil {
		s, ds := constString(a, "A job's executor")
		diags = append(diags, ds...)
		j.Executor = s
	}
	if a := content.Attributes["cache"]; a != nil {
		v, ds := constBool(a, "cache")
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			j.Cache = v
		}
	}
	if a := content.Attributes["version"]; a != nil {
		s, ds := constString(a, "version")
		diags = append(diags, ds...)
		j.Version = s
	}
	if a := content.Attributes["allow_empty"]; a != nil {
		v, ds := constBool(a, "allow_empty")
		diags = append(diags, ds...)
		j.AllowEmpty = v
		if j.forEach == nil && !ds.HasErrors() {
			diags = append(diags, errorAt(a.NameRange, "allow_empty without for_each",
				"allow_empty only applies to a job with for_each."))
		}
	}
	if a := content.Attributes["after"]; a != nil {
		diags = append(diags, j.decodeAfter(a)...)
	}
	seen := map[string]bool{}
	for _, blk := range content.Blocks {
		if seen[blk.Type] {
			diags = append(diags, errorAt(blk.DefRange, "Duplicate "+blk.Type+" block", "A job holds one %s block.", blk.Type))
			continue
		}
		seen[blk.Type] = true
		switch blk.Type {
		case "resources":
			attrs, ds := blk.Body.JustAttributes()
			diags = append(diags, ds...)
			j.resources = newResourceExprs(attrs, blk.DefRange)
		case "retry":
			diags = append(diags, j.decodeRetry(blk)...)
		}
	}
	return j, diags
}

// afterRef is one entry of after = [...], kept until every job is known.
type afterRef struct {
	name string
	rng  hcl.Range
}

// decodeAfter reads after = [job.a, job.b]: plain references, never
// evaluated, since order without data has no value to compute.
func (j *Job) decodeAfter(a *hcl.Attribute) hcl.Diagnostics {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		return diags
	}
	for _, e := range exprs {
		tr, ds := hcl.AbsTraversalForExpr(e)
		if ds.HasErrors() || len(tr) != 2 || tr.RootName() != "job" {
			diags = append(diags, errorAt(e.Range(), "Invalid after entry",
				"after lists jobs as job.NAME, for example after = [job.prepare]."))
			continue
		}
		step, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			diags = append(diags, errorAt(e.Range(), "Invalid after entry", "Write job.NAME."))
			continue
		}
		j.afterRefs = append(j.afterRefs, afterRef{name: step.Name, rng: e.Range()})
	}
	return diags
}

func (j *Job) decodeRetry(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(retrySchema)
	if a := content.Attributes["attempts"]; a != nil {
		f, ds := constNumber(a, "retry attempts")
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			if f < 1 || f != float64(int(f)) || f > 100 {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid retry attempts",
					"attempts is the total number of tries: a whole number from 1 to 100."))
			} else {
				j.Retry.Attempts = int(f)
			}
		}
	}
	if a := content.Attributes["on"]; a != nil {
		kinds, ds := constStrings(a, "retry on")
		diags = append(diags, ds...)
		for _, k := range kinds {
			if !contains(RetryKinds, k) {
				diags = append(diags, errorAt(a.Expr.Range(), "Unknown failure kind",
					"retry on = [...] takes %v; %q is none of them.%s", RetryKinds, k, didYouMean(k, RetryKinds)))
				continue
			}
			j.Retry.On = append(j.Retry.On, k)
		}
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"mem_factor", &j.Retry.MemFactor}, {"time_factor", &j.Retry.TimeFactor}} {
		if a := content.Attributes[f.name]; a != nil {
			v, ds := constNumber(a, f.name)
			diags = append(diags, ds...)
			if ds.HasErrors() {
				continue
			}
			if v < 1 || v > 16 {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid "+f.name,
					"%s multiplies the request on each retry: a number from 1 to 16.", f.name))
				continue
			}
			*f.dst = v
		}
	}
	return diags
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
