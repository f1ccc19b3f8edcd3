package pbssyntax

import (
	"regexp"
	"strings"
)

// Submission is a qsub command line after parsing: command-line options
// applied over the script's directives.
type Submission struct {
	Name      string
	Stdout    string // -o, as given ([host:]path)
	Stderr    string // -e
	Join      string // -j
	Keep      string
	Resources []Resource // -l, one entry per name, later settings winning
	Queue     string
	Account   string
	Project   string // OpenPBS -P
	Array     *ArrayRange
	Depend    []Dependency
	Attrs     map[string]string // other -W attributes
	Vars      []Var             // -v
	ExportAll bool              // -V
	Shell     string            // -S
	Hold      bool              // -h
	Rerun     string            // -r
	Quiet     bool              // -z
	WorkDir   string            // Torque -d / -w
	Priority  int
	// Script is the job script (read from the operand or stdin); empty
	// with Command.
	Script     []byte
	ScriptFile string   // the operand, "" for stdin
	Command    []string // after "--": an executable and its arguments
	Directives []string // the directive lines that were read, in order
	// Version is set for "qsub --version", which does nothing else.
	Version bool
}

// Var is one -v entry.
type Var struct {
	Name, Value string
	HasValue    bool
}

// Resource returns the value of -l name and whether it was given.
func (s *Submission) Resource(name string) (string, bool) {
	for _, r := range s.Resources {
		if r.Name == name {
			return r.Value, true
		}
	}
	return "", false
}

const openpbsQsubOpts = "a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:P:q:r:R:S:u:v:VW:Xz"
const torqueQsubOpts = "a:A:b:c:C:d:D:e:fF:hIj:k:K:l:L:m:M:nN:o:p:P:q:r:S:t:T:u:v:Vw:W:XxzZ"

var queueRE = regexp.MustCompile(`^([A-Za-z0-9_.-]+)?(@[A-Za-z0-9.-]+)?$`)

// ParseQsub reads a qsub command line (args without the program name). The
// script is read with readFile when an operand names it, and is stdin
// otherwise. It applies the client's checks (exit 2) and the server's value
// checks (166, 186, 3); the double adds what needs its state (queues,
// limits). The returned Error is exactly what qsub prints and exits with.
func ParseQsub(args []string, stdin func() []byte, readFile func(string) ([]byte, error), site Site) (*Submission, *Error) {
	usage := qsubUsage
	spec := openpbsQsubOpts
	if site.Dialect == Torque {
		usage, spec = torqueQsubUsage, torqueQsubOpts
	}
	if len(args) == 1 && args[0] == "--version" {
		return &Submission{Version: true}, nil
	}
	cmdOpts, operands, after, dashes, err := getopt("qsub", args, spec, usage)
	if err != nil {
		return nil, err
	}
	sub := &Submission{Attrs: map[string]string{}}
	switch {
	case dashes && site.Dialect == OpenPBS:
		if len(operands) > 0 || len(after) == 0 {
			return nil, usageError("", usage)
		}
		sub.Command = after
	case len(operands)+len(after) > 1:
		return nil, usageError("", usage)
	case len(operands)+len(after) == 1:
		sub.ScriptFile = append(operands, after...)[0]
		b, rerr := readFile(sub.ScriptFile)
		if rerr != nil {
			return nil, &Error{Text: "qsub: script file:: No such file or directory", Code: 1}
		}
		sub.Script = b
	default:
		sub.Script = stdin()
	}

	// The directive prefix: -C on the command line, then PBS_DPREFIX.
	prefix := "#PBS"
	if v, ok := site.Env["PBS_DPREFIX"]; ok {
		prefix = v
	}
	for _, o := range cmdOpts {
		if o.flag == 'C' {
			prefix = o.value
		}
	}
	var all []opt
	if sub.Command == nil && prefix != "" {
		for _, line := range scanDirectives(sub.Script, prefix) {
			sub.Directives = append(sub.Directives, line)
			dOpts, dOperands, dAfter, _, derr := getopt("qsub", strings.Fields(strings.TrimPrefix(strings.TrimLeft(line, " \t"), prefix)), spec, usage)
			if derr != nil {
				return nil, derr
			}
			if len(dOperands)+len(dAfter) > 0 {
				return nil, usageError("qsub: directive error: "+line, usage)
			}
			all = append(all, dOpts...)
		}
	}
	all = append(all, cmdOpts...)
	for _, o := range all {
		if e := sub.apply(o, site, usage); e != nil {
			return nil, e
		}
	}
	if e := sub.check(site, usage); e != nil {
		return nil, e
	}
	return sub, nil
}

// scanDirectives returns the directive lines of a script: lines starting
// (after optional blanks) with prefix followed by a blank or the line's end,
// up to the first executable line — the first non-blank line that starts
// with neither '#' nor ':'.
func scanDirectives(script []byte, prefix string) []string {
	var out []string
	for _, line := range strings.Split(string(script), "\n") {
		line = strings.TrimRight(line, "\r")
		t := strings.TrimLeft(line, " \t")
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, prefix) {
			rest := t[len(prefix):]
			if rest == "" || rest[0] == ' ' || rest[0] == '\t' {
				out = append(out, line)
				continue
			}
		}
		if t[0] == '#' || t[0] == ':' {
			continue
		}
		break
	}
	return out
}

// check applies the rules that need the whole submission.
func (s *Submission) check(site Site, usage string) *Error {
	if s.Array != nil {
		flag := "J"
		if site.Dialect == Torque {
			flag = "t"
		}
		if s.Attrs["interactive"] == "true" || s.Rerun == "n" && site.Dialect == OpenPBS {
			return usageError("qsub: illegal -"+flag+" value", usage)
		}
		if site.MaxArraySize > 0 && len(s.Array.Indices) > site.MaxArraySize {
			return &Error{Text: "qsub: Array job exceeds server or queue size limit", Code: ExitArrayTooBig}
		}
	}
	return site.checkResources(s.Resources)
}
