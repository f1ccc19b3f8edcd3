//go:build !linux

package store

// DetectFS reports the filesystem that holds dir. Outside Linux reflow
// does not detect network filesystems: set Options.JournalMode (or the site
// config) to "delete" when the store sits on one.
func DetectFS(dir string) (FSInfo, error) { return FSInfo{}, nil }

// checkWritable is left to SQLite outside Linux.
func checkWritable(path string) error { return nil }
