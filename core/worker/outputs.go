package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// taskError is a problem the task's owner must fix; its text becomes the
// result's Reason.
type taskError struct{ reason string }

func (e *taskError) Error() string { return e.reason }

func failf(format string, args ...any) error {
	return &taskError{reason: fmt.Sprintf(format, args...)}
}

// collectOutputs expands the output globs in workDir and digests every
// match (see doc.go for which matches fail the task).
func collectOutputs(workDir string, globs []string, stop func() bool) ([]runspec.Output, error) {
	if len(globs) == 0 {
		return nil, nil
	}
	realWork, err := filepath.EvalSymlinks(workDir)
	if err != nil {
		return nil, fmt.Errorf("resolve work dir: %w", err)
	}
	var paths []string
	for _, g := range globs {
		matches, err := expandGlob(workDir, realWork, g)
		if err != nil {
			return nil, err
		}
		paths = append(paths, matches...)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths) // two globs may match one file

	outs := make([]runspec.Output, 0, len(paths))
	for _, p := range paths {
		o, err := runspec.DigestFile(p, stop)
		if err != nil {
			return nil, fmt.Errorf("digest output: %w", err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// expandGlob returns the regular files g matches, as paths under workDir.
func expandGlob(workDir, realWork, g string) ([]string, error) {
	// hclconfig rejects these at validation; a hand-written or stale spec
	// must not get past the worker either.
	if filepath.IsAbs(g) {
		return nil, failf("output glob %q is absolute; outputs are relative to the work dir", g)
	}
	if c := filepath.Clean(g); c == ".." || strings.HasPrefix(c, "../") {
		return nil, failf("output glob %q leaves the work dir", g)
	}
	matches, err := filepath.Glob(filepath.Join(workDir, g))
	if err != nil {
		return nil, failf("output glob %q is malformed: %v", g, err)
	}
	literal := !strings.ContainsAny(g, `*?[\`)
	if len(matches) == 0 && literal {
		return nil, failf("declared output %q was not created by the command", g)
	}
	files := matches[:0]
	for _, m := range matches {
		real, err := filepath.EvalSymlinks(m)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, failf("output %s is a symlink to a file that does not exist", m)
		}
		if err != nil {
			return nil, fmt.Errorf("resolve output %s: %w", m, err)
		}
		if rel, err := filepath.Rel(realWork, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, failf("output %s resolves to %s, outside the work dir %s; outputs must live in the work dir", m, real, workDir)
		}
		fi, err := os.Stat(real)
		if err != nil {
			return nil, fmt.Errorf("stat output %s: %w", m, err)
		}
		switch {
		case fi.Mode().IsRegular():
			files = append(files, m)
		case fi.IsDir() && !literal:
			// "*" in a work dir with sub-directories: record the files only.
		case fi.IsDir():
			return nil, failf("declared output %q is a directory; outputs are files (use a glob such as %q)", g, g+"/*")
		default:
			// Opening a FIFO would block the worker; a device is no output.
			return nil, failf("output %s is not a regular file (%s)", m, fi.Mode().Type())
		}
	}
	return files, nil
}
