package lsfexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// submittedRe finds the job id in bsub's answer, "Job <1234> is submitted to
// [default ]queue <normal>.", which goes to stdout, or to stderr when
// BSUB_STDERR is set; esub scripts may add lines around it.
var submittedRe = regexp.MustCompile(`Job <([0-9]+)> is submitted to`)

// limitPhrases mark a refusal for a limit rather than a bad job: reflow
// then submits again in a later round. bsub prints "Pending job threshold
// reached" when MAX_PEND_JOBS (or MAX_PEND_SLOTS) is reached; it would
// retry for ever on its own, which LSB_NTRIES=1 (commandEnv) prevents.
var limitPhrases = []string{"threshold reached", "limit reached", "job limit", "too many jobs"}

// Submit runs bsub with the job script on stdin, from the job's work dir.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	if req == nil {
		req = &pluginapi.SubmitRequest{}
	}
	spec := req.Job
	cfg := e.config()
	sub, diags := build(spec, cfg)
	if diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}
	if fi, err := os.Stat(spec.WorkDir); err != nil || !fi.IsDir() {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("work_dir", "the work dir %s does not exist", spec.WorkDir)}, nil
	}
	res, err := sdk.Run(ctx, sdk.Command{
		Path: sub.argv[0], Args: sub.argv[1:], Stdin: []byte(sub.script),
		Env: commandEnv(), Dir: spec.WorkDir, Timeout: cfg.CommandTimeout,
	})
	out := string(res.Stdout) + "\n" + string(res.Stderr)
	if m := submittedRe.FindStringSubmatch(out); m != nil {
		if err != nil {
			sdk.Logger().Warn("bsub reported a job id but did not exit 0", "job", m[1], "error", err)
		}
		sub.state.Submitted = e.now().Unix()
		return &pluginapi.SubmitResponse{Handle: pluginapi.Handle{ID: m[1], State: sub.state.encode()}, Diagnostics: diags}, nil
	}
	msg := strings.TrimSpace(string(res.Stderr))
	if msg == "" {
		msg = strings.TrimSpace(string(res.Stdout))
	}
	var ce *sdk.CommandError
	switch {
	case err != nil && errors.As(err, &ce) && ce.TimedOut:
		// Whether LSF took the job is unknown; resubmitting could run it
		// twice, so the task fails and its retry policy decides.
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "bsub did not answer within %v; the job may or may not have been submitted (check bjobs): %v", cfg.CommandTimeout, err)}, nil
	case isLimit(msg):
		return &pluginapi.SubmitResponse{RetryLater: true, Diagnostics: diags.Warnf("", "LSF refused the job for a limit, reflow will submit it again later: %s", msg)}, nil
	case err == nil:
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "bsub exited 0 but printed no job id (want \"Job <N> is submitted to ...\"): %s", oneLine(out))}, nil
	}
	if msg == "" {
		msg = err.Error()
	}
	return &pluginapi.SubmitResponse{Diagnostics: append(diags, refusal(msg, spec, sub))}, nil
}

func isLimit(msg string) bool {
	low := strings.ToLower(msg)
	for _, p := range limitPhrases {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// refusal turns bsub's complaint ("<context>: <reason>. Job not
// submitted.") into a diagnostic about the attribute the user must change.
func refusal(msg string, spec pluginapi.JobSpec, sub *submission) pluginapi.Diagnostic {
	d := pluginapi.Diagnostic{Severity: pluginapi.Error, Summary: "bsub refused the job: " + oneLine(msg)}
	attrOf := func(opt string) string { return sub.attrs[opt] }
	switch low := strings.ToLower(msg); {
	case strings.Contains(low, "no matching job found"):
		d.Attribute = "dependencies"
		for i, dep := range spec.Dependencies {
			if strings.Contains(msg, dep.Handle.ID+":") || strings.Contains(msg, "<"+dep.Handle.ID+">") {
				d.Attribute = fmt.Sprintf("dependencies[%d].handle", i)
				break
			}
		}
		d.Detail = "LSF does not know a job this one depends on (finished jobs are forgotten after CLEAN_PERIOD)."
	case strings.Contains(low, "dependency condition"):
		d.Attribute = "dependencies"
	case strings.Contains(low, "no such queue"), strings.Contains(low, "queue"):
		d.Attribute = attrOf("-q")
		if d.Attribute == "" {
			d.Attribute = "settings.queue"
		}
		d.Detail = "Check the queue name (bqueues lists them)."
	case strings.Contains(low, "job array"):
		d.Attribute = "array.size"
	case strings.Contains(low, "runlimit"), strings.Contains(low, "run limit"):
		d.Attribute = attrOf("-W")
	case strings.Contains(low, "memory"):
		d.Attribute = attrOf("-M")
	case strings.Contains(low, "resource requirement"):
		d.Attribute = attrOf("-R")
	case strings.Contains(low, "project"):
		d.Attribute = attrOf("-P")
	}
	return d
}
