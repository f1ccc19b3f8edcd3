package sgeexec

import "strings"

// maxNameLen keeps job names readable in qstat's columns and well inside
// what every Grid Engine accepts.
const maxNameLen = 64

// jobName makes a Grid Engine job name (-N) from a task name. Grid Engine
// refuses names with spaces (with the misleading "Error reading answer
// list from qmaster"), ':' or '/', and names that start with a digit, so
// the name keeps [A-Za-z0-9_.-], turns everything else into '_', and gets
// a letter in front when it would start with anything but a letter or '_'.
func jobName(task string) string {
	var b strings.Builder
	for _, r := range task {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" {
		return "reflow"
	}
	if c := name[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		name = "r" + name
	}
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	return name
}
