package worker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// maxArgCommand is the longest command passed as `bash -c` argument. Linux
// refuses a single argv string over 128 KiB (MAX_ARG_STRLEN), and a command
// built with args() over thousands of files gets there; longer ones run
// from a script file.
const maxArgCommand = 64 << 10

var (
	bashOnce sync.Once
	bashPath string
	bashErr  error
)

// bash is looked up once per process, not once per task.
func bash() (string, error) {
	bashOnce.Do(func() { bashPath, bashErr = exec.LookPath("bash") })
	return bashPath, bashErr
}

// exitInfo is how the command ended.
type exitInfo struct {
	exitCode int
	// signal ended the command ("SIGKILL"), "" when it exited.
	signal string
	// killed: the command outlived the grace period after SIGTERM.
	killed  bool
	peakRSS int64
}

// command is one bash process to start.
type command struct {
	dir    string
	env    []string
	script string // the command text
	file   string // run this script file instead, when set
	stdout *os.File
	stderr *os.File
}

// run starts the command in its own process group and waits for it. The
// group lets the worker signal the command and everything it started
// without signalling itself (or the scheduler's wrapper around it).
// Pdeathsig makes the kernel kill bash should the worker itself be killed.
func (c command) run(stop *stopper, grace time.Duration) (exitInfo, error) {
	path, err := bash()
	if err != nil {
		return exitInfo{}, fmt.Errorf("cannot find bash: %w", err)
	}
	args := []string{"bash", "-eo", "pipefail", "-c", c.script}
	if c.file != "" {
		args = []string{"bash", "-eo", "pipefail", c.file}
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   args,
		Dir:    c.dir,
		Env:    c.env,
		Stdout: c.stdout, // *os.File: the child writes directly, no copying goroutine
		Stderr: c.stderr,
		SysProcAttr: &syscall.SysProcAttr{
			Setpgid:   true,
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return exitInfo{}, fmt.Errorf("cannot start bash: %w", err)
	}
	pid := cmd.Process.Pid

	// Wait for the exit without reaping: while bash is a zombie its pid,
	// and so its process group id, cannot be reused, which makes it safe
	// to signal the group after bash has gone.
	exited := make(chan struct{})
	go func() {
		waitExited(pid)
		close(exited)
	}()

	var info exitInfo
	select {
	case <-exited:
	case <-stop.ch:
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		t := time.NewTimer(grace)
		select {
		case <-exited:
		case <-t.C:
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			info.killed = true
			<-exited
		}
		t.Stop()
	}
	// Whatever the command left running in the background dies with it,
	// as it would at the end of a scheduler job.
	_ = syscall.Kill(-pid, syscall.SIGKILL)

	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return exitInfo{}, fmt.Errorf("waiting for bash: %w", err)
	}
	st := cmd.ProcessState
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		info.peakRSS = int64(ru.Maxrss) * 1024 // Linux reports kilobytes
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		info.signal = unix.SignalName(ws.Signal())
		info.exitCode = 128 + int(ws.Signal()) // as bash and schedulers report it
	} else {
		info.exitCode = ws.ExitStatus()
	}
	return info, nil
}

// waitExited blocks until pid has exited, leaving it for cmd.Wait to reap.
func waitExited(pid int) {
	var si unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &si, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}
