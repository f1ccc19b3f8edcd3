package worker

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// startWorker runs the test binary as a worker process for s.
func startWorker(t *testing.T, s *runspec.Spec, grace time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+specPath(s), helperGraceEnv+"="+grace.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // our signals reach the worker only
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd
}

// assertGone fails unless the process whose pid is in text has exited. A
// zombie counts as exited: an orphan waits for init to reap it, and init
// in a container may be slow at that.
func assertGone(t *testing.T, text string) {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		t.Fatalf("bad pid %q", text)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		// pid (comm) STATE ...; comm may contain spaces, so look after ')'.
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d outlived its task", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSIGTERMTerminates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		sig        syscall.Signal // SIGTERM when zero
		command    string
		wantReason string
	}{
		{
			name:       "command stops on SIGTERM",
			command:    "sleep 30 & echo $! > bg.pid; touch started; wait",
			wantReason: "the worker received SIGTERM (time limit, cancellation or preemption); the command was stopped",
		},
		{
			name:    "command ignoring SIGTERM is killed after the grace period",
			command: "trap '' TERM; sleep 30 & echo $! > bg.pid; touch started; wait; sleep 30",
			wantReason: "the worker received SIGTERM (time limit, cancellation or preemption); the command was stopped" +
				" with SIGKILL after ignoring SIGTERM for 300ms",
		},
		{
			name:       "Flux's SIGALRM at a time limit stops the command too",
			sig:        syscall.SIGALRM,
			command:    "sleep 30 & echo $! > bg.pid; touch started; wait",
			wantReason: "the worker received SIGALRM (time limit, cancellation or preemption); the command was stopped",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSpec(t, 1, tc.command)
			w := startWorker(t, s, 300*time.Millisecond)
			waitFile(t, filepath.Join(s.WorkDir, "started"))
			sig := tc.sig
			if sig == 0 {
				sig = syscall.SIGTERM
			}
			sent := time.Now()
			if err := w.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := w.Wait(); err != nil {
				t.Fatalf("worker: %v, want exit 0 after writing its result", err)
			}
			if took := time.Since(sent); took > 3*time.Second {
				t.Errorf("worker took %v to stop after SIGTERM", took)
			}
			r, err := runspec.ReadResult(s.Result)
			if err != nil {
				t.Fatal(err)
			}
			if name := unix.SignalName(sig); r.Outcome != runspec.Terminated || r.Signal != name || r.Reason != tc.wantReason {
				t.Errorf("outcome %s signal %q reason %q; want terminated, %s, %q", r.Outcome, r.Signal, r.Reason, name, tc.wantReason)
			}
			if !strings.Contains(readFile(t, s.Stderr), tc.wantReason) {
				t.Error("the stderr log does not say why the command stopped")
			}
			assertGone(t, readFile(t, filepath.Join(s.WorkDir, "bg.pid")))
		})
	}
}

func TestKilledWorkerTakesTheCommandAlong(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "echo $$ > bash.pid; touch started; while :; do sleep 0.05; done")
	w := startWorker(t, s, time.Second)
	waitFile(t, filepath.Join(s.WorkDir, "started"))
	pidText := readFile(t, filepath.Join(s.WorkDir, "bash.pid"))
	if err := w.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = w.Wait()
	assertGone(t, pidText)
	if _, err := os.Stat(s.Result); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a SIGKILLed worker left a result file (%v); the dispatcher must reconcile from the scheduler", err)
	}
}

func TestContextCancelTerminates(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "touch started; sleep 30")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitFile(t, filepath.Join(s.WorkDir, "started"))
		cancel()
	}()
	start := time.Now()
	if code := Run(ctx, Options{SpecPath: specPath(s), Grace: time.Second}); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	r, err := runspec.ReadResult(s.Result)
	if err != nil {
		t.Fatal(err)
	}
	want := "the worker was cancelled; the command was stopped"
	if r.Outcome != runspec.Terminated || r.Reason != want || r.Signal != "" || time.Since(start) > 5*time.Second {
		t.Errorf("outcome %s reason %q signal %q after %v; want terminated, %q", r.Outcome, r.Reason, r.Signal, time.Since(start), want)
	}
}
