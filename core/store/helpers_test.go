package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// clock is a settable fake clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openTest opens a fresh store in a temp dir and closes it at cleanup.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "manifest.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// update runs fn in an Update and fails the test on error.
func update(t testing.TB, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func testRun(id string, c *clock) Run {
	return Run{
		ID: id, Workflow: "etl", FilePath: "/home/u/etl.hcl", FileHash: "sha256:ab",
		Params: json.RawMessage(`{"chunks":4}`), RunDir: "/home/u/reflow-runs/" + id, Cwd: "/home/u",
		Executor: "local", User: "u", Host: "login1", State: RunRunning, Created: c.Now(),
	}
}

// mustCreateRun creates testRun(id) in its own transaction.
func mustCreateRun(t testing.TB, s *Store, c *clock, id string) Run {
	t.Helper()
	r := testRun(id, c)
	update(t, s, func(tx *Tx) error { return tx.CreateRun(context.Background(), r) })
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }
