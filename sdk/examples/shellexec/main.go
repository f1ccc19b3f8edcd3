// Command reflow-executor-shellexec is a small reflow executor plugin, built
// as a third party would: its own module, importing only reflow's sdk and
// pluginapi. Each job and array element starts at once as a detached local
// process (setsid bash); there is no queue, throttle or native dependency.
// Job state lives in files under state_dir and each handle carries its job's
// directory, so a new plugin process reattaches to jobs an old one started.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

func main() { sdk.Serve(&executor{}, sdk.WithName("shellexec")) }

// executor holds only settings, set by Configure before any other call: no lock.
type executor struct {
	settings struct {
		StateDir string `json:"state_dir"`
	}
}

// keys are the resource keys shellexec checks (so that a workflow written
// against it stays valid elsewhere) but does not enforce.
var keys = sdk.PortableKeysExcept("gpus", "nodes", "tasks", "partition", "account", "qos", "constraint", "array_parallelism")
var defaultStateDir = filepath.Join(os.TempDir(), fmt.Sprintf("reflow-shellexec-%d", os.Getuid()))

func (e *executor) Info(context.Context, *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	return &pluginapi.InfoResponse{
		Name: "shellexec", Version: "0.1.0", ProtocolVersion: pluginapi.ProtocolVersion,
		Capabilities: pluginapi.Capabilities{Arrays: true},
		ResourceKeys: keys,
		Settings: []pluginapi.Setting{{Name: "state_dir", Type: pluginapi.SettingString,
			Description: "absolute path of the directory that keeps job state", Default: defaultStateDir}},
	}, nil
}

func (e *executor) Configure(_ context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	e.settings.StateDir = defaultStateDir
	ds := sdk.DecodeSettings(req.Settings, &e.settings)
	if dir := e.settings.StateDir; !filepath.IsAbs(dir) || os.MkdirAll(dir, 0o700) != nil {
		ds = ds.Errorf("settings.state_dir", "state_dir %q must be an absolute path to a directory shellexec can create", dir)
	}
	return &pluginapi.ConfigureResponse{Diagnostics: ds}, nil
}

// Render checks a job and writes its script, env keys sorted so that the
// same job always renders the same.
func (e *executor) Render(_ context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	j := &req.Job
	_, ds := sdk.ParseResources(j.Resources, keys)
	for i := range j.Dependencies {
		ds = ds.Errorf(fmt.Sprintf("dependencies[%d]", i), "shellexec cannot express dependencies (its Info lists none)")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n# shellexec: task %s of run %s\ncd %s || exit 1\n", j.Task, j.RunID, quote(j.WorkDir))
	for _, k := range slices.Sorted(maps.Keys(j.Env)) {
		fmt.Fprintf(&b, "export %s=%s\n", k, quote(j.Env[k]))
	}
	return &pluginapi.RenderResponse{Argv: []string{"setsid", "bash", "job.sh"}, Script: b.String() + j.Script, Diagnostics: ds}, nil
}

// meta is a job dir's meta.json; a plain job runs as the single element 0.
type meta struct {
	ID      string
	Indices []int
	Array   bool
}

func (e *executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	j := &req.Job
	r, _ := e.Render(ctx, &pluginapi.RenderRequest{Job: *j})
	if ds := r.Diagnostics; ds.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: ds}, nil
	}
	dir, err := os.MkdirTemp(e.settings.StateDir, "job-")
	m := meta{ID: filepath.Base(dir), Indices: []int{0}, Array: j.Array != nil}
	if m.Array {
		m.Indices = j.Array.Indices()
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "job.sh"), []byte(r.Script), 0o600)
	}
	for _, i := range m.Indices {
		if err == nil {
			err = start(dir, j, i, m.Array)
		}
	}
	if err == nil { // meta.json last: a half-made job dir is never taken for a job
		mb, _ := json.Marshal(m)
		err = os.WriteFile(filepath.Join(dir, "meta.json"), mb, 0o600)
	}
	if err != nil {
		return &pluginapi.SubmitResponse{Diagnostics: r.Diagnostics.Errorf("", "shellexec could not start the job: %v", err)}, nil
	}
	return &pluginapi.SubmitResponse{Handle: pluginapi.Handle{ID: m.ID, State: []byte(dir)}, Diagnostics: r.Diagnostics}, nil
}

// start runs element i under a wrapper that records its exit code. The wrapper
// leads its own session: it outlives this plugin, and Cancel kills its group.
func start(dir string, j *pluginapi.JobSpec, i int, array bool) error {
	idx := strconv.Itoa(i)
	cmd := exec.Command("bash", "-c", `bash job.sh >"${1:-/dev/null}" 2>"${2:-/dev/null}"; echo $? >"exit.tmp.$3" && mv "exit.tmp.$3" "exit.$3"`,
		"sh", strings.ReplaceAll(j.Stdout, pluginapi.IndexToken, idx), strings.ReplaceAll(j.Stderr, pluginapi.IndexToken, idx), idx)
	cmd.Dir, cmd.SysProcAttr = dir, &syscall.SysProcAttr{Setsid: true}
	if cmd.Env = os.Environ(); array {
		cmd.Env = append(cmd.Env, pluginapi.IndexEnv+"="+idx)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it while we live; init does once we are gone
	return os.WriteFile(filepath.Join(dir, "pid."+idx), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
}

func (e *executor) Poll(_ context.Context, req *pluginapi.PollRequest) (*pluginapi.PollResponse, error) {
	out := &pluginapi.PollResponse{Jobs: make([]pluginapi.JobStatus, len(req.Handles))}
	for n, h := range req.Handles {
		js := pluginapi.JobStatus{ID: h.ID, Status: pluginapi.Status{State: pluginapi.StateUnknown, ExitCode: pluginapi.NoExitCode, Reason: "no such job"}}
		if dir, m, ok := load(h); ok { // running while any element runs, else the first failure
			js.Status = pluginapi.Status{State: pluginapi.StateCompleted}
			for _, i := range m.Indices {
				st := element(dir, i)
				if m.Array {
					js.Elements = append(js.Elements, pluginapi.ElementStatus{Index: i, Status: st})
				}
				if !st.State.Terminal() && js.State.Terminal() || js.State == pluginapi.StateCompleted && st.State != pluginapi.StateCompleted {
					js.Status = st
				}
			}
		}
		out.Jobs[n] = js
	}
	return out, nil
}

func (e *executor) Cancel(_ context.Context, req *pluginapi.CancelRequest) (*pluginapi.CancelResponse, error) {
	for _, h := range req.Handles {
		if dir, m, ok := load(h); ok {
			os.WriteFile(filepath.Join(dir, "cancelled"), nil, 0o600) // first: a killed element reads as cancelled
			for _, i := range m.Indices {
				if pid, err := readInt(filepath.Join(dir, fmt.Sprintf("pid.%d", i))); err == nil {
					syscall.Kill(-pid, syscall.SIGTERM)
				}
			}
		}
	}
	return &pluginapi.CancelResponse{}, nil
}

// load reads a handle's job; one that does not check out was never ours.
func load(h pluginapi.Handle) (string, meta, bool) {
	var m meta
	dir := string(h.State)
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	return dir, m, filepath.IsAbs(dir) && err == nil && json.Unmarshal(b, &m) == nil && m.ID == h.ID
}

func element(dir string, i int) pluginapi.Status {
	file := func(name string) string { return filepath.Join(dir, fmt.Sprintf("%s.%d", name, i)) }
	// Liveness first: a wrapper found dead has written its exit code already.
	pid, err := readInt(file("pid"))
	alive := err == nil && syscall.Kill(pid, 0) == nil
	code, err := readInt(file("exit"))
	_, cancelled := os.Stat(filepath.Join(dir, "cancelled"))
	switch {
	case err == nil && code == 0:
		return pluginapi.Status{State: pluginapi.StateCompleted, NativeState: "EXITED"}
	case err == nil:
		return pluginapi.Status{State: pluginapi.StateFailed, ExitCode: code, NativeState: "EXITED", Reason: fmt.Sprintf("exit code %d", code)}
	case cancelled == nil:
		return pluginapi.Status{State: pluginapi.StateCancelled, ExitCode: pluginapi.NoExitCode, NativeState: "KILLED", Reason: "cancelled"}
	case alive:
		return pluginapi.Status{State: pluginapi.StateRunning, ExitCode: pluginapi.NoExitCode, NativeState: "RUNNING"}
	}
	return pluginapi.Status{State: pluginapi.StateFailed, ExitCode: pluginapi.NoExitCode, NativeState: "LOST", Reason: "the process ended without recording an exit code"}
}

func readInt(path string) (n int, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		n, err = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	return n, err
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
