package runspec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
)

// DigestPrefix starts every content digest reflow records.
const DigestPrefix = "sha256:"

// copyBufs keeps hashing from allocating a buffer per file: a run may digest
// hundreds of thousands of small files.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// DigestFile streams the file at path through SHA-256 and returns it as an
// Output: size and mtime come from the opened file, so they describe the
// content that was hashed. stop, when not nil, is polled between reads; a
// true return abandons the file (a worker told to stop must not spend its
// grace period hashing a large output).
func DigestFile(path string, stop func() bool) (Output, error) {
	f, err := os.Open(path)
	if err != nil {
		return Output{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Output{}, err
	}
	if !fi.Mode().IsRegular() {
		return Output{}, fmt.Errorf("%s is not a regular file", path)
	}
	h := sha256.New()
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	for {
		if stop != nil && stop() {
			return Output{}, fmt.Errorf("digest of %s abandoned", path)
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return Output{}, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return Output{
		Path:    path,
		Size:    fi.Size(),
		ModTime: fi.ModTime(),
		Digest:  DigestPrefix + hex.EncodeToString(h.Sum(nil)),
	}, nil
}
