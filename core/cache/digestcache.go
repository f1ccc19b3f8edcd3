package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// DigestCache digests input files once: keep one per run (or per plan) and
// ask it for every instance's inputs. A file's digest is keyed by path,
// size, mtime and inode, so it is never served for a file that has since
// been rewritten; a new key is hashed again.
//
// Even a stat per lookup is too much for 100,000 instances reading one
// file (it was most of the cost), so each path is looked at once per scan:
// later lookups reuse the first answer (an error too) until Rescan. A dispatcher calls
// Rescan at the start of each round; a plan never needs to.
//
// Safe for concurrent use; callers asking for one file at once wait for
// one hash.
type DigestCache struct {
	mu    sync.Mutex
	files map[fileKey]*entry
	// seen is this scan's answer per path (files and directories).
	seen map[string]*entry

	hashed atomic.Int64 // files actually read, for tests and stats
}

type fileKey struct {
	path  string
	size  int64
	mtime int64
	ino   uint64
}

type entry struct {
	once   sync.Once
	digest string
	err    error
}

// NewDigestCache returns an empty cache.
func NewDigestCache() *DigestCache {
	return &DigestCache{files: map[fileKey]*entry{}, seen: map[string]*entry{}}
}

// Rescan makes the next lookup of every path look at the file again. A
// file found unchanged is not hashed again; a directory is.
func (c *DigestCache) Rescan() {
	c.mu.Lock()
	c.seen = map[string]*entry{}
	c.mu.Unlock()
}

// Hashed is how many files the cache has read so far.
func (c *DigestCache) Hashed() int64 { return c.hashed.Load() }

// Digest returns "sha256:<hex>" of the file at path. A directory's digest
// covers the names and contents of every file below it (a reference genome
// is often a directory); it is computed once per scan, since a directory's
// own mtime does not change when a file deep inside it is rewritten.
func (c *DigestCache) Digest(path string) (string, error) {
	return once(c, c.seen, path, func() (string, error) { return c.lookup(path) })
}

// lookup digests path as it is now, reusing a digest of the same file.
func (c *DigestCache) lookup(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("input %s: %w", path, err)
	}
	if fi.IsDir() {
		return c.digestDir(path)
	}
	key := fileKey{path: path, size: fi.Size(), mtime: fi.ModTime().UnixNano(), ino: inode(fi)}
	return once(c, c.files, key, func() (string, error) {
		c.hashed.Add(1)
		o, err := runspec.DigestFile(path, nil)
		if err != nil {
			return "", fmt.Errorf("input %s: %w", path, err)
		}
		return o.Digest, nil
	})
}

// Inputs digests every path, for Parts.Inputs.
func (c *DigestCache) Inputs(paths []string) (map[string]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(paths))
	for _, p := range paths {
		d, err := c.Digest(p)
		if err != nil {
			return nil, err
		}
		m[p] = d
	}
	return m, nil
}

// once runs compute for key the first time anyone asks, and hands every
// caller its answer.
func once[K comparable](c *DigestCache, m map[K]*entry, key K, compute func() (string, error)) (string, error) {
	c.mu.Lock()
	e, ok := m[key]
	if !ok {
		e = &entry{}
		m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.digest, e.err = compute() })
	return e.digest, e.err
}

// digestDir hashes the sorted relative paths of the files below dir with
// their digests. Symlinks are followed for files (the content is what the
// command reads) but not for directories (a loop must not hang the plan).
func (c *DigestCache) digestDir(dir string) (string, error) {
	e := newEncoder()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("input %s: %w", p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil // a symlink to a directory, a socket: not content
		}
		digest, err := c.Digest(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		e.field(tagInput, filepath.ToSlash(rel))
		e.str(digest)
		return nil
	})
	if err != nil {
		e.sum()
		return "", err
	}
	return runspec.DigestPrefix + e.sum(), nil
}
