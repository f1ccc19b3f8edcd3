//go:build linux

package store

import (
	"golang.org/x/sys/unix"
)

// DetectFS reports the filesystem that holds dir.
func DetectFS(dir string) (FSInfo, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return FSInfo{}, err
	}
	return classifyFS(int64(st.Type)), nil
}

// checkWritable reports whether the process may write path (a directory
// or a file). SQLite would only say "unable to open database file".
func checkWritable(path string) error {
	return unix.Access(path, unix.W_OK)
}
