package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// VerifyMode is how much checking a cache hit gets.
type VerifyMode string

const (
	// VerifyMtime trusts an output whose size and mtime are as recorded:
	// one stat per file, fine for 100,000 cached elements.
	VerifyMtime VerifyMode = "mtime"
	// VerifyContent re-digests every output (`--verify=content`): slower,
	// but immune to tools that restore mtimes (rsync -t, cp -p).
	VerifyContent VerifyMode = "content"
)

// ParseVerifyMode reads a --verify value; "" is the default, VerifyMtime.
func ParseVerifyMode(s string) (VerifyMode, error) {
	switch VerifyMode(s) {
	case "", VerifyMtime:
		return VerifyMtime, nil
	case VerifyContent:
		return VerifyContent, nil
	}
	return "", fmt.Errorf("--verify=%s: want %q or %q", s, VerifyMtime, VerifyContent)
}

// Verify reports whether every recorded output is still as it was; if
// not, reason names the first file that is not. The recorded ModTime must
// have survived the store with its nanoseconds for VerifyMtime to hold.
func Verify(outputs []runspec.Output, mode VerifyMode) (ok bool, reason string) {
	for _, o := range outputs {
		if reason := verifyOne(o, mode); reason != "" {
			return false, reason
		}
	}
	return true, ""
}

func verifyOne(o runspec.Output, mode VerifyMode) string {
	fi, err := os.Stat(o.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("output %s is missing", o.Path)
	case err != nil:
		return fmt.Sprintf("output %s cannot be checked: %v", o.Path, err)
	case !fi.Mode().IsRegular():
		return fmt.Sprintf("output %s is no longer a regular file", o.Path)
	case fi.Size() != o.Size:
		return fmt.Sprintf("output %s changed: %d bytes, recorded %d", o.Path, fi.Size(), o.Size)
	}
	if mode == VerifyContent {
		now, err := runspec.DigestFile(o.Path, nil)
		if err != nil {
			return fmt.Sprintf("output %s cannot be checked: %v", o.Path, err)
		}
		if now.Digest != o.Digest {
			return fmt.Sprintf("output %s changed: content differs from the recorded digest", o.Path)
		}
		return ""
	}
	if !fi.ModTime().Equal(o.ModTime) {
		return fmt.Sprintf("output %s changed: modified %s, recorded %s", o.Path,
			fi.ModTime().Format(timeLayout), o.ModTime.Format(timeLayout))
	}
	return ""
}

const timeLayout = "2006-01-02 15:04:05.000000000"
