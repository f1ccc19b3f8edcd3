package sdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultCommandTimeout is how long Run lets a command run when
// Command.Timeout is zero. Scheduler clients normally answer in well under a
// second; a minute covers a slow controller without letting a hung one stall
// a dispatch round forever.
const DefaultCommandTimeout = 60 * time.Second

// commandWaitDelay bounds how long Run waits for output pipes after the
// command exited or was killed, for when a child that escaped the process
// group (a daemon that called setsid) still holds them open.
const commandWaitDelay = 2 * time.Second

// maxErrorText caps the stderr text a CommandError carries, so one noisy
// command cannot flood a diagnostic or a log line. Result keeps it all.
const maxErrorText = 2048

// Command is a native command to run, such as sbatch or qstat.
type Command struct {
	// Path is the program; without a slash it is looked up in $PATH.
	Path string
	// Args are the arguments after the program name.
	Args []string
	// Stdin is fed to the command's standard input (a job script for bsub or
	// qsub, say). Nil means no input: the command reads end of file.
	Stdin []byte
	// Env is the command's whole environment, as in os/exec: nil inherits
	// the plugin's environment; to add to it use append(os.Environ(), ...).
	Env []string
	// Dir is the working directory; empty means the plugin's own.
	Dir string
	// Timeout bounds the run; zero means DefaultCommandTimeout. On timeout
	// the command's whole process group is killed.
	Timeout time.Duration
}

// Argv returns the command line: Path followed by Args.
func (c Command) Argv() []string {
	return append([]string{c.Path}, c.Args...)
}

// Result is what a command produced.
type Result struct {
	// Stdout and Stderr are the command's complete output.
	Stdout []byte
	Stderr []byte
	// ExitCode is the exit status, or -1 when the command did not exit
	// normally (killed by a signal, timed out, or never started).
	ExitCode int
	// Duration is the wall-clock time the command took.
	Duration time.Duration
}

// CommandError is the error Run returns when a command did not succeed: it
// exited non-zero, was killed, timed out, was cancelled, or could not start.
// Its message names the command, what happened and the command's own
// complaint, because that stderr text ("sbatch: error: invalid partition
// specified") is usually the only thing that tells a user what to fix.
type CommandError struct {
	// Argv is the command line.
	Argv []string
	// ExitCode is the exit status, or -1 when the command did not exit
	// normally.
	ExitCode int
	// Stderr is the command's standard error, trimmed of surrounding space and
	// shortened to about 2 KiB (the middle is cut, keeping the first lines and
	// the last).
	Stderr string
	// TimedOut is set when the command was killed because its timeout (or
	// the caller's context deadline) passed.
	TimedOut bool
	// Timeout is the limit that applied.
	Timeout time.Duration
	// Err is the underlying error: an *exec.ExitError, the error from
	// starting the command, context.DeadlineExceeded or context.Canceled.
	Err error
}

// Error describes the failure in one line plus the command's stderr.
func (e *CommandError) Error() string {
	var b strings.Builder
	cmd := quoteArgv(e.Argv)
	var exitErr *exec.ExitError
	switch {
	case e.TimedOut:
		fmt.Fprintf(&b, "%s timed out after %v and was killed", cmd, e.Timeout)
	case errors.Is(e.Err, context.Canceled):
		fmt.Fprintf(&b, "%s was cancelled", cmd)
	case e.ExitCode > 0:
		fmt.Fprintf(&b, "%s exited with status %d", cmd, e.ExitCode)
	case errors.As(e.Err, &exitErr):
		fmt.Fprintf(&b, "%s was killed (%v)", cmd, exitErr)
	case e.Err != nil:
		fmt.Fprintf(&b, "%s could not run: %v", cmd, e.Err)
	default:
		fmt.Fprintf(&b, "%s failed", cmd)
	}
	if e.Stderr != "" {
		b.WriteString(": ")
		b.WriteString(e.Stderr)
	}
	return b.String()
}

// Unwrap returns the underlying error, so errors.Is(err,
// context.DeadlineExceeded) and errors.As(err, &exitErr) work.
func (e *CommandError) Unwrap() error { return e.Err }

// Run runs c and captures its output. It returns the Result whether or not
// the command succeeded, so callers can still read stdout of a command that
// exits non-zero on partial success (bjobs does). The error is nil when the
// command exited 0, and a *CommandError otherwise.
//
// The command runs in its own process group. On timeout or when ctx is done,
// the whole group is killed with SIGKILL, so children of a wrapper script do
// not linger holding cluster connections or output pipes.
func Run(ctx context.Context, c Command) (Result, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Env = c.Env
	cmd.Dir = c.Dir
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = commandWaitDelay
	useProcessGroup(cmd)

	start := time.Now()
	err := cmd.Run()
	res := Result{
		Stdout:   stdout.Bytes(),
		Stderr:   stderr.Bytes(),
		ExitCode: -1,
		Duration: time.Since(start),
	}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if err == nil || errors.Is(err, exec.ErrWaitDelay) && res.ExitCode == 0 && ctx.Err() == nil {
		// ErrWaitDelay with status 0: the command succeeded but a child it
		// left behind kept the pipes open; the command's own output is
		// complete.
		return res, nil
	}
	ce := &CommandError{
		Argv:     c.Argv(),
		ExitCode: res.ExitCode,
		Stderr:   shorten(strings.TrimSpace(string(res.Stderr)), maxErrorText),
		Timeout:  timeout,
		Err:      err,
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		ce.Err = ctxErr
		ce.TimedOut = errors.Is(ctxErr, context.DeadlineExceeded)
		ce.ExitCode = -1
		res.ExitCode = -1
	}
	return res, ce
}

// quoteArgv renders argv as a shell command line a user can copy, cut short
// when an argument (a --wrap script, say) makes it very long.
func quoteArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = shellQuote(a)
	}
	return shorten(strings.Join(parts, " "), 300)
}

// shellQuote quotes s for a POSIX shell, leaving words of safe characters
// as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("_@%+=:,./-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shorten cuts s to about max bytes by removing its middle, keeping the
// beginning (where commands say what went wrong) and the end (where
// tracebacks say where), without splitting a UTF-8 character.
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	headLen, tailLen := max*3/4, max/4
	head, tail := s[:headLen], s[len(s)-tailLen:]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	for len(tail) > 0 && !utf8.ValidString(tail) {
		tail = tail[1:]
	}
	return fmt.Sprintf("%s … [%d bytes cut] … %s", head, len(s)-len(head)-len(tail), tail)
}
