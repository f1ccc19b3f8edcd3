package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// latestWord names the latest run in the current directory where a RUN
// argument is required.
const latestWord = "latest"

// resolveRun finds the run a RUN argument names: an id, or "" / "latest"
// for the latest run started in (or kept under) the current directory.
func resolveRun(ctx context.Context, st *store.Store, arg string) (store.Run, error) {
	var run store.Run
	latest := arg == "" || arg == latestWord
	err := st.View(ctx, func(tx *store.Tx) (err error) {
		if !latest {
			run, err = tx.GetRun(ctx, arg)
			return err
		}
		cwd, _ := os.Getwd()
		run, err = tx.LatestRun(ctx, cwd)
		return err
	})
	switch {
	case err == nil:
		return run, nil
	case !errors.Is(err, store.ErrNotFound):
		return run, infraError(err)
	case latest:
		return run, invalidInput(errors.New("no run was started in this directory; name a run id (reflow runs lists them) or cd to where you ran reflow apply"))
	}
	return run, invalidInput(fmt.Errorf("no run %q in the store %s; reflow runs lists the runs", arg, st.Path()))
}

// commandStore loads the site config and opens the store, for commands
// that read or change existing runs.
// commandRun opens the site config and the store and resolves the run a
// command names (args[0], else the latest run here). The caller closes st.
func commandRun(cmd *cobra.Command, storeFlag string, args []string) (*hclconfig.SiteConfig, *store.Store, store.Run, error) {
	site, st, err := commandStore(cmd, storeFlag)
	if err != nil {
		return nil, nil, store.Run{}, err
	}
	run, err := resolveRun(cmd.Context(), st, firstArg(args))
	if err != nil {
		st.Close()
		return nil, nil, store.Run{}, err
	}
	return site, st, run, nil
}

func commandStore(cmd *cobra.Command, flag string) (*hclconfig.SiteConfig, *store.Store, error) {
	site, err := loadSite(cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(cmd.Context(), flag, site)
	if err != nil {
		return nil, nil, err
	}
	return site, st, nil
}

// taskRefPattern is TASK or TASK[INDEX]: task names are HCL identifiers.
var taskRefPattern = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)(?:\[([0-9]+)\])?$`)

// parseTaskRef splits "upper[2]" into ("upper", 2) and "split" into
// ("split", -1).
func parseTaskRef(s string) (string, int, error) {
	m := taskRefPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", 0, fmt.Errorf("%q is not a task: write TASK for a single task or TASK[INDEX] for an array element, e.g. upper[2]", s)
	}
	if m[2] == "" {
		return m[1], store.SingletonIndex, nil
	}
	i, err := strconv.Atoi(m[2])
	if err != nil || i > math.MaxInt32 {
		return "", 0, fmt.Errorf("%q: index %s is out of range", s, m[2])
	}
	return m[1], i, nil
}

func refName(task string, index int) string {
	if index < 0 {
		return task
	}
	return fmt.Sprintf("%s[%d]", task, index)
}

// findInstance looks up TASK[INDEX] in a run and, when it does not exist,
// says what does: the run's tasks, an array's index range, or that a
// single task takes no index.
func findInstance(ctx context.Context, st *store.Store, run store.Run, ref string) (store.Instance, error) {
	task, index, err := parseTaskRef(ref)
	if err != nil {
		return store.Instance{}, invalidInput(err)
	}
	var (
		tasks []store.Task
		insts []store.Instance
	)
	err = st.View(ctx, func(tx *store.Tx) (err error) {
		if tasks, err = tx.ListTasks(ctx, run.ID); err != nil {
			return err
		}
		insts, err = tx.ListInstances(ctx, run.ID, store.InstanceFilter{Task: task})
		return err
	})
	if err != nil {
		return store.Instance{}, infraError(err)
	}
	var t *store.Task
	names := make([]string, 0, len(tasks))
	for i := range tasks {
		names = append(names, tasks[i].Name)
		if tasks[i].Name == task {
			t = &tasks[i]
		}
	}
	if t == nil {
		sort.Strings(names)
		return store.Instance{}, invalidInput(fmt.Errorf("run %s has no task %q; its tasks are: %s", run.ID, task, strings.Join(names, ", ")))
	}
	for _, in := range insts {
		if in.Index == index {
			return in, nil
		}
	}
	sized := len(insts) > 0 && !(len(insts) == 1 && insts[0].Index == store.SingletonIndex)
	switch {
	case t.Kind == store.TaskSingleton && index >= 0:
		return store.Instance{}, invalidInput(fmt.Errorf("%s is a single task, not an array: write %s without [%d]", task, task, index))
	case t.Kind == store.TaskSingleton:
		return store.Instance{}, invalidInput(&notYetError{fmt.Sprintf("%s has not been started in run %s yet (it waits for its upstream); try again later", task, run.ID)})
	case !sized && len(insts) == 1:
		return store.Instance{}, invalidInput(fmt.Errorf("array %s of run %s has no elements: it never got a size: %s", task, run.ID, insts[0].Reason))
	case !sized:
		return store.Instance{}, invalidInput(&notYetError{fmt.Sprintf("array %s of run %s has no elements yet: its size is known once its upstream is done; try again later", task, run.ID)})
	case index < 0:
		return store.Instance{}, invalidInput(fmt.Errorf("%s is an array of %d elements: name one, e.g. %s[0]", task, len(insts), task))
	}
	return store.Instance{}, invalidInput(fmt.Errorf("%s[%d] does not exist: array %s has elements 0 to %d", task, index, task, len(insts)-1))
}

// notYetError: the instance does not exist yet, but will once the run
// gets there.
type notYetError struct{ msg string }

func (e *notYetError) Error() string { return e.msg }

// parseAge parses an age such as --older-than takes: a Go duration
// ("720h", "90m"), or days with an optional Go duration after them ("30d",
// "1.5d", "1d12h"). Negative ages are refused.
func parseAge(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not an age: use days like 30d, or a duration like 72h or 90m", s)
	s = strings.TrimSpace(s)
	var d time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		days, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || !(days >= 0 && days <= 100*365) { // also refuses NaN and Inf
			return 0, bad
		}
		d = time.Duration(days * 24 * float64(time.Hour))
		s = s[i+1:]
		if s == "" {
			return d, nil
		}
	}
	rest, err := time.ParseDuration(s)
	if err != nil || rest < 0 {
		return 0, bad
	}
	return d + rest, nil
}
