package pluginapi

import (
	"fmt"
	"strings"
)

// Severity of a diagnostic. The zero value is Error, so a diagnostic built
// without a severity still stops the operation instead of vanishing.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Diagnostic is a problem a user must read: what is wrong, what to do, and the
// attribute of the request it is about.
type Diagnostic struct {
	Severity Severity
	Summary  string
	Detail   string
	// Attribute is the path of the request attribute the problem is about,
	// e.g. "resources.mem", "dependencies[2].handle", "settings.account".
	// Empty when the problem is about the request as a whole.
	Attribute string
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Severity.String())
	if d.Attribute != "" {
		b.WriteString(": ")
		b.WriteString(d.Attribute)
	}
	b.WriteString(": ")
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString(": ")
		b.WriteString(d.Detail)
	}
	return b.String()
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// Errorf appends an error diagnostic about attr.
func (ds Diagnostics) Errorf(attr, summary string, args ...any) Diagnostics {
	return append(ds, Diagnostic{Severity: Error, Attribute: attr, Summary: fmt.Sprintf(summary, args...)})
}

// Warnf appends a warning diagnostic about attr.
func (ds Diagnostics) Warnf(attr, summary string, args ...any) Diagnostics {
	return append(ds, Diagnostic{Severity: Warning, Attribute: attr, Summary: fmt.Sprintf(summary, args...)})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns the error diagnostics as one Go error, or nil when there are
// none. Warnings are left out.
func (ds Diagnostics) Err() error {
	var msgs []string
	for _, d := range ds {
		if d.Severity == Error {
			msgs = append(msgs, d.String())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &DiagnosticsError{Diagnostics: ds, msg: strings.Join(msgs, "; ")}
}

// DiagnosticsError is the error Diagnostics.Err returns.
type DiagnosticsError struct {
	Diagnostics Diagnostics
	msg         string
}

func (e *DiagnosticsError) Error() string { return e.msg }
