package pbsexec

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// Submit runs qsub with the rendered script on its stdin and returns the
// id it printed, with the handle state Poll needs.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	if req == nil {
		req = &pluginapi.SubmitRequest{}
	}
	cfg, fl := e.snapshot()
	sub, diags := buildSubmission(req.Job, cfg, fl, e.qstatFor())
	if diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}
	// qsub runs in the work dir, so PBS_O_WORKDIR names it (the script
	// changes there itself; PBS starts jobs in $HOME).
	dir := req.Job.WorkDir
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = ""
	}
	res, err := sdk.Run(ctx, sdk.Command{Path: sub.argv[0], Args: sub.argv[1:], Stdin: []byte(sub.script),
		Dir: dir, Timeout: cfg.CommandTimeout})
	if err != nil {
		var ce *sdk.CommandError
		stderr := ""
		if errors.As(err, &ce) {
			stderr = ce.Stderr
		}
		if queueLimit(stderr) {
			return &pluginapi.SubmitResponse{RetryLater: true,
				Diagnostics: diags.Warnf("", "the PBS server refused the job for a limit; reflow submits it again later: %s", stderr)}, nil
		}
		return &pluginapi.SubmitResponse{Diagnostics: append(diags, qsubDiagnostic(err, stderr))}, nil
	}
	id, ok := qsubID(string(res.Stdout))
	if !ok {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("",
			"qsub succeeded but printed %s instead of a job id such as 1234.server; check qsub_args (-z hides the id) and the qsub setting",
			strconvQuote(strings.TrimSpace(string(res.Stdout))))}, nil
	}
	sub.state.Submitted = e.now().Unix()
	return &pluginapi.SubmitResponse{Handle: pluginapi.Handle{ID: id, State: sub.state.encode()}, Diagnostics: diags}, nil
}

// qsubID takes the job id from qsub's output: the last non-empty line,
// trimmed, whole (server part included).
func qsubID(out string) (string, bool) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	id := strings.TrimSpace(lines[len(lines)-1])
	_, ok := parseJobID(id)
	return id, ok
}

// queueLimitTexts are qsub refusals that say "not now" rather than "never":
// the user or queue has too many jobs. The job is fine; it is submitted
// again in a later round.
var queueLimitTexts = []string{
	"maximum number of jobs already in queue", // PBSE_MAXQUED, OpenPBS and Torque
	"would exceed", // OpenPBS entity limits: "would exceed ... limit of jobs"
	"max_queued",
	"max_user_queuable",
}

func queueLimit(stderr string) bool {
	s := strings.ToLower(stderr)
	for _, t := range queueLimitTexts {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// qsubDiagnostic words a qsub refusal, naming the attribute it is most
// likely about.
func qsubDiagnostic(err error, stderr string) pluginapi.Diagnostic {
	s := strings.ToLower(stderr)
	attr, hint := "", ""
	switch {
	case strings.Contains(s, "unknown queue"):
		attr, hint = "resources.partition", "name a queue the server has (qstat -Q lists them), or set the executor's queue setting"
	case strings.Contains(s, "resource_list.walltime"), strings.Contains(s, "walltime"):
		attr = "resources.time"
	case strings.Contains(s, "resource_list.mem"):
		attr = "resources.mem"
	case strings.Contains(s, "resource_list.ngpus"), strings.Contains(s, "resource ngpus"):
		attr, hint = "resources.gpus", "this server does not define the ngpus resource"
	case strings.Contains(s, "unknown resource"):
		attr, hint = "resources.constraint", "the server does not know a resource named in the constraint or options"
	case strings.Contains(s, "violates queue and/or server resource limits"):
		attr, hint = "resources", "ask for less (cpus, mem, time) or use a queue that allows more"
	case strings.Contains(stderr, "illegal -J value"), strings.Contains(stderr, "illegal -t value"), strings.Contains(s, "exceeds server or queue size limit"):
		attr, hint = "array", "lower max_array_size to what the server allows"
	case strings.Contains(s, "illegal -w value"):
		attr = "dependencies"
	}
	d := pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: attr, Summary: "qsub refused the job", Detail: err.Error()}
	if hint != "" {
		d.Detail += "; " + hint
	}
	return d
}
