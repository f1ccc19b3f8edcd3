package sgeexec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

func TestParseQsubTerse(t *testing.T) {
	cases := []struct {
		in              string
		id, first, last int
		bad             bool
	}{
		{in: string(readTestdata(t, "qsub/terse-job.out")), id: 25},
		{in: string(readTestdata(t, "qsub/terse-array.out")), id: 3, first: 1, last: 10},
		{in: string(readTestdata(t, "qsub/terse-stride.out")), id: 8, first: 2, last: 10},
		{in: "note: site wrapper says hello\n42\n", id: 42},
		{in: `Your job 1 ("smoke") has been submitted`, bad: true},
		{in: "", bad: true},
		{in: "0\n", bad: true},
		{in: "12.x\n", bad: true},
	}
	for _, tc := range cases {
		id, first, last, err := parseQsubTerse([]byte(tc.in))
		if tc.bad {
			if err == nil {
				t.Errorf("%q: want an error, got id %d", tc.in, id)
			}
			continue
		}
		if err != nil || id != tc.id || first != tc.first || last != tc.last {
			t.Errorf("%q: got %d %d-%d %v, want %d %d-%d", tc.in, id, first, last, err, tc.id, tc.first, tc.last)
		}
	}
}

func TestQsubComplaint(t *testing.T) {
	cases := []struct {
		file, msg, attr string
	}{
		{"qsub/badqueue.err", `Unable to run job: Job was rejected because job requests unknown queue "nosuch.q"`, "resources.partition"},
		{"qsub/badproject.err", `Unable to run job: job rejected: the requested project "nosuch" does not exist`, "resources.account"},
		{"qsub/badresource.err", `Unable to run job: unknown resource "gpu"`, "resources"},
		{"qsub/task0.err", `Unable to run job: job rejected: 0 is an invalid task id`, "array"},
		{"qsub/maxujobs.err", `Unable to run job: job rejected: only 1 jobs are allowed per user (current job count: 1)`, ""},
	}
	for _, tc := range cases {
		msg := qsubComplaint(sdk.Result{Stderr: readTestdata(t, tc.file)}, errors.New("exit 1"))
		if msg != tc.msg {
			t.Errorf("%s: complaint %q, want %q", tc.file, msg, tc.msg)
		}
		if a := qsubAttribute(msg); a != tc.attr {
			t.Errorf("%s: attribute %q, want %q", tc.file, a, tc.attr)
		}
	}
	if msg := qsubComplaint(sdk.Result{}, errors.New("qsub: not found")); msg != "qsub: not found" {
		t.Errorf("no output: %q", msg)
	}
}

func TestSubmitWithFake(t *testing.T) {
	var stdin []byte
	e := NewWithRunner(func(ctx context.Context, c sdk.Command) (sdk.Result, error) {
		switch {
		case strings.Contains(strings.Join(c.Args, " "), "-hold_jid 9"):
			return sdk.Result{Stderr: readTestdata(t, "qsub/maxujobs.err"), ExitCode: statusTryAgain},
				&sdk.CommandError{Argv: c.Argv(), ExitCode: statusTryAgain}
		case len(c.Args) > 1 && c.Args[1] == "-P":
			return sdk.Result{Stderr: readTestdata(t, "qsub/badproject.err"), ExitCode: 1}, &sdk.CommandError{Argv: c.Argv(), ExitCode: 1}
		}
		stdin = c.Stdin
		return sdk.Result{Stdout: readTestdata(t, "qsub/terse-array.out")}, nil
	})
	e.cfg = testConfig()
	spec := pluginapi.JobSpec{Task: "t", WorkDir: "/w", Script: "true\n", Stdout: "/w/o.{index}", Stderr: "/w/e.{index}",
		Array: &pluginapi.ArraySpec{Size: 10}}
	r, err := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec})
	if err != nil || r.Diagnostics.HasErrors() {
		t.Fatalf("Submit: %v %v", err, r.Diagnostics)
	}
	id, st, ours := decodeHandle(r.Handle)
	if id != 3 || !ours || st.Size != 10 || st.Submitted == 0 {
		t.Errorf("handle %d %+v %v", id, st, ours)
	}
	if !strings.Contains(string(stdin), "#$ -t 1-10\n") {
		t.Errorf("qsub's stdin is not the script:\n%s", stdin)
	}
	// qsub answered 3.1-10:1 for tasks 3-12: a mismatch is an error.
	spec.Array.Offset = 2
	if r, _ := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec}); !r.Diagnostics.HasErrors() {
		t.Error("a task range qsub did not submit was accepted")
	}
	// A limit: retry later.
	spec.Array.Offset = 0
	spec.Dependencies = []pluginapi.Dependency{{Kind: pluginapi.AfterAny, Handle: handle(9, handleState{})}}
	if r, _ := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec}); !r.RetryLater || r.Diagnostics.HasErrors() {
		t.Errorf("max_u_jobs: RetryLater %v, diagnostics %v", r.RetryLater, r.Diagnostics)
	}
	// A refusal names the attribute.
	e.cfg.ExtraArgs = []string{"-P", "nosuch"}
	spec.Dependencies = nil
	if r, _ := e.Submit(context.Background(), &pluginapi.SubmitRequest{Job: spec}); !hasError(r.Diagnostics, "resources.account") {
		t.Errorf("unknown project: %v", r.Diagnostics)
	}
}
