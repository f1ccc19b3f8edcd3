package runspec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB: several buffer fills
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"hello", "hello", "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
		{"one MiB", big, "sha256:" + sha256Hex(big)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			o, err := DigestFile(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(p)
			if o.Digest != tc.want || o.Size != int64(len(tc.content)) || !o.ModTime.Equal(fi.ModTime()) || o.Path != p {
				t.Errorf("got %+v, want digest %s size %d mtime %v", o, tc.want, len(tc.content), fi.ModTime())
			}
		})
	}
	t.Run("stopped", func(t *testing.T) {
		p := filepath.Join(dir, "one MiB")
		if _, err := DigestFile(p, func() bool { return true }); err == nil {
			t.Error("a stopped digest returned no error")
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := DigestFile(dir, nil); err == nil {
			t.Error("digest of a directory returned no error")
		}
	})
}
