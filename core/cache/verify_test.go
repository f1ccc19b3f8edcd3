package cache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	old := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	tests := []struct {
		name string
		// after changes the files once they are recorded.
		after       func(t *testing.T, a, b string)
		wantMtime   string // reason prefix for VerifyMtime; "" = hit
		wantContent string // reason prefix for VerifyContent; "" = hit
	}{
		{name: "intact", after: func(*testing.T, string, string) {}},
		{
			name:        "removed",
			after:       func(t *testing.T, a, b string) { os.Remove(b) },
			wantMtime:   "output B is missing",
			wantContent: "output B is missing",
		},
		{
			name:        "grown",
			after:       func(t *testing.T, a, b string) { write(t, a, "aaaa+") },
			wantMtime:   "output A changed: 5 bytes, recorded 4",
			wantContent: "output A changed: 5 bytes, recorded 4",
		},
		{
			name:      "touched",
			after:     func(t *testing.T, a, b string) { os.Chtimes(a, time.Now(), time.Now()) },
			wantMtime: "output A changed: modified ",
		},
		{
			name: "same size, mtime restored",
			after: func(t *testing.T, a, b string) {
				write(t, b, "BBBB")
				os.Chtimes(b, old, old)
			},
			wantContent: "output B changed: content differs from the recorded digest",
		},
		{
			name: "replaced by a directory",
			after: func(t *testing.T, a, b string) {
				os.Remove(a)
				os.Mkdir(a, 0o755)
			},
			wantMtime:   "output A is no longer a regular file",
			wantContent: "output A is no longer a regular file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
			var outs []runspec.Output
			for p, content := range map[string]string{a: "aaaa", b: "bbbb"} {
				write(t, p, content)
				os.Chtimes(p, old, old)
				o, err := runspec.DigestFile(p, nil)
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, o)
			}
			tc.after(t, a, b)
			for _, c := range []struct {
				mode VerifyMode
				want string
			}{{VerifyMtime, tc.wantMtime}, {VerifyContent, tc.wantContent}} {
				want := strings.NewReplacer("A", a, "B", b).Replace(c.want)
				ok, reason := Verify(outs, c.mode)
				if ok != (c.want == "") || !strings.HasPrefix(reason, want) {
					t.Errorf("Verify(%s) = %v, %q; want hit %v, reason starting %q", c.mode, ok, reason, c.want == "", want)
				}
			}
		})
	}
}

func TestParseVerifyMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    VerifyMode
		wantErr bool
	}{
		{"", VerifyMtime, false},
		{"mtime", VerifyMtime, false},
		{"content", VerifyContent, false},
		{"digest", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseVerifyMode(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("ParseVerifyMode(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}
