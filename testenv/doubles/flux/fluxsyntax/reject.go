package fluxsyntax

import (
	"fmt"
	"strings"
)

// Rejection is a command line Flux refuses: the text it prints on stderr
// and the status it exits with.
type Rejection struct {
	Stderr string
	Exit   int
}

func (r *Rejection) Error() string { return strings.TrimSpace(r.Stderr) }

// Usage is an argparse error: a usage line, then "PROG: error: MSG", exit 2.
func Usage(prog, usage, msg string) *Rejection {
	return &Rejection{Stderr: fmt.Sprintf("usage: %s\n%s: error: %s\n", usage, prog, msg), Exit: 2}
}

// Fail is an error Flux's command raises after parsing its arguments:
// "flux-CMD: ERROR: MSG", exit 1.
func Fail(cmd, msg string) *Rejection {
	return &Rejection{Stderr: fmt.Sprintf("flux-%s: ERROR: %s\n", cmd, msg), Exit: 1}
}

func failf(cmd, format string, args ...any) *Rejection {
	return Fail(cmd, fmt.Sprintf(format, args...))
}
