package worker

import (
	"errors"
	"fmt"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// Complete decides the outcome of an attempt whose command has already
// exited with res.ExitCode, the way Run does after the command: a non-zero
// exit fails; on exit 0 the outputs are digested and $REFLOW_RESULT read.
//
// The dispatcher calls it for the local executor's shell worker, which runs
// the command in bash and leaves this part to the dispatcher (same host,
// same files), so a tiny task costs no Go process of its own.
func Complete(s *runspec.Spec, res *runspec.Result) {
	if res.ExitCode != 0 {
		res.Outcome = runspec.Failed
		if res.ExitCode > 128 && res.ExitCode < 128+65 {
			res.Signal = fmt.Sprintf("signal %d", res.ExitCode-128)
			res.Reason = fmt.Sprintf("the command was killed by signal %d", res.ExitCode-128)
		} else {
			res.Reason = fmt.Sprintf("the command exited with code %d", res.ExitCode)
		}
		return
	}
	never := func() bool { return false }
	outs, err := collectOutputs(s.WorkDir, s.Outputs, never)
	if err == nil {
		res.Outputs = outs
		res.Value, err = readValue(runspec.ValuePath(s.Result), s.MaxResultBytes)
	}
	if err != nil {
		res.Outputs, res.Value = nil, nil
		var te *taskError
		if !errors.As(err, &te) {
			err = fmt.Errorf("recording the outputs: %w", err)
		}
		res.Outcome, res.Reason = runspec.Failed, err.Error()
		return
	}
	res.Outcome = runspec.Succeeded
}
