package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A re-executed test binary with these variables set runs hammer instead
// of the tests: real separate processes sharing one store file, like ten
// `reflow apply` started at once.
const (
	envHammerPath   = "REFLOW_STORE_TEST_HAMMER"
	envHammerWorker = "REFLOW_STORE_TEST_WORKER"
	envHammerMode   = "REFLOW_STORE_TEST_JOURNAL"
)

const (
	hammerWorkers   = 10
	hammerInstances = 50
)

// hammerRounds: a rollback journal fsyncs several times per commit, so
// fewer rounds keep the DELETE case as quick as the WAL one.
func hammerRounds(mode JournalMode) int {
	if mode == JournalDelete {
		return 6
	}
	return 15
}

func TestMain(m *testing.M) {
	if path := os.Getenv(envHammerPath); path != "" {
		w, _ := strconv.Atoi(os.Getenv(envHammerWorker))
		if err := hammer(path, JournalMode(os.Getenv(envHammerMode)), w); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hammer opens its own Store on path and does what an apply and its
// dispatcher do, in many small transactions: create a run with tasks and
// instances, take the lease, run rounds that update instances, record the
// cache, finish. Any error (above all "database is locked") fails it.
func hammer(path string, mode JournalMode, worker int) error {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{JournalMode: mode})
	if err != nil {
		return err
	}
	defer s.Close()
	for round := 0; round < hammerRounds(mode); round++ {
		runID := fmt.Sprintf("w%d-r%d", worker, round)
		ins := make([]Instance, hammerInstances)
		for i := range ins {
			ins[i] = Instance{RunID: runID, Task: "t", Index: i, State: InstancePending}
		}
		err := s.Update(ctx, func(tx *Tx) error {
			if err := tx.CreateRun(ctx, Run{ID: runID, Workflow: "hammer", RunDir: "/tmp/" + runID}); err != nil {
				return err
			}
			if err := tx.PutTasks(ctx, []Task{{RunID: runID, Name: "t", Kind: TaskArray}}); err != nil {
				return err
			}
			return tx.PutInstances(ctx, ins)
		})
		if err != nil {
			return fmt.Errorf("worker %d round %d: create: %w", worker, round, err)
		}
		holder := fmt.Sprintf("w%d:%d:x", worker, round)
		if err := s.AcquireLease(ctx, runID, holder, "foreground", time.Minute); err != nil {
			return fmt.Errorf("worker %d round %d: lease: %w", worker, round, err)
		}
		for _, st := range []InstanceState{InstanceSubmitted, InstanceRunning, InstanceSucceeded} {
			for i := range ins {
				ins[i].State = st
				ins[i].Attempt = 1
			}
			err := s.Update(ctx, func(tx *Tx) error {
				if err := tx.CheckLease(ctx, runID, holder); err != nil {
					return err
				}
				if err := tx.UpdateInstances(ctx, ins); err != nil {
					return err
				}
				if st == InstanceSucceeded {
					return tx.CachePut(ctx, CacheEntry{Identity: runID, RunID: runID, Task: "t", Index: 0})
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("worker %d round %d: %s: %w", worker, round, st, err)
			}
			if err := s.Heartbeat(ctx, runID, holder, time.Minute); err != nil {
				return fmt.Errorf("worker %d round %d: heartbeat: %w", worker, round, err)
			}
			if err := s.View(ctx, func(tx *Tx) error {
				_, err := tx.CountInstances(ctx, runID)
				return err
			}); err != nil {
				return fmt.Errorf("worker %d round %d: view: %w", worker, round, err)
			}
		}
		if err := s.Update(ctx, func(tx *Tx) error { return tx.UpdateRunState(ctx, runID, RunSucceeded, "") }); err != nil {
			return fmt.Errorf("worker %d round %d: finish: %w", worker, round, err)
		}
		if err := s.ReleaseLease(ctx, runID, holder); err != nil {
			return fmt.Errorf("worker %d round %d: release: %w", worker, round, err)
		}
	}
	return nil
}

// checkHammered verifies every worker's work landed.
func checkHammered(t *testing.T, path string, mode JournalMode) {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx *Tx) error {
		runs, err := tx.ListRuns(context.Background(), RunFilter{Workflow: "hammer", State: RunSucceeded})
		if err != nil {
			return err
		}
		if len(runs) != hammerWorkers*hammerRounds(mode) {
			t.Errorf("%d succeeded runs, want %d", len(runs), hammerWorkers*hammerRounds(mode))
		}
		n, err := tx.CountInstances(context.Background(), "w3-r5")
		if err != nil {
			return err
		}
		if n[InstanceSucceeded] != hammerInstances {
			t.Errorf("run w3-r5: %v", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var journalCases = []JournalMode{JournalWAL, JournalDelete}

func TestConcurrentStores(t *testing.T) {
	for _, mode := range journalCases {
		t.Run(string(mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "manifest.db") // created by the race itself
			var wg sync.WaitGroup
			errs := make([]error, hammerWorkers)
			for w := 0; w < hammerWorkers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[w] = hammer(path, mode, w)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			checkHammered(t, path, mode)
		})
	}
}

func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, mode := range journalCases {
		t.Run(string(mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "manifest.db")
			cmds := make([]*exec.Cmd, hammerWorkers)
			outs := make([][]byte, hammerWorkers)
			var wg sync.WaitGroup
			for w := range cmds {
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), envHammerPath+"="+path, envHammerWorker+"="+strconv.Itoa(w),
					envHammerMode+"="+string(mode))
				cmds[w] = cmd
			}
			for w, cmd := range cmds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, err := cmd.CombinedOutput()
					outs[w] = out
					if err != nil {
						t.Errorf("process %d: %v\n%s", w, err, out)
					}
				}()
			}
			wg.Wait()
			checkHammered(t, path, mode)
		})
	}
}
