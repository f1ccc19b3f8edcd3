package store

// Network and cluster filesystems, by the f_type magic number Linux's
// statfs(2) reports. SQLite's WAL mode keeps its index in a shared-memory
// file (-shm) that every process maps with mmap; mmap'd pages are not kept
// coherent between hosts by these filesystems, and several also implement
// POSIX locks loosely. Two dispatchers on two nodes could then each believe
// they see the latest WAL frame and corrupt the store. A rollback journal
// (DELETE) relies only on file locks, which is what SQLite documents as the
// way to use it over a network.
//
// FUSE is listed too: it hosts sshfs, GlusterFS, s3fs and others whose
// mmap and locking semantics are unknown, and DELETE is safe everywhere
// (merely slower), so it is the conservative choice.
var networkFS = map[int64]string{
	0x6969:     "nfs",
	0x517b:     "smb",
	0xff534d42: "cifs",
	0xfe534d42: "smb2",
	0x0bd00bd0: "lustre",
	0x47504653: "gpfs",
	0x19830326: "beegfs",
	0x00c36400: "ceph",
	0x5346414f: "afs",
	0x6b414653: "kafs",
	0x73757245: "coda",
	0x564c:     "ncp",
	0x01021997: "9p",
	0x7461636f: "ocfs2",
	0x01161970: "gfs2",
	0xaad7aaea: "panfs",
	0x20030528: "orangefs",
	0x65735546: "fuse",
}

// FSInfo describes the filesystem a store file lives on.
type FSInfo struct {
	// Magic is statfs's f_type (0 when not known, e.g. not Linux).
	Magic int64
	// Name is a short name for network filesystems ("nfs", "lustre"), else "".
	Name string
	// Network is true for network and cluster filesystems, where WAL is unsafe.
	Network bool
}

// classifyFS maps a statfs magic number to FSInfo.
func classifyFS(magic int64) FSInfo {
	// f_type is a signed word on some architectures: normalise to the
	// unsigned 32-bit value the kernel headers use.
	m := magic & 0xffffffff
	name, ok := networkFS[m]
	return FSInfo{Magic: m, Name: name, Network: ok}
}
