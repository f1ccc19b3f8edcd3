package lsfsyntax

import (
	"bufio"
	"bytes"
	"strings"
)

// Config holds the site parameters that change what bsub accepts.
type Config struct {
	// MaxArraySize is lsb.params MAX_JOB_ARRAY_SIZE; 0 means the default,
	// 1000.
	MaxArraySize int
	// UnitForLimits is lsf.conf LSF_UNIT_FOR_LIMITS, the unit of a memory
	// limit written without one; "" means the default, KB.
	UnitForLimits string
	// ParseScriptArg emulates LSB_BSUB_PARSE_SCRIPT=Y: #BSUB lines are read
	// from a script named on the command line too, not only from stdin.
	ParseScriptArg bool
}

// DefaultMaxArraySize is MAX_JOB_ARRAY_SIZE when lsb.params leaves it out.
const DefaultMaxArraySize = 1000

func (c Config) maxArray() int {
	if c.MaxArraySize > 0 {
		return c.MaxArraySize
	}
	return DefaultMaxArraySize
}

// Option is one option as given, from the command line or a #BSUB line.
type Option struct {
	Name  string // with its dash: "-J"
	Value string // "" for a flag
	// FromScript is set for an option read from a #BSUB line.
	FromScript bool
}

// Submission is a bsub command line that LSF would accept, decoded.
type Submission struct {
	// Options in effect: command-line options override #BSUB ones; for an
	// option given twice the last one counts.
	Options map[string]Option
	// Order lists the option names in the order they were first seen.
	Order []string

	JobName string     // -J without the array part
	Array   *ArraySpec // -J "name[...]%N"
	// MinSlots and MaxSlots are -n (both 1 when -n is absent).
	MinSlots, MaxSlots int
	// MemLimitKB is -M in kilobytes (0: none); MemHard is its "!".
	MemLimitKB int64
	MemHard    bool
	// RusageMemKB is rusage[mem=N] from -R, in kilobytes (0: none).
	RusageMemKB int64
	// RunLimitMinutes is -W in minutes (0: none).
	RunLimitMinutes int64
	Queues          []string
	Depend          Node // -w, parsed; nil when absent
	DependText      string
	Hold            bool // -H
	// Command is the command words after the options (empty when the job
	// is a script read from stdin).
	Command []string
	// Script is the job script read from stdin ("" when Command is set).
	Script string
	// ScriptDirectives lists the #BSUB lines bsub honoured.
	ScriptDirectives []Option
}

// Value returns the value of option name and whether it was given.
func (s *Submission) Value(name string) (string, bool) {
	o, ok := s.Options[name]
	return o.Value, ok
}

// Has reports whether option name was given.
func (s *Submission) Has(name string) bool {
	_, ok := s.Options[name]
	return ok
}

// ParseBsub checks a bsub command line (args without "bsub") and, when no
// command follows the options, the job script bsub reads from stdin. It
// returns the decoded submission, or the error bsub prints.
//
// Checks made (facts page §6): every value option has a value (1), -W (2),
// -M and rusage[mem=] (3), -J array specs (4), -w syntax (5; whether the
// parents exist is the caller's check), -n and -R (6), #BSUB read from stdin
// only (7). Unknown options are rejected too.
func ParseBsub(args []string, stdin []byte, cfg Config) (*Submission, *Error) {
	s := &Submission{Options: map[string]Option{}, MinSlots: 1, MaxSlots: 1}
	cli, rest, err := scanOptions(args, false)
	if err != nil {
		return nil, err
	}
	s.Command = rest
	var directives []Option
	switch {
	case len(rest) == 0:
		s.Script = string(stdin)
		if directives, err = scriptDirectives(stdin); err != nil {
			return nil, err
		}
		if !hasCommandLine(stdin) {
			return nil, notSubmitted("", "No command is specified")
		}
	case cfg.ParseScriptArg:
		// The caller reads the named script and passes it as stdin when it
		// wants LSB_BSUB_PARSE_SCRIPT=Y behaviour; rest[0] is the script.
		if directives, err = scriptDirectives(stdin); err != nil {
			return nil, err
		}
	}
	s.ScriptDirectives = directives
	// #BSUB lines first, then the command line, so the command line wins.
	for _, o := range append(directives, cli...) {
		if _, seen := s.Options[o.Name]; !seen {
			s.Order = append(s.Order, o.Name)
		}
		s.Options[o.Name] = o
	}
	if err := s.decode(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// scanOptions splits args into options and the command that follows. In a
// #BSUB line (inScript) every word must be an option or its value.
func scanOptions(args []string, inScript bool) ([]Option, []string, *Error) {
	var out []Option
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" && !inScript {
			return out, args[i+1:], nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if inScript {
				return nil, nil, notSubmitted(a, "Illegal option in #BSUB line")
			}
			return out, args[i:], nil
		}
		known, takesValue := IsBsubOption(a)
		if !known {
			return nil, nil, &Error{Msg: "bsub: invalid option -- '" + strings.TrimPrefix(a, "-") + "'\n" + usage + "\nJob not submitted.", Code: ExitFailure}
		}
		o := Option{Name: a, FromScript: inScript}
		if takesValue {
			if i+1 >= len(args) {
				return nil, nil, &Error{Msg: "bsub: option requires an argument -- '" + strings.TrimPrefix(a, "-") + "'\n" + usage + "\nJob not submitted.", Code: ExitFailure}
			}
			i++
			o.Value = args[i]
		}
		out = append(out, o)
	}
	return out, nil, nil
}

const usage = "Usage: bsub [options] command [arguments]"

// scriptDirectives reads the #BSUB lines of a job script: every line whose
// first word is "#BSUB" (or "# BSUB"), wherever it sits. A backslash at the
// end of a directive line continues it on the next line; a word starting
// with "#" ends the directive.
func scriptDirectives(script []byte) ([]Option, *Error) {
	var out []Option
	sc := bufio.NewScanner(bytes.NewReader(script))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var pending string
	for sc.Scan() {
		line := sc.Text()
		if pending != "" {
			line = pending + line
			pending = ""
		}
		body, ok := directiveBody(line)
		if !ok {
			continue
		}
		if strings.HasSuffix(body, `\`) {
			pending = "#BSUB " + strings.TrimSuffix(body, `\`)
			continue
		}
		words, err := splitWords(body)
		if err != nil {
			return nil, notSubmitted(strings.TrimSpace(line), err.Error())
		}
		opts, _, e := scanOptions(words, true)
		if e != nil {
			return nil, e
		}
		out = append(out, opts...)
	}
	return out, nil
}

// directiveBody returns the text after "#BSUB" when line is a directive.
func directiveBody(line string) (string, bool) {
	t := strings.TrimLeft(line, " \t")
	switch {
	case strings.HasPrefix(t, "#BSUB"):
		t = t[len("#BSUB"):]
	case strings.HasPrefix(t, "# BSUB"):
		t = t[len("# BSUB"):]
	default:
		return "", false
	}
	if t != "" && t[0] != ' ' && t[0] != '\t' {
		return "", false // "#BSUBX" is a comment
	}
	return t, true
}

// hasCommandLine reports whether a script has a line that is neither blank
// nor a comment: bsub refuses a script without one.
func hasCommandLine(script []byte) bool {
	for _, l := range strings.Split(string(script), "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}

// CommandWords returns the words after bsub's options: the command to run,
// or nothing when the job script comes from stdin. It returns nil too when
// the options are malformed (ParseBsub then says why).
func CommandWords(args []string) []string {
	_, rest, err := scanOptions(args, false)
	if err != nil {
		return nil
	}
	return rest
}
