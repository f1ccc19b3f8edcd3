package pbssyntax

import (
	"fmt"
	"strings"
)

// opt is one option as getopt returns it.
type opt struct {
	flag  byte
	value string
	set   bool // the option takes a value (value may still be "")
}

// getopt splits args the way glibc's getopt(3) does for the PBS commands:
// options may be bundled ("-hz"), a value may be attached ("-Nname") or be
// the next argument ("-N name"), operands may come between options (glibc
// permutes them to the end), and "--" ends the options: what follows it is
// returned apart, in afterDashes, with dashes set. spec lists the
// option letters; a letter followed by ':' takes a value. prog names the
// command in complaints; usage is appended to them.
func getopt(prog string, args []string, spec, usage string) (opts []opt, operands, afterDashes []string, dashes bool, err *Error) {
	takes := map[byte]bool{}
	known := map[byte]bool{}
	for i := 0; i < len(spec); i++ {
		known[spec[i]] = true
		if i+1 < len(spec) && spec[i+1] == ':' {
			takes[spec[i]] = true
			i++
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return opts, operands, args[i+1:], true, nil
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			return nil, nil, nil, false, usageError(fmt.Sprintf("%s: unrecognized option '%s'", prog, a), usage)
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if !known[c] || c == ':' {
				return nil, nil, nil, false, usageError(fmt.Sprintf("%s: invalid option -- '%c'", prog, c), usage)
			}
			if !takes[c] {
				opts = append(opts, opt{flag: c})
				continue
			}
			if j+1 < len(a) {
				opts = append(opts, opt{flag: c, value: a[j+1:], set: true})
			} else if i+1 < len(args) {
				i++
				opts = append(opts, opt{flag: c, value: args[i], set: true})
			} else {
				return nil, nil, nil, false, usageError(fmt.Sprintf("%s: option requires an argument -- '%c'", prog, c), usage)
			}
			break
		}
	}
	return opts, operands, nil, false, nil
}
