package fluxsyntax

import (
	"fmt"
	"strings"
)

// Submission is a `flux submit` or `flux batch` command line that parsed:
// its options (a batch script's directives first, then the command line,
// so the command line wins) and its command. Jobs checks the rest and
// splits it into the jobs it makes.
type Submission struct {
	Batch bool
	// Command is the job's command and arguments (submit), or the batch
	// script's name and its arguments (batch; empty when read from stdin).
	Command []string
	// Script is a batch script's text.
	Script string
	p      *parsed
	v      Version
}

func (s *Submission) cmd() string {
	if s.Batch {
		return "batch"
	}
	return "submit"
}

// ParseSubmit parses the arguments of `flux submit` (after "submit").
func ParseSubmit(args []string, v Version) (*Submission, *Rejection) {
	p, rej := submitSet(v).parse(args, true)
	if rej != nil {
		return nil, rej
	}
	return &Submission{Command: p.positionals, p: p, v: v}, nil
}

// ParseBatch parses the arguments of `flux batch` (after "batch"), reads
// the script through read (name "" means standard input) and applies its
// directives.
func ParseBatch(args []string, v Version, read func(name string) (string, error)) (*Submission, *Rejection) {
	set := batchSet(v)
	p, rej := set.parse(args, true)
	if rej != nil {
		return nil, rej
	}
	s := &Submission{Batch: true, Command: p.positionals, v: v}
	if p.has("wrap") {
		if len(p.positionals) == 0 {
			return nil, Fail("batch", "--wrap requires a command (reading it from stdin is not emulated)")
		}
		s.Script = "#!/bin/sh\n" + strings.Join(p.positionals, " ") + "\n"
		s.p = p
		return s, nil
	}
	name, display := "", "stdin"
	if len(p.positionals) > 0 {
		name, display = p.positionals[0], p.positionals[0]
	}
	text, err := read(name)
	if err != nil {
		return nil, Fail("batch", err.Error())
	}
	s.Script = text
	dirs, err := ParseDirectives(text)
	if err != nil {
		return nil, failf("batch", "%s: %v", display, err)
	}
	merged := &parsed{}
	for _, d := range dirs {
		dp, rej := set.parse(d.Args, false)
		if rej == nil && len(dp.positionals) > 0 {
			rej = Usage(set.prog, set.usage, "unrecognized arguments: "+strings.Join(dp.positionals, " "))
		}
		if rej != nil {
			return nil, &Rejection{
				Stderr: rej.Stderr + fmt.Sprintf("flux-batch: ERROR: argument parsing failed at %s line %d\n", display, d.Line),
				Exit:   2,
			}
		}
		merged.items = append(merged.items, dp.items...)
	}
	merged.items = append(merged.items, p.items...)
	merged.positionals = p.positionals
	s.p = merged
	return s, nil
}

// Dependency is one --dependency URI: SCHEME:VALUE.
type Dependency struct {
	Scheme string
	Value  string
}

func (d Dependency) String() string { return d.Scheme + ":" + d.Value }

// mutableOptions are the options flux submit formats with {cc} for each
// copy; --cwd and --bank are not among them.
var mutableOptions = map[string]bool{
	"queue": true, "ntasks": true, "nodes": true, "cores-per-task": true, "gpus-per-task": true,
	"cores": true, "tasks-per-node": true, "tasks-per-core": true, "gpus-per-node": true,
	"time-limit": true, "env": true, "env-file": true, "urgency": true, "setopt": true,
	"setattr": true, "job-name": true, "input": true, "output": true, "error": true,
	"cc": true, "bcc": true, "log": true, "log-stderr": true, "dependency": true,
	"taskmap": true, "requires": true, "wait-event": true,
}

// CCList returns the ids of --cc or --bcc, and whether FLUX_JOB_CC is set
// (--cc). Without either it returns nil.
func (s *Submission) CCList() ([]int, bool, *Rejection) {
	cc, hasCC := s.p.last("cc")
	bcc, hasBCC := s.p.last("bcc")
	if hasCC && hasBCC {
		return nil, false, Fail(s.cmd(), "specify only one of --cc or --bcc")
	}
	spec := cc
	if hasBCC {
		spec = bcc
	}
	if !hasCC && !hasBCC {
		return nil, false, nil
	}
	ids, err := ParseIDSet(spec)
	if err != nil {
		return nil, false, Fail(s.cmd(), err.Error())
	}
	return ids, hasCC, nil
}

// Jobs checks the submission and returns the jobs it makes: one per
// --cc/--bcc id, else one. A problem with any copy rejects the whole
// submission (flux checks each copy before sending it; the double checks
// all of them first so a rejection submits nothing).
func (s *Submission) Jobs() ([]Job, *Rejection) {
	ids, ccEnv, rej := s.CCList()
	if rej != nil {
		return nil, rej
	}
	if ids == nil {
		j, rej := s.job(s.p, s.Command, 0, false)
		if rej != nil {
			return nil, rej
		}
		return []Job{j}, nil
	}
	out := make([]Job, 0, len(ids))
	for _, id := range ids {
		p, cmd, rej := s.copyFor(id)
		if rej != nil {
			return nil, rej
		}
		j, rej := s.job(p, cmd, id, true)
		if rej != nil {
			return nil, rej
		}
		j.CCEnv = ccEnv
		out = append(out, j)
	}
	return out, nil
}

// copyFor formats the mutable options and the command for one cc id.
func (s *Submission) copyFor(id int) (*parsed, []string, *Rejection) {
	p := &parsed{positionals: s.p.positionals}
	for _, it := range s.p.items {
		if mutableOptions[it.Name] {
			v, err := FormatCC(it.Value, id)
			if err != nil {
				return nil, nil, failf(s.cmd(), "%v in '--%s=%s'", err, it.Name, it.Value)
			}
			it.Value = v
		}
		p.items = append(p.items, it)
	}
	var cmd []string
	for _, a := range s.Command {
		v, err := FormatCC(a, id)
		if err != nil {
			return nil, nil, failf(s.cmd(), "Invalid replacement string in command: '%s'", a)
		}
		cmd = append(cmd, v)
	}
	return p, cmd, nil
}
