package store

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassifyFS(t *testing.T) {
	tests := []struct {
		name  string
		magic int64
		want  FSInfo
	}{
		{"nfs", 0x6969, FSInfo{Magic: 0x6969, Name: "nfs", Network: true}},
		{"lustre", 0x0bd00bd0, FSInfo{Magic: 0x0bd00bd0, Name: "lustre", Network: true}},
		{"gpfs", 0x47504653, FSInfo{Magic: 0x47504653, Name: "gpfs", Network: true}},
		{"beegfs", 0x19830326, FSInfo{Magic: 0x19830326, Name: "beegfs", Network: true}},
		{"cifs", 0xff534d42, FSInfo{Magic: 0xff534d42, Name: "cifs", Network: true}},
		// On 32-bit f_type is a signed int: the same magic arrives negative.
		{"cifs sign-extended", int64(int32(-0x00acb2be)), FSInfo{Magic: 0xff534d42, Name: "cifs", Network: true}},
		{"smb2", 0xfe534d42, FSInfo{Magic: 0xfe534d42, Name: "smb2", Network: true}},
		{"smb", 0x517b, FSInfo{Magic: 0x517b, Name: "smb", Network: true}},
		{"ceph", 0x00c36400, FSInfo{Magic: 0x00c36400, Name: "ceph", Network: true}},
		{"fuse", 0x65735546, FSInfo{Magic: 0x65735546, Name: "fuse", Network: true}},
		{"9p", 0x01021997, FSInfo{Magic: 0x01021997, Name: "9p", Network: true}},
		{"ext4", 0xef53, FSInfo{Magic: 0xef53}},
		{"xfs", 0x58465342, FSInfo{Magic: 0x58465342}},
		{"btrfs", 0x9123683e, FSInfo{Magic: 0x9123683e}},
		{"tmpfs", 0x01021994, FSInfo{Magic: 0x01021994}},
		{"overlayfs", 0x794c7630, FSInfo{Magic: 0x794c7630}},
		{"zfs", 0x2fc12fc1, FSInfo{Magic: 0x2fc12fc1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, classifyFS(tt.magic)); diff != "" {
				t.Errorf("classifyFS(%#x) (-want +got):\n%s", tt.magic, diff)
			}
		})
	}
}

func TestDetectFSLocal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("detection is Linux-only")
	}
	info, err := DetectFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if info.Magic == 0 {
		t.Error("no magic number reported")
	}
	if info.Network {
		t.Skipf("temp dir is on %s; cannot check the local case", info.Name)
	}
	if _, err := DetectFS("/does/not/exist"); err == nil {
		t.Error("DetectFS of a missing dir succeeded")
	}
}
