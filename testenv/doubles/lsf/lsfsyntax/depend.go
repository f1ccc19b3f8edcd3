package lsfsyntax

import (
	"fmt"
	"regexp"
	"strconv"
)

// Node is a parsed -w dependency expression: And, Or, Not or Cond.
type Node interface{ isNode() }

// And holds when both sides hold.
type And struct{ L, R Node }

// Or holds when either side holds.
type Or struct{ L, R Node }

// Not holds when X does not.
type Not struct{ X Node }

// Cond is one condition: done(ref), ended(ref), exit(ref[, [op] code]),
// started(ref), post_done(ref), post_err(ref), external(ref, "text") or a
// count numX(ref, op N | *). A bare job reference is done(ref).
type Cond struct {
	Func string
	Ref  JobRef
	// Op and N are the comparison of exit(ref, op code) and numX(ref, op N);
	// HasN is false for exit(ref) and numX(ref, *).
	Op   string
	N    int
	HasN bool
	// Text is external()'s status text.
	Text string
}

func (And) isNode()  {}
func (Or) isNode()   {}
func (Not) isNode()  {}
func (Cond) isNode() {}

// JobRef names the job a condition is about.
type JobRef struct {
	// ID is the numeric job id; 0 when the job is named.
	ID int64
	// Name is the job name (ID == 0); Wildcard is a trailing '*'.
	Name     string
	Wildcard bool
	// Index (>0) picks one array element: 123[4].
	Index int
	// AllIndex is "[*]": element i of the dependent waits on element i of
	// this array.
	AllIndex bool
}

func (r JobRef) String() string {
	s := r.Name
	if r.ID != 0 {
		s = strconv.FormatInt(r.ID, 10)
	}
	if r.Wildcard {
		s += "*"
	}
	switch {
	case r.AllIndex:
		s += "[*]"
	case r.Index > 0:
		s += fmt.Sprintf("[%d]", r.Index)
	}
	return s
}

// Refs lists every job reference of an expression, left to right.
func Refs(n Node) []JobRef {
	switch x := n.(type) {
	case And:
		return append(Refs(x.L), Refs(x.R)...)
	case Or:
		return append(Refs(x.L), Refs(x.R)...)
	case Not:
		return Refs(x.X)
	case Cond:
		return []JobRef{x.Ref}
	}
	return nil
}

// depFuncs are the condition names and the arguments each takes.
var depFuncs = map[string]string{
	"done": "ref", "ended": "ref", "started": "ref", "post_done": "ref", "post_err": "ref",
	"exit": "exit", "external": "text",
	"numdone": "count", "numended": "count", "numexit": "count", "numrun": "count",
	"numpend": "count", "numhold": "count", "numstart": "count",
}

// ParseDepend parses a -w expression: conditions combined with &&, || and
// !, with parentheses. A malformed expression is bsub's "<expr>: Dependency
// condition syntax error. Job not submitted."; whether the jobs it names
// exist is for the caller to check.
func ParseDepend(expr string) (Node, *Error) {
	toks, ok := lexDepend(expr)
	if !ok || len(toks) == 0 {
		return nil, notSubmitted(expr, ReasonDependSyntax)
	}
	p := &depParser{toks: toks}
	n, ok := p.or()
	if !ok || p.pos != len(toks) {
		return nil, notSubmitted(expr, ReasonDependSyntax)
	}
	return n, nil
}

type depParser struct {
	toks []token
	pos  int
}

func (p *depParser) peek(text string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tOp && p.toks[p.pos].text == text
}

func (p *depParser) eat(text string) bool {
	if p.peek(text) {
		p.pos++
		return true
	}
	return false
}

func (p *depParser) or() (Node, bool) {
	l, ok := p.and()
	for ok && p.eat("||") {
		var r Node
		if r, ok = p.and(); ok {
			l = Or{l, r}
		}
	}
	return l, ok
}

func (p *depParser) and() (Node, bool) {
	l, ok := p.unary()
	for ok && p.eat("&&") {
		var r Node
		if r, ok = p.unary(); ok {
			l = And{l, r}
		}
	}
	return l, ok
}

func (p *depParser) unary() (Node, bool) {
	switch {
	case p.eat("!"):
		x, ok := p.unary()
		return Not{x}, ok
	case p.eat("("):
		x, ok := p.or()
		return x, ok && p.eat(")")
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].kind == tOp {
		return nil, false
	}
	t := p.toks[p.pos]
	p.pos++
	if t.kind == tWord && p.peek("(") {
		return p.call(t.text)
	}
	ref, ok := parseJobRef(t.text)
	return Cond{Func: "done", Ref: ref}, ok
}

// call parses the arguments of a condition after its name.
func (p *depParser) call(name string) (Node, bool) {
	kind, known := depFuncs[name]
	if !known || !p.eat("(") || p.pos >= len(p.toks) || p.toks[p.pos].kind == tOp {
		return nil, false
	}
	ref, ok := parseJobRef(p.toks[p.pos].text)
	p.pos++
	c := Cond{Func: name, Ref: ref}
	if !ok {
		return nil, false
	}
	switch kind {
	case "exit":
		if p.eat(",") {
			c.Op = "=="
			if p.pos < len(p.toks) && p.toks[p.pos].kind == tOp && isCompare(p.toks[p.pos].text) {
				c.Op = p.toks[p.pos].text
				p.pos++
			}
			if c.N, ok = p.number(); !ok {
				return nil, false
			}
			c.HasN = true
		}
	case "text":
		if !p.eat(",") || p.pos >= len(p.toks) || p.toks[p.pos].kind != tString {
			return nil, false
		}
		c.Text = p.toks[p.pos].text
		p.pos++
	case "count":
		if !p.eat(",") {
			return nil, false
		}
		if !p.eat("*") {
			if p.pos >= len(p.toks) || p.toks[p.pos].kind != tOp || !isCompare(p.toks[p.pos].text) {
				return nil, false
			}
			c.Op = p.toks[p.pos].text
			p.pos++
			if c.N, ok = p.number(); !ok {
				return nil, false
			}
			c.HasN = true
		}
	}
	return c, p.eat(")")
}

func (p *depParser) number() (int, bool) {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != tWord {
		return 0, false
	}
	n, err := strconv.Atoi(p.toks[p.pos].text)
	p.pos++
	return n, err == nil && n >= 0
}

func isCompare(s string) bool {
	switch s {
	case ">", ">=", "<", "<=", "==", "!=":
		return true
	}
	return false
}

var (
	idRefRe   = regexp.MustCompile(`^([0-9]+)(?:\[([0-9]+|\*)\])?$`)
	nameRefRe = regexp.MustCompile(`^([A-Za-z0-9._-]*[A-Za-z._-][A-Za-z0-9._-]*)(\*)?(?:\[([0-9]+|\*)\])?$`)
)

// parseJobRef reads a job reference: 123, 123[4], name, name*, name[4] or
// name[*] (the last two also as 123[*]).
func parseJobRef(s string) (JobRef, bool) {
	var r JobRef
	var idx string
	if m := idRefRe.FindStringSubmatch(s); m != nil {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || id <= 0 {
			return r, false
		}
		r.ID, idx = id, m[2]
	} else if m := nameRefRe.FindStringSubmatch(s); m != nil {
		r.Name, r.Wildcard, idx = m[1], m[2] == "*", m[3]
	} else {
		return r, false
	}
	switch idx {
	case "":
	case "*":
		r.AllIndex = true
	default:
		n, err := strconv.Atoi(idx)
		if err != nil || n < 1 {
			return r, false
		}
		r.Index = n
	}
	return r, true
}
