package runspec

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkWriteResult is the durable part of every task's end: temp
// file, fsync, rename, directory fsync.
func BenchmarkWriteResult(b *testing.B) {
	p := filepath.Join(b.TempDir(), "results", "t.a1.json")
	r := &Result{Version: Version, Task: "t", Index: -1, Attempt: 1, Outcome: Succeeded, Start: time.Now(), End: time.Now()}
	for b.Loop() {
		if err := WriteResult(p, r); err != nil {
			b.Fatal(err)
		}
	}
}
