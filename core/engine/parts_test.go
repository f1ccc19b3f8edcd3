package engine

import (
	"fmt"
	"testing"

	"github.com/reflow-hpc/reflow/core/cache"
)

// TestAppendPartsManyBlocks: more records than one encoding block come back
// whole and in order, and a later record of the same index wins.
func TestAppendPartsManyBlocks(t *testing.T) {
	runDir := t.TempDir()
	n := 2*partsBlock + 7
	recs := make([]partsRecord, n)
	for i := range recs {
		recs[i] = partsRecord{p: cache.Parts{Task: "t", Index: i, Command: fmt.Sprintf("echo %d <&>", i)}, id: fmt.Sprintf("id-%d", i)}
	}
	if err := appendParts(runDir, recs); err != nil {
		t.Fatal(err)
	}
	again := []partsRecord{{p: cache.Parts{Task: "t", Index: 5, Command: "echo again"}, id: "id-5-again"}}
	if err := appendParts(runDir, again); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTaskParts(runDir, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("read %d records, want %d", len(got), n)
	}
	for i := 0; i < n; i++ {
		want, cmd := fmt.Sprintf("id-%d", i), fmt.Sprintf("echo %d <&>", i)
		if i == 5 {
			want, cmd = "id-5-again", "echo again"
		}
		if r := got[i]; r.Identity != want || r.Parts.Command != cmd || r.Parts.Index != i {
			t.Fatalf("index %d: %+v, want identity %s command %q", i, r, want, cmd)
		}
	}
}
