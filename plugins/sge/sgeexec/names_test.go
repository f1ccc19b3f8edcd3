package sgeexec

import (
	"strings"
	"testing"
)

// TestJobName: the names Grid Engine refuses (facts page) never come out.
func TestJobName(t *testing.T) {
	cases := map[string]string{
		"split":                 "split",
		"qc.align":              "qc.align",
		"echo hi":               "echo_hi",
		"1abc":                  "r1abc",
		"a:b":                   "a_b",
		"dir/task":              "dir_task",
		"-x":                    "r-x",
		".hidden":               "r.hidden",
		"_ok":                   "_ok",
		"":                      "reflow",
		"ünï":                   "_n_",
		strings.Repeat("a", 80): strings.Repeat("a", maxNameLen),
	}
	for in, want := range cases {
		if got := jobName(in); got != want {
			t.Errorf("jobName(%q) = %q, want %q", in, got, want)
		}
	}
}
