package sgeexec

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// statusTryAgain is qsub's exit status when a limit refused the job
// (max_u_jobs, max_jobs, ...): Grid Engine's STATUS_NOTOK_DOAGAIN.
const statusTryAgain = 25

// Submit submits one job or array job with `qsub -terse`, the script on
// standard input.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	cfg := e.config()
	sub, diags := build(&cfg, &req.Job)
	if diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}
	// Taken before qsub runs, so it is never later than Grid Engine's own
	// submission time.
	sub.state.Submitted = e.now().Unix()
	res, err := e.command(ctx, &cfg, "qsub", sub.argv[1:], []byte(sub.script))
	if err != nil {
		var ce *sdk.CommandError
		msg := qsubComplaint(res, err)
		if errors.As(err, &ce) && ce.TimedOut {
			return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("settings.command_timeout",
				"qsub did not answer within %v; the job may have been submitted all the same (look for job name %q in qstat): %s",
				ce.Timeout, jobName(req.Job.Task), msg)}, nil
		}
		if errors.As(err, &ce) && ce.ExitCode == statusTryAgain {
			return &pluginapi.SubmitResponse{RetryLater: true,
				Diagnostics: diags.Warnf("", "Grid Engine refused the job for a limit, to be tried again later: %s", msg)}, nil
		}
		return &pluginapi.SubmitResponse{Diagnostics: append(diags, pluginapi.Diagnostic{
			Severity: pluginapi.Error, Attribute: qsubAttribute(msg),
			Summary: "qsub refused the job: " + msg,
			Detail:  "The command was: " + strings.Join(sub.argv, " ") + " (job script on standard input; reflow plan --show-native prints it).",
		})}, nil
	}
	id, first, last, err := parseQsubTerse(res.Stdout)
	if err != nil {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "qsub ran but its answer is not a job id: %v; the job may have been submitted, check qstat", err)}, nil
	}
	if a := req.Job.Array; a != nil && (first != a.Offset+1 || last != a.Offset+a.Size) {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "qsub submitted job %d with tasks %d-%d, not the %d-%d asked for; deleting it would be safest (qdel %d)",
			id, first, last, a.Offset+1, a.Offset+a.Size, id)}, nil
	}
	return &pluginapi.SubmitResponse{Handle: encodeHandle(id, sub.state), Diagnostics: diags}, nil
}

var qsubTerse = regexp.MustCompile(`^(\d+)(?:\.(\d+)-(\d+):(\d+))?$`)

// parseQsubTerse reads `qsub -terse` output: "25" for a job, "3.1-10:1"
// (id.first-last:step) for an array. first and last are 0 for a job.
func parseQsubTerse(out []byte) (id, first, last int, err error) {
	s := strings.TrimSpace(string(out))
	// Some sites' qsub wrappers print notices first; the id is the last line.
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[i+1:])
	}
	m := qsubTerse.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, 0, fmt.Errorf("%q", shorten(s, 200))
	}
	id, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		first, _ = strconv.Atoi(m[2])
		last, _ = strconv.Atoi(m[3])
	}
	if id <= 0 {
		return 0, 0, 0, fmt.Errorf("%q", s)
	}
	return id, first, last, nil
}

// qsubComplaint is what qsub said, without its "Exiting." trailer.
func qsubComplaint(res sdk.Result, err error) string {
	text := strings.TrimSpace(string(res.Stderr))
	if text == "" {
		text = strings.TrimSpace(string(res.Stdout))
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "Exiting." {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return err.Error()
	}
	return shorten(strings.Join(lines, "; "), 1000)
}

// qsubAttribute names the request attribute a qsub complaint is about,
// where the text says so.
func qsubAttribute(msg string) string {
	switch m := strings.ToLower(msg); {
	case strings.Contains(m, "unknown queue"):
		return "resources.partition"
	case strings.Contains(m, "requested project"):
		return "resources.account"
	case strings.Contains(m, "parallel environment"):
		return "resources.cpus"
	case strings.Contains(m, "unknown resource"), strings.Contains(m, "no suitable queues"):
		return "resources"
	case strings.Contains(m, "task id"), strings.Contains(m, "tasks"):
		return "array"
	}
	return ""
}

// shorten cuts s to about n bytes for messages.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
