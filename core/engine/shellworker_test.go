package engine

import "testing"

// TestRunsHere: commands that could tell an eval in the forked shell from
// bash -c go to bash -c; the rest run in place.
func TestRunsHere(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		here bool
	}{
		{"echo 1 > /dev/null", true},
		{"sort -u in.txt | gzip > out.gz", true},
		{"for f in *.txt; do wc -l \"$f\"; done", true},
		{"echo $# ${HOME}", true},
		{"tmp=/tmp/x.$$", false},
		{"echo ${$}", false},
		{"awk '{print $0}' f", false},
		{"echo $PPID", false},
		{"echo $BASHPID", false},
		{"source x; echo ${BASH_SOURCE[0]}", false},
		{"echo $LINENO", false},
		{"case $- in *e*) ;; esac", false},
		{"f() { return 1; }; f", false},
		{"trap 'rm -f t' EXIT", false},
		{"echo $_reflow_res", false},
	} {
		if got := runsHere(tc.cmd); got != tc.here {
			t.Errorf("runsHere(%q) = %v, want %v", tc.cmd, got, tc.here)
		}
	}
}
