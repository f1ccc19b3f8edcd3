package fluxexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Submit writes the job script and submits the job: one flux submit or
// flux batch for a job, one flux submit --cc for an array of one-task
// elements, one flux batch per element otherwise. A submission that fails
// part-way cancels the jobs it did make, so a refused Submit leaves
// nothing behind.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	if req == nil {
		req = &pluginapi.SubmitRequest{}
	}
	spec := req.Job
	p, diags := e.buildPlan(spec)
	if p == nil || diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}
	if fi, err := os.Stat(spec.WorkDir); err != nil || !fi.IsDir() {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("work_dir", "the work dir %s does not exist", spec.WorkDir)}, nil
	}
	if err := writeScript(p.scriptPath, p.script); err != nil {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("settings.script_dir", "cannot write the job script: %v", err)}, nil
	}
	now := time.Now()
	var ids []uint64
	switch {
	case p.array && p.perElement:
		for _, idx := range p.indices {
			argv := make([]string, len(p.argv))
			for i, a := range p.argv {
				argv[i] = strings.ReplaceAll(a, pluginapi.IndexToken, strconv.Itoa(idx))
			}
			got, d, retry := e.submitArgv(ctx, argv, p, 1)
			if d.HasErrors() {
				e.cancelIDs(ctx, ids)
				return &pluginapi.SubmitResponse{Diagnostics: append(diags, d...), RetryLater: retry}, nil
			}
			ids = append(ids, got...)
		}
	case p.array:
		got, d, retry := e.submitArgv(ctx, p.argv, p, len(p.indices))
		if d.HasErrors() {
			return &pluginapi.SubmitResponse{Diagnostics: append(diags, d...), RetryLater: retry}, nil
		}
		mapped, d := e.mapCopies(ctx, got, p.indices)
		diags = append(diags, d...)
		ids = mapped
	default:
		got, d, retry := e.submitArgv(ctx, p.argv, p, 1)
		if d.HasErrors() {
			return &pluginapi.SubmitResponse{Diagnostics: append(diags, d...), RetryLater: retry}, nil
		}
		ids = got
	}
	t := tracked{ids: ids, array: p.array, submitted: now, stderr: p.stderr}
	if p.array {
		t.offset = spec.Array.Offset
	}
	return &pluginapi.SubmitResponse{Handle: newHandle(t), Diagnostics: diags}, nil
}

// writeScript writes the job script atomically (a concurrent Submit of the
// same script writes the same bytes).
func writeScript(path, script string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp%d-%d", path, os.Getpid(), time.Now().UnixNano())
	if err := os.WriteFile(tmp, []byte(script), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// submitArgv runs one submission command that should print want job ids.
// When it fails, the ids it did print are cancelled and the refusal is
// turned into diagnostics.
func (e *Executor) submitArgv(ctx context.Context, argv []string, p *plan, want int) ([]uint64, pluginapi.Diagnostics, bool) {
	res, err := e.runFlux(ctx, argv[1:]...)
	var ids []uint64
	for line := range strings.SplitSeq(string(res.Stdout), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		id, perr := parseID(line)
		if perr != nil {
			if err == nil {
				err = fmt.Errorf("unexpected output %q: %v", line, perr)
			}
			continue
		}
		ids = append(ids, id)
	}
	if err == nil && len(ids) != want {
		err = fmt.Errorf("printed %d job ids, expected %d", len(ids), want)
	}
	if err != nil {
		e.cancelIDs(ctx, ids)
		d, retry := refusal(argv, err, res, p)
		return nil, d, retry
	}
	return ids, nil, false
}

// refusal explains a failed submission, naming the attribute at fault
// where Flux's message shows it, and says whether it was a limit (the
// engine then submits again later).
func refusal(argv []string, err error, res sdk.Result, p *plan) (pluginapi.Diagnostics, bool) {
	var ce *sdk.CommandError
	if errors.As(err, &ce) && ce.ExitCode < 0 && !ce.TimedOut {
		return pluginapi.Diagnostics{{Severity: pluginapi.Error, Attribute: "settings.flux",
			Summary: "cannot run flux", Detail: err.Error()}}, false
	}
	text := strings.TrimSpace(string(res.Stderr))
	if text == "" {
		text = err.Error()
	}
	// flux-accounting's limit on active jobs (wording not confirmed by the
	// facts page): the queue is full for this user, not the job wrong.
	if strings.Contains(text, "max active jobs") || strings.Contains(text, "max running jobs") {
		return pluginapi.Diagnostics{{Severity: pluginapi.Error, Summary: "Flux refused the job for a limit", Detail: text}}, true
	}
	var diags pluginapi.Diagnostics
	seen := map[string]bool{}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "usage:") || seen[line] {
			continue
		}
		seen[line] = true
		diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: refusalAttr(line, argv, p),
			Summary: "Flux refused the job", Detail: line + " (" + argv[1] + ")"})
	}
	if len(diags) == 0 {
		diags = diags.Errorf("", "Flux refused the job: %v", err)
	}
	return diags, false
}

// refusalAttr finds the attribute a line of Flux's complaint is about.
func refusalAttr(line string, argv []string, p *plan) string {
	switch {
	case strings.Contains(line, "dependency"):
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == ':' || r == '"' || r == '\'' }) {
			id, err := parseID(w)
			if err != nil {
				continue
			}
			for i, ids := range p.depIDs {
				if slices.Contains(ids, id) {
					return fmt.Sprintf("dependencies[%d].handle", i)
				}
			}
		}
		return "dependencies"
	case strings.Contains(line, "Flux standard duration"):
		return "resources.time"
	case strings.Contains(line, "node count"):
		return "resources.nodes"
	case strings.Contains(line, "queue"):
		return "resources.partition"
	case strings.Contains(line, "bank"):
		return "resources.account"
	case strings.Contains(line, "unrecognized arguments"), strings.Contains(line, "Per-resource"):
		return "options"
	}
	return ""
}

// mapCopies puts the ids of a --cc submission in engine-index order. Flux
// prints them in the order the instance answered, so the plugin asks
// flux jobs for their names (TASK-INDEX). Should that fail, the ids are
// assigned in ascending order (submission order, nearly always right) and
// a warning says so.
func (e *Executor) mapCopies(ctx context.Context, ids []uint64, indices []int) ([]uint64, pluginapi.Diagnostics) {
	byIndex := map[int]uint64{}
	recs, _, err := e.query(ctx, ids)
	if err == nil {
		for _, r := range recs {
			cut := strings.LastIndexByte(r.Name, '-')
			if cut < 0 {
				continue
			}
			if n, err := strconv.Atoi(r.Name[cut+1:]); err == nil {
				byIndex[n] = r.ID
			}
		}
	}
	out := make([]uint64, len(indices))
	complete := true
	for i, idx := range indices {
		id, ok := byIndex[idx]
		if !ok {
			complete = false
			break
		}
		out[i] = id
	}
	if complete {
		return out, nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	var diags pluginapi.Diagnostics
	diags = diags.Warnf("array", "could not match the %d job ids of flux submit --cc to their indices (flux jobs: %v); assuming submission order", len(ids), err)
	return sorted, diags
}
