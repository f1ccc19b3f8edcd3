package main

import (
	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// holds evaluates a -w expression for element index of the dependent job.
// A condition about a job LSF no longer knows (never submitted, or aged
// out of its memory) is false, so its dependent pends indefinitely, as
// LSF's own do.
func (c *cluster) holds(n lsfsyntax.Node, index int) bool {
	switch x := n.(type) {
	case lsfsyntax.And:
		return c.holds(x.L, index) && c.holds(x.R, index)
	case lsfsyntax.Or:
		return c.holds(x.L, index) || c.holds(x.R, index)
	case lsfsyntax.Not:
		return !c.holds(x.X, index)
	case lsfsyntax.Cond:
		jobs := c.resolve(x.Ref)
		if len(jobs) == 0 {
			return false
		}
		// With a name, every job of that name must satisfy the test.
		for _, v := range jobs {
			if !cond(x, elementsOf(v, x.Ref, index)) {
				return false
			}
		}
		return true
	}
	return false
}

// resolve returns the jobs a reference names.
func (c *cluster) resolve(r lsfsyntax.JobRef) []*jobView {
	if r.ID != 0 {
		if v, ok := c.get(r.ID); ok {
			return []*jobView{v}
		}
		return nil
	}
	return c.byName(r.Name, r.Wildcard)
}

// known reports whether every job the expression names exists; bsub
// refuses a dependency on a job it cannot find.
func (c *cluster) unknownRef(n lsfsyntax.Node) (lsfsyntax.JobRef, bool) {
	for _, r := range lsfsyntax.Refs(n) {
		if len(c.resolve(r)) == 0 {
			return r, true
		}
	}
	return lsfsyntax.JobRef{}, false
}

// elementsOf picks the elements of v a reference is about: one element
// (123[4]), the element of the same index ([*]), or all of them.
func elementsOf(v *jobView, r lsfsyntax.JobRef, index int) []elem {
	switch {
	case r.Index > 0:
		if e, ok := v.elem(r.Index); ok {
			return []elem{e}
		}
		return nil
	case r.AllIndex:
		if e, ok := v.elem(index); ok {
			return []elem{e}
		}
		return nil
	}
	return v.elems
}

// cond evaluates one condition over the elements it is about.
func cond(c lsfsyntax.Cond, els []elem) bool {
	if len(els) == 0 {
		return false
	}
	count := func(pred func(elem) bool) int {
		n := 0
		for _, e := range els {
			if pred(e) {
				n++
			}
		}
		return n
	}
	every := func(pred func(elem) bool) bool { return count(pred) == len(els) }
	isDone := func(e elem) bool { return e.Stat == statDONE }
	isExit := func(e elem) bool { return e.Stat == statEXIT }
	switch c.Func {
	case "done", "post_done":
		return every(isDone)
	case "ended":
		return every(elem.ended)
	case "started":
		return every(elem.started)
	case "exit":
		return every(func(e elem) bool { return isExit(e) && (!c.HasN || compare(e.Exit, c.Op, c.N)) })
	case "post_err", "external":
		return false // the double runs no post-execution and takes no bpost
	}
	preds := map[string]func(elem) bool{
		"numdone":  isDone,
		"numended": elem.ended,
		"numexit":  isExit,
		"numrun":   func(e elem) bool { return e.Stat == statRUN },
		"numpend":  func(e elem) bool { return e.Stat == statPEND },
		"numhold":  func(e elem) bool { return e.Stat == statPSUSP },
		"numstart": elem.started,
	}
	pred, ok := preds[c.Func]
	if !ok {
		return false
	}
	if !c.HasN { // numX(id, *): every element
		return every(pred)
	}
	return compare(count(pred), c.Op, c.N)
}

func compare(a int, op string, b int) bool {
	switch op {
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case "!=":
		return a != b
	}
	return a == b
}

// never reports whether a dependency that does not hold for element index
// can no longer come to hold: every job it names has finished or is gone,
// so nothing it looks at will change.
func (c *cluster) never(n lsfsyntax.Node, index int) bool {
	if c.holds(n, index) {
		return false
	}
	for _, r := range lsfsyntax.Refs(n) {
		for _, v := range c.resolve(r) {
			if done, _ := v.finished(); !done {
				return false
			}
		}
	}
	return true
}
