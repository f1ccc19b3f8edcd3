package main

import (
	"strconv"
	"time"
)

// Job is a submission as bsub records it. It never changes afterwards;
// what happens to its elements lives in the element files (state.go).
type Job struct {
	ID      int64
	Name    string // -J without the array part, or the command
	Indices []int  // array indices; nil for a job that is not an array
	Limit   int    // %limit; 0: none
	Step    int
	Queue   string
	Project string
	User    string
	Host    string
	// SubCwd is the submission directory; ExecCwd is -cwd as given.
	SubCwd  string
	ExecCwd string
	// Stdout/Stderr are -o/-oo and -e/-eo as given, tokens unexpanded.
	Stdout, Stderr                   string
	StdoutOverwrite, StderrOverwrite bool
	// Env is the environment the job runs with (bsub's, per -env).
	Env []string
	// Command is the command given on the command line; empty when the
	// job is the spooled script.
	Command []string
	// Depend is -w as given.
	Depend     string
	RunLimit   time.Duration // scaled by REFLOW_DOUBLE_MINUTE
	MemLimitKB int64
	Hold       bool
	Begin      time.Time
	Slots      int
	Submit     time.Time
	KillGrace  time.Duration
}

// indices returns the element indices: the array's, or {0}.
func (j *Job) indices() []int {
	if j.Indices == nil {
		return []int{0}
	}
	return j.Indices
}

func (j *Job) isArray() bool { return j.Indices != nil }

// has reports whether index is one of the job's elements.
func (j *Job) has(index int) bool {
	for _, i := range j.indices() {
		if i == index {
			return true
		}
	}
	return false
}

// elementName is JOB_NAME of element index: "name[7]" in an array.
func (j *Job) elementName(index int) string {
	if !j.isArray() {
		return j.Name
	}
	return j.Name + "[" + strconv.Itoa(index) + "]"
}

// elementID is the id bjobs and bkill print for an element: 123 or 123[7].
func (j *Job) elementID(index int) string {
	if !j.isArray() {
		return strconv.FormatInt(j.ID, 10)
	}
	return strconv.FormatInt(j.ID, 10) + "[" + strconv.Itoa(index) + "]"
}
