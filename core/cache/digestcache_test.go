package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func sum(content string) string {
	s := sha256.Sum256([]byte(content))
	return "sha256:" + hex.EncodeToString(s[:])
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDigestCacheHashesOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.fa")
	write(t, ref, ">chr1\nACGT\n")
	dc := NewDigestCache()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				got, err := dc.Inputs([]string{ref})
				if err != nil || got[ref] != sum(">chr1\nACGT\n") {
					t.Errorf("Inputs = %v, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	dc.Rescan() // the file is looked at again, but it has not changed
	if _, err := dc.Digest(ref); err != nil {
		t.Fatal(err)
	}
	if n := dc.Hashed(); n != 1 {
		t.Errorf("8001 lookups over two scans hashed the file %d times, want 1", n)
	}
}

func TestDigestCacheSeesRewrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "params.txt")
	write(t, p, "alpha=1\n")
	dc := NewDigestCache()
	first, err := dc.Digest(p)
	if err != nil {
		t.Fatal(err)
	}
	// Same size, and the same mtime forced back: only the inode differs,
	// as when a tool writes a new file and renames it into place.
	fi, _ := os.Stat(p)
	tmp := p + ".new"
	write(t, tmp, "alpha=2\n")
	os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	if again, _ := dc.Digest(p); again != first {
		t.Errorf("within one scan the answer changed: %s then %s", first, again)
	}
	dc.Rescan()
	second, err := dc.Digest(p)
	if err != nil {
		t.Fatal(err)
	}
	if first == second || second != sum("alpha=2\n") {
		t.Errorf("after a rewrite: %s then %s, want %s", first, second, sum("alpha=2\n"))
	}
	// And an in-place edit that changes the size.
	write(t, p, "alpha=300\n")
	dc.Rescan()
	if third, _ := dc.Digest(p); third != sum("alpha=300\n") {
		t.Errorf("after an edit: %s", third)
	}
}

func TestDigestCacheDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "genome", "chr1.fa"), "ACGT")
	write(t, filepath.Join(dir, "genome", "idx", "chr1.idx"), "1")
	same := filepath.Join(dir, "copy")
	write(t, filepath.Join(same, "chr1.fa"), "ACGT")
	write(t, filepath.Join(same, "idx", "chr1.idx"), "1")
	other := filepath.Join(dir, "other")
	write(t, filepath.Join(other, "chr1.fa"), "ACGT")
	write(t, filepath.Join(other, "idx", "chr2.idx"), "1") // renamed file

	digest := func(p string) string {
		d, err := NewDigestCache().Digest(p)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	g := digest(filepath.Join(dir, "genome"))
	if g != digest(same) {
		t.Error("two directories with the same files digest differently")
	}
	if g == digest(other) {
		t.Error("renaming a file inside a directory does not change its digest")
	}
}

func TestDigestCacheMissingInput(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.txt")
	if _, err := NewDigestCache().Inputs([]string{missing}); err == nil {
		t.Error("a missing input gave no error")
	}
}
