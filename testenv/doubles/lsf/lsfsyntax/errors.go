package lsfsyntax

import "fmt"

// ExitFailure is the exit status of a rejected LSF command (OpenLava's
// exit(-1); IBM exits non-zero as well).
const ExitFailure = 255

// Error is a rejection as the real command prints it: the stderr text and
// the exit status.
type Error struct {
	// Msg is what the command writes to stderr, without the final newline.
	Msg string
	// Code is the exit status.
	Code int
}

func (e *Error) Error() string { return e.Msg }

// notSubmitted builds bsub's rejection "<context>: <reason>. Job not
// submitted." (the context is left out when empty).
func notSubmitted(context, reason string) *Error {
	if context == "" {
		return &Error{Msg: reason + ". Job not submitted.", Code: ExitFailure}
	}
	return &Error{Msg: fmt.Sprintf("%s: %s. Job not submitted.", context, reason), Code: ExitFailure}
}

// The reasons the facts page quotes verbatim.
const (
	ReasonNoSuchQueue      = "No such queue"
	ReasonBadResReq        = "Bad resource requirement syntax"
	ReasonArrayIndex       = "Job array index error"
	ReasonArrayTooLarge    = "Job array index too large"
	ReasonDependSyntax     = "Dependency condition syntax error"
	ReasonNoMatchingJob    = "No matching job found"
	ReasonPendingThreshold = "Pending job threshold reached"
)
