package fluxsyntax

import (
	"fmt"
	"strconv"
	"strings"
)

// JobsQuery is a `flux jobs` command line.
type JobsQuery struct {
	IDs      []uint64
	RawIDs   []string // the ids as given, for "JobID X unknown"
	JSON     bool
	All      bool
	AllUsers bool
	NoHeader bool
	Format   string
	Filter   []string // states and results, upper case
	Count    int      // 0: the default of 1000
	Name     string
	Queue    string
}

// jobsFilterWords are the words -f/--filter takes: states, results, and
// the aliases pending, running, active and inactive.
var jobsFilterWords = map[string]bool{
	"DEPEND": true, "PRIORITY": true, "SCHED": true, "RUN": true, "CLEANUP": true, "INACTIVE": true,
	"PENDING": true, "RUNNING": true, "ACTIVE": true,
	"COMPLETED": true, "FAILED": true, "CANCELED": true, "CANCELLED": true, "TIMEOUT": true,
}

// ParseJobs parses the arguments of `flux jobs`.
func ParseJobs(args []string) (*JobsQuery, *Rejection) {
	set := jobsSet()
	p, rej := set.parse(args, false)
	if rej != nil {
		return nil, rej
	}
	q := &JobsQuery{JSON: p.has("json"), All: p.has("all"), AllUsers: p.has("all-users"), NoHeader: p.has("no-header")}
	q.Format, _ = p.last("format")
	q.Name, _ = p.last("name")
	q.Queue, _ = p.last("queue")
	if q.JSON && q.Format != "" {
		return nil, Usage(set.prog, set.usage, "argument -o/--format: not allowed with argument --json")
	}
	if v, ok := p.last("count"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, Usage(set.prog, set.usage, fmt.Sprintf("argument -c/--count: invalid int value: '%s'", v))
		}
		q.Count = n
	}
	if v, ok := p.last("filter"); ok {
		for w := range strings.SplitSeq(v, ",") {
			u := strings.ToUpper(strings.TrimSpace(w))
			if !jobsFilterWords[u] {
				return nil, Fail("jobs", fmt.Sprintf("invalid state or result specified: %s", w))
			}
			q.Filter = append(q.Filter, u)
		}
	}
	for _, a := range p.positionals {
		id, err := ParseJobID(a)
		if err != nil {
			return nil, Usage(set.prog, set.usage, fmt.Sprintf("argument JOBID: invalid JobID value: '%s'", a))
		}
		q.IDs = append(q.IDs, id)
		q.RawIDs = append(q.RawIDs, a)
	}
	return q, nil
}

// CancelRequest is a `flux cancel` command line.
type CancelRequest struct {
	IDs     []uint64
	Message string
	Quiet   bool
}

// ParseCancel parses the arguments of `flux cancel`. The bulk selections
// (--all, -u, -S) are refused: the plugin must never use them and the
// double does not emulate them.
func ParseCancel(args []string) (*CancelRequest, *Rejection) {
	set := cancelSet()
	p, rej := set.parse(args, false)
	if rej != nil {
		return nil, rej
	}
	for _, n := range []string{"all", "user", "states", "dry-run"} {
		if p.has(n) {
			return nil, Fail("cancel", fmt.Sprintf("--%s is not emulated by the flux test double", n))
		}
	}
	r := &CancelRequest{Quiet: p.has("quiet")}
	r.Message, _ = p.last("message")
	if len(p.positionals) == 0 {
		return nil, Fail("cancel", "specify at least one JOBID or --all")
	}
	for _, a := range p.positionals {
		id, err := ParseJobID(a)
		if err != nil {
			return nil, Usage(set.prog, set.usage, fmt.Sprintf("argument JOBID: invalid JobID value: '%s'", a))
		}
		r.IDs = append(r.IDs, id)
	}
	return r, nil
}
