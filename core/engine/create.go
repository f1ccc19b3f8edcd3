package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// NewRun describes a run to create.
type NewRun struct {
	Bound *hclconfig.Bound
	// RunRoot is the directory run directories are made in.
	RunRoot string
	// Executor is the default executor chosen for the run (flag > env >
	// site config > workflow file > "local").
	Executor string
	Mode     string
	// ID, when set, is the run id to use (see NewRunDir).
	ID string
}

// NewRunDir picks a new run's id and directory under runRoot, so a caller
// can evaluate the workflow for that run before creating it.
func NewRunDir(runRoot string) (id, dir string, err error) {
	abs, err := filepath.Abs(runRoot)
	if err != nil {
		return "", "", err
	}
	id = store.NewRunID(time.Now())
	return id, filepath.Join(abs, id), nil
}

// paramsFile is where a run keeps its param values, so `reflow resume` can
// bind the workflow again exactly as `reflow apply` did.
func paramsFile(runDir string) string {
	return filepath.Join(runspec.StateDir(runDir), "params.json")
}

// FileHash digests the workflow file and every flow file it uses. Names
// are made absolute first: apply loads the file by the path the user gave
// (often relative), Rebind by the absolute path the run recorded, and the
// two must hash alike.
func FileHash(w *hclconfig.Workflow) string {
	files := make(map[string][]byte, len(w.Files()))
	names := make([]string, 0, len(w.Files()))
	for n, f := range w.Files() {
		if abs, err := filepath.Abs(n); err == nil {
			n = abs
		}
		files[n] = f.Bytes
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Create writes a new run, its run directory, its tasks and dependencies.
// Instances are created by the dispatcher's first round.
func Create(ctx context.Context, st *store.Store, nr NewRun) (store.Run, error) {
	w := nr.Bound.Workflow
	abs, err := filepath.Abs(nr.RunRoot)
	if err != nil {
		return store.Run{}, err
	}
	cwd, _ := os.Getwd()
	id := nr.ID
	if id == "" {
		id = store.NewRunID(st.Now())
	}
	runDir := filepath.Join(abs, id)
	if err := os.MkdirAll(runspec.StateDir(runDir), 0o755); err != nil {
		return store.Run{}, fmt.Errorf("creating the run directory: %w (choose another with --run-root)", err)
	}
	params, err := json.Marshal(nr.Bound.ParamsJSON())
	if err != nil {
		return store.Run{}, err
	}
	if err := os.WriteFile(paramsFile(runDir), params, 0o644); err != nil {
		return store.Run{}, err
	}
	file, _ := filepath.Abs(w.File)
	host, _ := os.Hostname()
	userName := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		userName = u.Username
	}
	run := store.Run{
		ID: id, Workflow: w.Name, FilePath: file, FileHash: FileHash(w), Params: params,
		RunDir: runDir, Cwd: cwd, Executor: nr.Executor, User: userName, Host: host,
		State: store.RunRunning, DispatchMode: nr.Mode,
	}
	var tasks []store.Task
	var deps []store.Dependency
	for _, j := range w.Order() {
		spec, _ := json.Marshal(taskSpec{Kind: kindName(j.Kind), Source: j.Source, Cache: j.Cache,
			Version: j.Version, Retry: j.Retry, After: j.After, Needs: j.Needs})
		kind := store.TaskSingleton
		if j.Kind != hclconfig.Singleton {
			kind = store.TaskArray
		}
		tasks = append(tasks, store.Task{RunID: id, Name: j.Name, Kind: kind, Executor: executorFor(j, nr.Executor), Spec: spec})
	}
	for _, e := range w.Edges {
		deps = append(deps, store.Dependency{RunID: id, Task: e.To, Upstream: e.From, Kind: depKind(e.Kind)})
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRun(ctx, run); err != nil {
			return err
		}
		if err := tx.PutTasks(ctx, tasks); err != nil {
			return err
		}
		return tx.PutDependencies(ctx, deps)
	})
	if err != nil {
		return store.Run{}, err
	}
	return run, nil
}

// taskSpec is what the store keeps of a job: enough to show and explain it.
type taskSpec struct {
	Kind    string          `json:"kind"`
	Source  string          `json:"source,omitempty"`
	Cache   bool            `json:"cache"`
	Version string          `json:"version,omitempty"`
	Retry   hclconfig.Retry `json:"retry"`
	After   []string        `json:"after,omitempty"`
	Needs   []string        `json:"needs,omitempty"`
}

func kindName(k hclconfig.ArrayKind) string {
	switch k {
	case hclconfig.StaticArray:
		return "static-array"
	case hclconfig.DynamicArray:
		return "dynamic-array"
	case hclconfig.ElementWise:
		return "element-wise"
	}
	return "singleton"
}

func depKind(k hclconfig.EdgeKind) store.DepKind {
	switch k {
	case hclconfig.EdgeElementWise:
		return store.DepElementwise
	case hclconfig.EdgeGather:
		return store.DepGather
	case hclconfig.EdgeBroadcast:
		return store.DepBroadcast
	case hclconfig.EdgeAfter:
		return store.DepAfter
	}
	return store.DepAfterOK
}

// executorFor is a job's executor: its own override, else the run's.
func executorFor(j *hclconfig.Job, runExecutor string) string {
	if j.Executor != "" {
		return j.Executor
	}
	return runExecutor
}
