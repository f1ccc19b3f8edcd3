package shell

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostile are values that would run code, split, glob or expand if a
// command interpolated them without quoting.
var hostile = []struct{ name, value string }{
	{"plain", "data.txt"},
	{"empty", ""},
	{"space", "two words"},
	{"command substitution", "$(touch pwned)"},
	{"backticks", "`touch pwned`"},
	{"semicolon", "a; touch pwned"},
	{"and", "a && touch pwned"},
	{"pipe", "a | touch pwned"},
	{"newline", "a\ntouch pwned"},
	{"single quote", "it's"},
	{"only single quotes", "'''"},
	{"double quote", `say "hi"`},
	{"both quotes", `'"'"`},
	{"glob star", "*"},
	{"glob class", "[a-z]?"},
	{"leading dash", "-rf"},
	{"tilde", "~root"},
	{"variable", "$HOME ${PATH}"},
	{"arithmetic", "$((1+1))"},
	{"history", "!!"},
	{"redirect", "> pwned"},
	{"backslash", `a\b\\`},
	{"unicode", "héllo wörld ✓"},
	{"tab", "a\tb"},
	{"brace expansion", "{a,b}"},
	{"comment", "# not a comment"},
	{"process substitution", "<(touch pwned)"},
	{"carriage return", "a\rb"},
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"a/b.c-d_e@f%g+h=i:j,k", "a/b.c-d_e@f%g+h=i:j,k"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$x", "'$x'"},
		{"-n", "-n"},
		{"é", "'é'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Quote(tt.in)); diff != "" {
				t.Errorf("Quote(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestQuoteThroughBash runs every hostile value through a real bash and
// checks that the one argument bash passes on is the value, byte for byte,
// and that nothing else ran (no file appeared).
func TestQuoteThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// printf '%s\0' prints every argument NUL-terminated, so the
			// argument count is visible too.
			script := "printf '%s\\0' " + Quote(tt.value)
			cmd := exec.Command(bash, "-eo", "pipefail", "-c", script)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash -c %q: %v", script, err)
			}
			if diff := cmp.Diff(tt.value+"\x00", string(out)); diff != "" {
				t.Errorf("bash saw (-want +got):\n%s", diff)
			}
			assertNothingCreated(t, dir)
		})
	}
}

func TestWordsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	var values []string
	for _, tt := range hostile {
		values = append(values, tt.value)
	}
	dir := t.TempDir()
	script := "printf '%s\\0' " + Words(values)
	cmd := exec.Command(bash, "-c", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	var want string
	for _, v := range values {
		want += v + "\x00"
	}
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("bash saw (-want +got):\n%s", diff)
	}
	assertNothingCreated(t, dir)
	if got := Words(nil); got != "" {
		t.Errorf("Words(nil) = %q, want empty", got)
	}
}

func assertNothingCreated(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("bash created %s: a value was executed", filepath.Join(dir, e.Name()))
	}
}

func FuzzQuote(f *testing.F) {
	for _, tt := range hostile {
		f.Add(tt.value)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if !NeedsQuoting(s) && q != s {
			t.Fatalf("safe value %q was changed to %q", s, q)
		}
		// Undo the quoting the way bash would: a quoted word is a sequence
		// of '...' runs and \' escapes.
		if NeedsQuoting(s) {
			if got := unquote(q); got != s {
				t.Fatalf("Quote(%q) = %q reads back as %q", s, q, got)
			}
		}
	})
}

func unquote(q string) string {
	var out []byte
	for i := 0; i < len(q); {
		switch {
		case q[i] == '\'':
			j := i + 1
			for j < len(q) && q[j] != '\'' {
				j++
			}
			out = append(out, q[i+1:j]...)
			i = j + 1
		case q[i] == '\\' && i+1 < len(q):
			out = append(out, q[i+1])
			i += 2
		default:
			out = append(out, q[i])
			i++
		}
	}
	return string(out)
}
