package fluxsyntax

// One job of a submission: every option checked and defaults applied.

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// Job is one job a submission makes, with every value checked and
// defaults applied.
type Job struct {
	// CC is the job's id in the --cc/--bcc idset; HasCC is false without
	// either, and CCEnv is set only for --cc (FLUX_JOB_CC).
	CC    int
	HasCC bool
	CCEnv bool
	// Command is the job's command (submit) or the batch script's
	// arguments after its name (batch).
	Command []string
	Name    string
	// NTasks is the number of tasks (submit) or slots (batch);
	// CoresPerTask and GPUsPerTask the size of each.
	NTasks       int
	CoresPerTask int
	GPUsPerTask  int
	Nodes        int
	Exclusive    bool
	// TimeLimit is in seconds; 0 means none was given, +Inf "inf".
	TimeLimit float64
	Queue     string
	Bank      string
	Cwd       string
	Output    string
	Error     string
	Input     string
	Urgency   int
	// EnvRules are --env, --env-remove ("-PATTERN") and --env-file
	// ("^FILE") in order.
	EnvRules     []string
	Dependencies []Dependency
	Setattrs     []string
	Quiet        bool
	Waitable     bool
}

func (s *Submission) job(p *parsed, cmd []string, cc int, hasCC bool) (Job, *Rejection) {
	j := Job{CC: cc, HasCC: hasCC, Urgency: 16}
	fail := func(format string, a ...any) (Job, *Rejection) { return Job{}, failf(s.cmd(), format, a...) }
	var rej *Rejection

	if s.Batch {
		if len(cmd) > 0 {
			j.Command = cmd[1:]
		}
		if j, rej = s.batchShape(p, j); rej != nil {
			return Job{}, rej
		}
	} else {
		if len(cmd) == 0 {
			return fail("job command and arguments are missing")
		}
		j.Command = cmd
		if j, rej = s.submitShape(p, j); rej != nil {
			return Job{}, rej
		}
	}

	if v, ok := p.last("time-limit"); ok {
		t, err := ParseTimeLimit(v)
		if err != nil {
			return fail("%v", err)
		}
		j.TimeLimit = t
	}
	if v, ok := p.last("urgency"); ok {
		switch v {
		case "default":
			j.Urgency = 16
		case "hold":
			j.Urgency = 0
		case "expedite":
			j.Urgency = 31
		default:
			n, err := strconv.Atoi(v)
			if err != nil {
				return fail("invalid literal for int() with base 10: '%s'", v)
			}
			if n < 0 || n > 31 {
				return fail("urgency %d is out of range 0-31", n)
			}
			j.Urgency = n
		}
	}
	for _, f := range p.all("flags") {
		for fl := range strings.SplitSeq(f, ",") {
			switch fl {
			case "waitable":
				j.Waitable = true
			case "debug", "novalidate":
			default:
				return fail("--flags: Unknown flag %s", fl)
			}
		}
	}
	for _, d := range p.all("dependency") {
		scheme, value, _ := strings.Cut(d, ":")
		if scheme == "" {
			return fail("Invalid dependency URI \"%s\"", d)
		}
		value, _, _ = strings.Cut(value, "?") // query parameters are not emulated
		j.Dependencies = append(j.Dependencies, Dependency{Scheme: scheme, Value: value})
	}
	if v, ok := p.last("begin-time"); ok {
		if !strings.HasPrefix(v, "+") {
			return fail("--begin-time %q: the flux test double understands only +FSD", v)
		}
		secs, err := ParseTimeLimit(v[1:])
		if err != nil || math.IsInf(secs, 0) {
			return fail("invalid Flux standard duration")
		}
		j.Dependencies = append(j.Dependencies, Dependency{Scheme: "begin-time", Value: "+" + strconv.FormatFloat(secs, 'f', -1, 64)})
	}
	for _, it := range p.items {
		switch it.Name {
		case "env":
			j.EnvRules = append(j.EnvRules, it.Value)
		case "env-remove":
			j.EnvRules = append(j.EnvRules, "-"+it.Value)
		case "env-file":
			j.EnvRules = append(j.EnvRules, "^"+it.Value)
		case "setattr":
			j.Setattrs = append(j.Setattrs, it.Value)
			key, val, _ := strings.Cut(it.Value, "=")
			if key == "bank" || key == "system.bank" {
				j.Bank = val
			}
		}
	}
	j.Queue, _ = p.last("queue")
	if v, ok := p.last("bank"); ok {
		j.Bank = v
	}
	j.Cwd, _ = p.last("cwd")
	j.Output, _ = p.last("output")
	j.Error, _ = p.last("error")
	j.Input, _ = p.last("input")
	j.Quiet = p.has("quiet")
	if v, ok := p.last("job-name"); ok {
		j.Name = v
	} else if s.Batch {
		j.Name = "batch"
		if len(s.Command) > 0 {
			j.Name = s.Command[0]
		}
	} else {
		j.Name = filepath.Base(j.Command[0])
	}
	if s.Batch && j.Output == "" {
		j.Output = "flux-{{id}}.out"
	}
	for _, n := range []string{"wait", "wait-event", "watch", "dry-run", "log", "log-stderr", "help"} {
		if p.has(n) {
			return fail("--%s is not emulated by the flux test double", n)
		}
	}
	return j, nil
}
