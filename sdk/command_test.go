package sdk

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

	"github.com/google/go-cmp/cmp"
)

func sh(script string) Command {
	return Command{Path: "/bin/sh", Args: []string{"-c", script}}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cmd  Command
		want Result // Duration is ignored
	}{
		{"stdout", sh("echo hello"), Result{Stdout: []byte("hello\n"), ExitCode: 0}},
		{"stdout and stderr", sh("echo out; echo err >&2"),
			Result{Stdout: []byte("out\n"), Stderr: []byte("err\n")}},
		{"stdin", Command{Path: "/bin/sh", Args: []string{"-c", "tr a-z A-Z"}, Stdin: []byte("job script\n")},
			Result{Stdout: []byte("JOB SCRIPT\n")}},
		{"no stdin reads EOF", sh("cat; echo done"), Result{Stdout: []byte("done\n")}},
		{"env replaces", Command{Path: "/bin/sh", Args: []string{"-c", "echo ${REFLOW_X}-${HOME:-none}"}, Env: []string{"REFLOW_X=1"}},
			Result{Stdout: []byte("1-none\n")}},
		{"dir", Command{Path: "/bin/sh", Args: []string{"-c", "pwd"}, Dir: dir},
			Result{Stdout: []byte(dir + "\n")}},
		{"path lookup", Command{Path: "sh", Args: []string{"-c", "exit 0"}}, Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(context.Background(), tt.cmd)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpResult); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// cmpResult compares Results without Duration and with nil and empty output
// equal.
var cmpResult = cmp.Transformer("result", func(r Result) map[string]string {
	return map[string]string{"stdout": string(r.Stdout), "stderr": string(r.Stderr), "exit": strconv.Itoa(r.ExitCode)}
})

func TestRunFailures(t *testing.T) {
	type failure struct {
		ExitCode int
		Stderr   string
		TimedOut bool
		// MsgHas are substrings Error() must contain.
		MsgHas []string
	}
	tests := []struct {
		name       string
		cmd        Command
		wantStdout string
		want       failure
	}{
		{
			"non-zero exit",
			sh("echo partial; echo 'sbatch: error: invalid partition specified: nosuch' >&2; exit 3"),
			"partial\n",
			failure{3, "sbatch: error: invalid partition specified: nosuch", false,
				[]string{"/bin/sh -c", "exited with status 3", ": sbatch: error: invalid partition specified: nosuch"}},
		},
		{
			"exit 255",
			sh("exit 255"), "",
			failure{255, "", false, []string{"exited with status 255"}},
		},
		{
			"killed by signal",
			sh("kill -9 $$"), "",
			failure{-1, "", false, []string{"was killed (signal: killed)"}},
		},
		{
			"not found",
			Command{Path: "/nonexistent/sbatch", Args: []string{"--parsable"}}, "",
			failure{-1, "", false, []string{"/nonexistent/sbatch --parsable could not run", "no such file"}},
		},
		{
			"timeout",
			Command{Path: "/bin/sh", Args: []string{"-c", "echo started >&2; sleep 10"}, Timeout: 200 * time.Millisecond}, "",
			failure{-1, "started", true, []string{"timed out after 200ms and was killed: started"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := Run(context.Background(), tt.cmd)
			if time.Since(start) > 5*time.Second {
				t.Errorf("Run took %v", time.Since(start))
			}
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("Run error = %v (%T), want *CommandError", err, err)
			}
			got := failure{ce.ExitCode, ce.Stderr, ce.TimedOut, nil}
			for _, sub := range tt.want.MsgHas {
				if strings.Contains(ce.Error(), sub) {
					got.MsgHas = append(got.MsgHas, sub)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nmessage: %s", diff, ce.Error())
			}
			if diff := cmp.Diff(tt.wantStdout, string(res.Stdout)); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if res.ExitCode != ce.ExitCode {
				t.Errorf("Result.ExitCode %d != CommandError.ExitCode %d", res.ExitCode, ce.ExitCode)
			}
			if diff := cmp.Diff(tt.cmd.Argv(), ce.Argv); diff != "" {
				t.Errorf("Argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunTimeoutKillsProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The grandchild holds stdout open and would outlive a kill of sh alone.
	script := "sleep 30 & echo $! > " + pidFile + "; wait"
	start := time.Now()
	_, err := Run(context.Background(), Command{Path: "/bin/sh", Args: []string{"-c", script}, Timeout: 300 * time.Millisecond})
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Run took %v after a 300ms timeout", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not context.DeadlineExceeded", err)
	}
	b, rerr := os.ReadFile(pidFile)
	if rerr != nil {
		t.Fatal(rerr)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	// The grandchild is killed; it may linger briefly as a zombie until init
	// reaps it, so poll for it to be gone or a zombie.
	deadline := time.Now().Add(3 * time.Second)
	for {
		stat, serr := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if serr != nil || strings.Contains(string(stat), ") Z ") {
			break
		}
		if syscall.Kill(pid, 0) != nil {
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("grandchild %d still alive after the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, sh("sleep 10"))
	if time.Since(start) > 3*time.Second {
		t.Errorf("Run took %v after cancel", time.Since(start))
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.TimedOut || !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %#v, want a cancelled, not timed-out CommandError", err)
	}
	if !strings.Contains(err.Error(), "was cancelled") {
		t.Errorf("message %q does not say cancelled", err)
	}
}

func TestRunExitError(t *testing.T) {
	_, err := Run(context.Background(), sh("exit 1"))
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Errorf("error %v does not unwrap to *exec.ExitError", err)
	}
}

func TestRunLongStderrIsShortened(t *testing.T) {
	res, err := Run(context.Background(), sh(`i=0; while [ $i -lt 500 ]; do echo "line $i of noise"; i=$((i+1)); done >&2; exit 1`))
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	if len(ce.Stderr) > maxErrorText+100 {
		t.Errorf("CommandError.Stderr is %d bytes", len(ce.Stderr))
	}
	for _, sub := range []string{"line 0 of noise", "line 499 of noise", "bytes cut"} {
		if !strings.Contains(ce.Error(), sub) {
			t.Errorf("message does not contain %q", sub)
		}
	}
	if len(res.Stderr) < 5000 {
		t.Errorf("Result.Stderr was cut too: %d bytes", len(res.Stderr))
	}
}

func TestQuoting(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"sbatch", "--parsable", "-p", "debug"}, "sbatch --parsable -p debug"},
		{[]string{"sh", "-c", "echo 'hi' there"}, `sh -c 'echo '\''hi'\'' there'`},
		{[]string{"x", ""}, "x ''"},
		{[]string{"qsub", "-l", "select=1:ncpus=2:mem=1gb"}, "qsub -l select=1:ncpus=2:mem=1gb"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, quoteArgv(tt.in)); diff != "" {
				t.Error(diff)
			}
		})
	}
	if got := shorten(strings.Repeat("é", 100), 51); !strings.Contains(got, "bytes cut") || !utf8Valid(got) {
		t.Errorf("shorten produced %q", got)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
