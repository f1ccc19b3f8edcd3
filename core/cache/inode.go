package cache

import (
	"os"
	"syscall"
)

// inode is part of a file's key: a file replaced by rename (the usual way
// tools write) can keep its size and, on coarse-mtime filesystems, its
// mtime, but not its inode.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
