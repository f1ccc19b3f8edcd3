package pluginhost

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk/executortest"
)

// hostEnv, when set, makes the test binary act as a reflow host: it submits
// jobs through the local plugin, records the handles, and waits to be
// killed. TestHostSIGKILL starts it as a separate process.
const hostEnv = "REFLOW_TEST_AS_HOST"

func TestMain(m *testing.M) {
	if dir := os.Getenv(hostEnv); dir != "" {
		if err := actAsHost(dir); err != nil {
			fmt.Fprintln(os.Stderr, "test host:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(runTests(m))
}

// localPluginDir holds reflow-executor-local, built once for all tests.
var localPluginDir string

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rph")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if _, err := executortest.BuildTo(dir, "github.com/reflow-hpc/reflow/plugins/local"); err != nil {
		fmt.Fprintln(os.Stderr, "building the local plugin:", err)
		return 1
	}
	localPluginDir = dir
	return m.Run()
}

// persisted is what a real dispatcher keeps in the store.
type persisted struct {
	PluginPid int                `json:"plugin_pid"`
	Handles   []pluginapi.Handle `json:"handles"`
}

func killTestSettings(dir string) map[string]map[string]any {
	return map[string]map[string]any{"local": {"state_dir": filepath.Join(dir, "state"), "slots": 2.0}}
}

func actAsHost(dir string) error {
	ctx := context.Background()
	h := New(Options{Settings: killTestSettings(dir)})
	r, err := h.Get(ctx, "local")
	if err != nil {
		return err
	}
	job := func(name, script string, deps ...pluginapi.Dependency) pluginapi.JobSpec {
		wd := filepath.Join(dir, name)
		os.MkdirAll(wd, 0o755)
		return pluginapi.JobSpec{RunID: "killtest", Task: name, WorkDir: wd, Script: script,
			Stdout: filepath.Join(wd, "out"), Stderr: filepath.Join(wd, "err"), Dependencies: deps}
	}
	submit := func(spec pluginapi.JobSpec) (pluginapi.Handle, error) {
		resp, err := r.Executor().Submit(ctx, &pluginapi.SubmitRequest{Job: spec})
		if err != nil {
			return pluginapi.Handle{}, err
		}
		return resp.Handle, resp.Diagnostics.Err()
	}
	// a runs past the host's death and fails with 7; b waits for a
	// (afterany) and so is still pending when the host dies: only a new
	// plugin process can start it.
	a, err := submit(job("a", `echo $$ > pid; sleep 3; date +%s%N > done; exit 7`))
	if err != nil {
		return err
	}
	b, err := submit(job("b", `date +%s%N > started`, pluginapi.Dependency{Kind: pluginapi.AfterAny, Handle: a}))
	if err != nil {
		return err
	}
	out, _ := json.Marshal(persisted{PluginPid: r.Client.Pid(), Handles: []pluginapi.Handle{a, b}})
	if err := os.WriteFile(filepath.Join(dir, "handles.tmp"), out, 0o644); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, "handles.tmp"), filepath.Join(dir, "handles.json")); err != nil {
		return err
	}
	select {} // until SIGKILL
}

// processGone reports whether pid has exited (a zombie counts: it runs no
// code, and in a container nobody may reap it).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, 10*time.Second, cond)
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHostSIGKILL kills a host process with SIGKILL and shows that its plugin
// dies with it, that local jobs keep running, and that a new host and plugin
// reattach from the persisted handles and see every job to its end.
func TestHostSIGKILL(t *testing.T) {
	pluginDir := localPlugin(t)
	t.Setenv(PathEnv, pluginDir)
	dir := t.TempDir()

	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), hostEnv+"="+dir)
	host.Stderr = os.Stderr
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	var p persisted
	waitFor(t, "the host to submit", 30*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "handles.json"))
		return err == nil && json.Unmarshal(b, &p) == nil
	})
	var jobPid int
	waitFor(t, "job a to start", 10*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "a", "pid"))
		jobPid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && jobPid > 0
	})
	if processGone(p.PluginPid) {
		t.Fatalf("plugin %d is not running before the kill", p.PluginPid)
	}

	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	host.Wait()

	waitFor(t, fmt.Sprintf("plugin pid %d to die with its host", p.PluginPid), 5*time.Second, func() bool {
		return processGone(p.PluginPid)
	})
	if processGone(jobPid) {
		t.Fatalf("job a (pid %d) died with the host; it must keep running", jobPid)
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "started")); err == nil {
		t.Fatal("job b started before a ended")
	}

	// A new host: it knows only the persisted handles.
	h := New(Options{Settings: killTestSettings(dir)})
	defer h.Close()
	ctx := context.Background()
	r, err := h.Get(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	var resp *pluginapi.PollResponse
	waitFor(t, "both jobs to end after reattaching", 30*time.Second, func() bool {
		resp, err = r.Executor().Poll(ctx, &pluginapi.PollRequest{Handles: p.Handles})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Jobs[0].State.Terminal() && resp.Jobs[1].State.Terminal()
	})
	a, b := resp.Jobs[0], resp.Jobs[1]
	if a.State != pluginapi.StateFailed || a.ExitCode != 7 {
		t.Errorf("job a: state %s exit %d (%s), want failed with exit 7", a.State, a.ExitCode, a.Reason)
	}
	if b.State != pluginapi.StateCompleted || b.ExitCode != 0 {
		t.Errorf("job b: state %s exit %d (%s), want completed with exit 0", b.State, b.ExitCode, b.Reason)
	}
	done := readNanos(t, filepath.Join(dir, "a", "done"))
	started := readNanos(t, filepath.Join(dir, "b", "started"))
	if started < done {
		t.Errorf("job b started %v before job a ended", time.Duration(done-started))
	}
}

func readNanos(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}
