package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	tests := []struct {
		name           string
		flag, config   string
		env, xdg, home string
		want           string
	}{
		{name: "flag wins", flag: "/f/m.db", config: "/c/m.db", env: "/e/m.db", want: "/f/m.db"},
		{name: "env over config", config: "/c/m.db", env: "/e/m.db", want: "/e/m.db"},
		{name: "config over xdg", config: "/c/m.db", xdg: "/x", want: "/c/m.db"},
		{name: "xdg", xdg: "/x", home: "/h", want: "/x/reflow/manifest.db"},
		{name: "relative xdg ignored", xdg: "rel", home: "/h", want: "/h/.local/share/reflow/manifest.db"},
		{name: "home", home: "/h", want: "/h/.local/share/reflow/manifest.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvStore, tt.env)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			got, err := ResolvePath(tt.flag, tt.config)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ResolvePath = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("DefaultPath uses env", func(t *testing.T) {
		t.Setenv(EnvStore, "/e/m.db")
		if got, _ := DefaultPath(); got != "/e/m.db" {
			t.Errorf("DefaultPath = %q", got)
		}
	})
	t.Run("relative env made absolute", func(t *testing.T) {
		t.Setenv(EnvStore, "m.db")
		got, _ := DefaultPath()
		if !filepath.IsAbs(got) {
			t.Errorf("DefaultPath = %q, not absolute", got)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("this is not sqlite\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(dir, "plain")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		wants []string // substrings of the message
	}{
		{"missing directory", filepath.Join(dir, "nope", "m.db"), []string{"nope", "does not exist", "mkdir -p"}},
		{"parent is a file", filepath.Join(aFile, "m.db"), []string{"is not a directory"}},
		{"path is a directory", dir, []string{"is a directory", "manifest.db"}},
		{"not a database", notDB, []string{notDB, "not an SQLite database", "move it away"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var oe *OpenError
			if !errors.As(err, &oe) {
				t.Errorf("error %T is not *OpenError: %v", err, err)
			}
			for _, w := range append(tt.wants, tt.path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("not writable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root can write anywhere")
		}
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		_, err := Open(context.Background(), filepath.Join(ro, "m.db"), Options{})
		if err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("err = %v, want not writable", err)
		}
	})
}

func TestOpenCreateDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a", "b", "manifest.db")
	s, err := Open(context.Background(), p, Options{CreateDir: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != p || s.SchemaVersion() != LatestSchemaVersion() {
		t.Errorf("Path %q version %d", s.Path(), s.SchemaVersion())
	}
}

func TestOpenOddPath(t *testing.T) {
	// '?', '#', '%' and spaces must survive the DSN.
	dir := filepath.Join(t.TempDir(), "we?ird #dir %41")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), filepath.Join(dir, "m.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "m.db")); err != nil {
		t.Errorf("store not created at the odd path: %v", err)
	}
}

func TestJournalModes(t *testing.T) {
	fsInfo, err := DetectFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if fsInfo.Network {
		t.Skipf("the temp dir is on a network filesystem (%s)", fsInfo.Name)
	}
	tests := []struct {
		opt  JournalMode
		want JournalMode
	}{
		{"", JournalWAL},
		{JournalAuto, JournalWAL},
		{"WAL", JournalWAL},
		{JournalDelete, JournalDelete},
		{JournalTruncate, JournalTruncate},
	}
	for _, tt := range tests {
		t.Run(string(tt.opt), func(t *testing.T) {
			s := openTest(t, Options{JournalMode: tt.opt})
			if s.JournalMode() != tt.want {
				t.Errorf("JournalMode() = %q, want %q", s.JournalMode(), tt.want)
			}
			// Ask SQLite itself, on the connection that writes.
			var got string
			if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if JournalMode(strings.ToLower(got)) != tt.want {
				t.Errorf("PRAGMA journal_mode = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), Options{JournalMode: "memory"})
		if err == nil || !strings.Contains(err.Error(), "use auto, wal, delete or truncate") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestSchemaTooNew(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	newer := LatestSchemaVersion() + 3
	if _, err := s.w.Exec("PRAGMA user_version = " + itoa(newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), p, Options{})
	var tn *SchemaTooNewError
	if !errors.As(err, &tn) {
		t.Fatalf("err = %v, want *SchemaTooNewError", err)
	}
	if tn.Found != newer || tn.Supported != LatestSchemaVersion() {
		t.Errorf("Found %d Supported %d", tn.Found, tn.Supported)
	}
	for _, w := range []string{p, "newer reflow", "upgrade reflow"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not mention %q", err, w)
		}
	}
}

func TestClosed(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.View(context.Background(), func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close = %v", err)
	}
}
