package slurmexec

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Render returns the sbatch command line and the batch script Submit
// would use. It asks Slurm nothing, so dependencies appear as written:
// Submit may drop one whose upstream already ended successfully and Slurm
// no longer remembers.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	cfg, cl := e.snapshot(ctx)
	s, diags := e.build(cfg, cl, req.Job)
	if diags.HasErrors() {
		return &pluginapi.RenderResponse{Diagnostics: diags}, nil
	}
	return &pluginapi.RenderResponse{Argv: s.argv, Script: s.script(), Diagnostics: diags}, nil
}

// Submit submits one job or array job with sbatch, the script on standard
// input.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	cfg, cl := e.snapshot(ctx)
	s, diags := e.build(cfg, cl, req.Job)
	if diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}
	if len(s.deps.Items) > 0 {
		// Slurm treats a dependency on a job it no longer remembers as
		// satisfied: look at every upstream job first.
		plan, dd, retry := e.resolveUpstream(ctx, cfg, cl, s.deps)
		diags = append(diags, dd...)
		if retry {
			return &pluginapi.SubmitResponse{RetryLater: true, Diagnostics: diags}, nil
		}
		if diags.HasErrors() {
			return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
		}
		s.deps = plan
	}
	script := s.script()
	res, err := e.run(ctx, cfg, s.argv[0], s.argv[1:], []byte(script))
	if err != nil {
		retry, d := sbatchRefusal(err)
		if retry {
			e.log().Warn("sbatch refused the job for a limit; the engine will submit it later", "task", req.Job.Task, "error", stderrOf(err))
		}
		return &pluginapi.SubmitResponse{RetryLater: retry, Diagnostics: append(diags, d)}, nil
	}
	id, cluster, perr := parseSbatch(res.Stdout)
	if perr != nil {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "sbatch succeeded but %v; the job may be queued: check squeue", perr)}, nil
	}
	if cluster == "" {
		cluster = s.cluster
	}
	hs := handleState{Deps: len(s.deps.Items) > 0, Cluster: cluster, Submitted: e.now().Unix()}
	if s.array != nil {
		hs.Size, hs.Offset, hs.Base = s.array.Size, s.array.Offset, s.array.Base
	}
	e.log().Debug("submitted", "task", req.Job.Task, "id", id, "array", s.array != nil, "dependency", s.deps.expr())
	return &pluginapi.SubmitResponse{Handle: pluginapi.Handle{ID: id, State: hs.encode()}, Diagnostics: diags}, nil
}

// parseSbatch reads `sbatch --parsable` output: "123", or "123;cluster"
// when the job went to a named cluster.
func parseSbatch(out []byte) (id, cluster string, err error) {
	line := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = strings.TrimSpace(line[i+1:]) // the id is the last line
	}
	id, cluster, _ = strings.Cut(line, ";")
	if !validJobID(id) {
		return "", "", fmt.Errorf("its output %q holds no job id", strings.TrimSpace(string(out)))
	}
	return id, cluster, nil
}

// limitWords mark sbatch refusals that a later try may pass: the user, the
// account or the QOS has as many jobs queued as it may, or the controller is
// busy or down for a moment.
var limitWords = []string{
	"MaxSubmitJob", "QOSMaxSubmitJob", "AssocMaxSubmitJob", "job submit limit",
	"Job violates accounting/QOS policy", "Resource temporarily unavailable",
	"Slurm temporarily unable to accept job", "Unable to contact slurm controller",
	"Socket timed out", "slurm_persist_conn",
}

// attrWords map sbatch's complaints to the attribute a user must fix.
var attrWords = []struct{ word, attr string }{
	{"partition", "resources.partition"},
	{"account", "resources.account"},
	{"qos", "resources.qos"},
	{"generic resource", "resources.gpus"},
	{"gres", "resources.gpus"},
	{"Memory specification", "resources.mem"},
	{"feature specification", "resources.constraint"},
	{"time limit", "resources.time"},
	{"--time", "resources.time"},
	{"Node count", "resources.nodes"},
	{"processors", "resources.cpus"},
	{"array specification", "array"},
	{"dependency", "dependencies"},
}

// sbatchRefusal classifies a failed sbatch: retry later for a limit,
// otherwise an error naming what to fix with sbatch's own words.
func sbatchRefusal(err error) (retryLater bool, d pluginapi.Diagnostic) {
	msg := stderrOf(err)
	var ce *sdk.CommandError
	if errors.As(err, &ce) && ce.TimedOut {
		return false, pluginapi.Diagnostic{Summary: "sbatch did not answer in time",
			Detail: msg + ". The job may or may not have been queued; check squeue before resubmitting."}
	}
	for _, w := range limitWords {
		if strings.Contains(msg, w) {
			return true, pluginapi.Diagnostic{Severity: pluginapi.Warning,
				Summary: "Slurm refused the job for a limit; it will be submitted again later", Detail: msg}
		}
	}
	d = pluginapi.Diagnostic{Summary: "sbatch refused the job", Detail: msg}
	lower := strings.ToLower(msg)
	for _, aw := range attrWords {
		if strings.Contains(lower, strings.ToLower(aw.word)) {
			d.Attribute = aw.attr
			break
		}
	}
	return false, d
}
