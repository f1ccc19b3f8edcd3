package fluxsyntax

import "strings"

// arity is how many values an option takes.
type arity int

const (
	flag     arity = iota // store_true / count: no value
	one                   // exactly one value
	optional              // an optional value (--dump)
)

// option is one option of a Flux command, as its argparse parser defines it.
type option struct {
	long  string // without the leading "--"
	short byte   // 0 when the option has no short form
	arity arity
	// since is the first release that has the option; the zero Version
	// means the whole supported range.
	since Version
}

// dest is the name values are stored under: the long name.
func (o option) dest() string { return o.long }

// common options of every submission command (flux-core's MiniCmd).
var commonOptions = []option{
	{long: "queue", short: 'q', arity: one},
	{long: "bank", short: 'B', arity: one, since: BankOptionSince},
	{long: "time-limit", short: 't', arity: one},
	{long: "urgency", arity: one},
	{long: "job-name", arity: one},
	{long: "setopt", short: 'o', arity: one},
	{long: "setattr", arity: one},
	{long: "add-file", arity: one},
	{long: "dependency", arity: one},
	{long: "requires", arity: one},
	{long: "begin-time", arity: one},
	{long: "env", arity: one},
	{long: "env-remove", arity: one},
	{long: "env-file", arity: one},
	{long: "rlimit", arity: one},
	{long: "input", arity: one},
	{long: "output", arity: one},
	{long: "error", arity: one},
	{long: "unbuffered", short: 'u', arity: flag},
	{long: "label-io", short: 'l', arity: flag},
	{long: "cwd", arity: one},
	{long: "flags", arity: one},
	{long: "signal", arity: one},
	{long: "dry-run", arity: flag},
	{long: "quiet", arity: flag},
	{long: "debug-emulate", arity: flag},
	{long: "help", short: 'h', arity: flag},
}

// submitOnly are the options of `flux submit` beyond the common ones: the
// per-task and per-resource shapes, and bulk submission.
var submitOnly = []option{
	{long: "taskmap", arity: one},
	{long: "nodes", short: 'N', arity: one},
	{long: "exclusive", short: 'x', arity: flag},
	{long: "ntasks", short: 'n', arity: one},
	{long: "cores-per-task", short: 'c', arity: one},
	{long: "gpus-per-task", short: 'g', arity: one},
	{long: "cores", arity: one},
	{long: "tasks-per-node", arity: one},
	{long: "tasks-per-core", arity: one},
	{long: "gpus-per-node", arity: one},
	{long: "verbose", short: 'v', arity: flag},
	{long: "cc", arity: one},
	{long: "bcc", arity: one},
	{long: "wait-event", arity: one},
	{long: "wait", arity: flag},
	{long: "watch", arity: flag},
	{long: "log", arity: one},
	{long: "log-stderr", arity: one},
	{long: "progress", arity: flag},
	{long: "jps", arity: flag},
}

// batchOnly are the options of `flux batch` beyond the common ones: slots
// instead of tasks, and the child instance's settings.
var batchOnly = []option{
	{long: "wrap", arity: flag},
	{long: "conf", arity: one},
	{long: "broker-opts", arity: one},
	{long: "dump", arity: optional},
	{long: "nslots", short: 'n', arity: one},
	{long: "cores-per-slot", short: 'c', arity: one},
	{long: "gpus-per-slot", short: 'g', arity: one},
	{long: "nodes", short: 'N', arity: one},
	{long: "exclusive", short: 'x', arity: flag},
}

// jobsOptions are the options of `flux jobs` the double knows.
var jobsOptions = []option{
	{long: "all", short: 'a', arity: flag},
	{long: "all-users", short: 'A', arity: flag},
	{long: "count", short: 'c', arity: one},
	{long: "filter", short: 'f', arity: one},
	{long: "no-header", short: 'n', arity: flag},
	{long: "format", short: 'o', arity: one},
	{long: "user", short: 'u', arity: one},
	{long: "name", arity: one},
	{long: "queue", short: 'q', arity: one},
	{long: "json", arity: flag},
	{long: "help", short: 'h', arity: flag},
}

// cancelOptions are the options of `flux cancel`.
var cancelOptions = []option{
	{long: "message", short: 'm', arity: one},
	{long: "all", arity: flag},
	{long: "user", short: 'u', arity: one},
	{long: "states", short: 'S', arity: one},
	{long: "quiet", short: 'q', arity: flag},
	{long: "dry-run", short: 'n', arity: flag},
	{long: "help", short: 'h', arity: flag},
}

// optionSet is the parser of one command at one release.
type optionSet struct {
	prog  string // "flux submit", as argparse names the program
	usage string
	opts  []option
}

func newOptionSet(prog, usage string, v Version, lists ...[]option) optionSet {
	s := optionSet{prog: prog, usage: usage}
	for _, l := range lists {
		for _, o := range l {
			if v.AtLeast(o.since) {
				s.opts = append(s.opts, o)
			}
		}
	}
	return s
}

func submitSet(v Version) optionSet {
	return newOptionSet("flux submit", "flux submit [OPTIONS...] COMMAND [ARGS...]", v, commonOptions, submitOnly)
}

func batchSet(v Version) optionSet {
	return newOptionSet("flux batch", "flux batch [OPTIONS...] SCRIPT [ARGS...]", v, commonOptions, batchOnly)
}

func jobsSet() optionSet {
	return newOptionSet("flux jobs", "flux jobs [OPTIONS...] [JOBID...]", Version{}, jobsOptions)
}

func cancelSet() optionSet {
	return newOptionSet("flux cancel", "flux cancel [OPTIONS...] [JOBID...]", Version{}, cancelOptions)
}

// findLong finds a long option by its name or, as argparse allows, by an
// unambiguous prefix of it. It returns the candidates when ambiguous.
func (s optionSet) findLong(name string) (option, []string, bool) {
	var cands []option
	for _, o := range s.opts {
		if o.long == name {
			return o, nil, true
		}
		if strings.HasPrefix(o.long, name) {
			cands = append(cands, o)
		}
	}
	if len(cands) == 1 {
		return cands[0], nil, true
	}
	var names []string
	for _, c := range cands {
		names = append(names, "--"+c.long)
	}
	return option{}, names, false
}

func (s optionSet) findShort(c byte) (option, bool) {
	for _, o := range s.opts {
		if o.short == c {
			return o, true
		}
	}
	return option{}, false
}
