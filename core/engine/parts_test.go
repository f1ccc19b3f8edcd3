package engine

import (
	"fmt"
	"strings"
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
		recs[i] = partsRecord{p: &cache.Parts{Task: "t", Index: i, Command: fmt.Sprintf("echo %d <&>", i)}, id: fmt.Sprintf("id-%d", i)}
	}
	if err := appendParts(runDir, recs); err != nil {
		t.Fatal(err)
	}
	again := []partsRecord{{p: &cache.Parts{Task: "t", Index: 5, Command: "echo again"}, id: "id-5-again"}}
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

// BenchmarkRecordParts100k records the identity parts of 100,000 elements,
// as the first round of a fully cached re-run does (W3's budget is 3 s for
// all of that run), and reads one back the way `reflow explain` does.
func BenchmarkRecordParts100k(b *testing.B) {
	recs := make([]partsRecord, 100_000)
	for i := range recs {
		p := cache.Parts{Task: "upper", Index: i, Command: "tr a-z A-Z < /some/run/dir/split/chunk_00 > up.txt",
			Outputs: []string{"up.txt"}, Upstream: []cache.Upstream{{Task: "split", Index: i, Identity: strings.Repeat("7", 64)}}}
		recs[i] = partsRecord{&p, strings.Repeat("c", 64)}
	}
	b.Run("record", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := &dispatcher{m: &model{}}
			d.m.run.RunDir = b.TempDir()
			d.recordParts(recs)
		}
	})
	b.Run("read-one", func(b *testing.B) {
		d := &dispatcher{m: &model{}}
		d.m.run.RunDir = b.TempDir()
		d.recordParts(recs)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, _, err := ReadParts(d.m.run.RunDir, "upper", 99_999); err != nil {
				b.Fatal(err)
			}
		}
	})
}
