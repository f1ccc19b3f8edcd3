package sgeexec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseQdel(t *testing.T) {
	if got := parseQdel(readTestdata(t, "qdel/mixed.txt")); len(got) != 0 {
		t.Errorf("deleted tasks, a deleted job and an unknown id are no refusals: %v", got)
	}
	got := parseQdel([]byte("root has deleted job 7\n" +
		`denied: job "8" does not belong to you` + "\n" +
		`denied: job "9" does not exist` + "\n"))
	if d := cmp.Diff(map[int]string{8: "does not belong to you"}, got); d != "" {
		t.Errorf("parseQdel (-want +got):\n%s", d)
	}
}
