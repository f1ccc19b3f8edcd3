package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/core/runspec"
)

// out is an Output as a test states it: relative path and content.
type out struct {
	Rel, Digest string
	Size        int64
}

func outFor(rel, content string) out {
	sum := sha256.Sum256([]byte(content))
	return out{Rel: rel, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(content))}
}

// summary is the part of a Result a case checks.
type summary struct {
	Outcome  runspec.Outcome
	ExitCode int
	Signal   string
	Reason   string
	Value    string
	Outputs  []out
}

func summarise(t *testing.T, s *runspec.Spec, r *runspec.Result) summary {
	t.Helper()
	sum := summary{Outcome: r.Outcome, ExitCode: r.ExitCode, Signal: r.Signal, Reason: r.Reason, Value: string(r.Value)}
	for _, o := range r.Outputs {
		rel, err := filepath.Rel(s.WorkDir, o.Path)
		if err != nil || !filepath.IsAbs(o.Path) {
			t.Errorf("output path %q is not absolute under the work dir", o.Path)
		}
		if o.ModTime.IsZero() {
			t.Errorf("output %s has no mtime", rel)
		}
		sum.Outputs = append(sum.Outputs, out{Rel: rel, Digest: o.Digest, Size: o.Size})
	}
	return sum
}

func TestRunOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		command string
		outputs []string
		limit   int64
		want    summary
		// reasonPrefix replaces an exact Reason for messages that embed
		// temp paths or a parser's wording.
		reasonPrefix string
	}{
		{
			name:    "success with outputs, sorted and deduplicated",
			command: "printf hello > a.txt; mkdir sub; printf x > sub/b.dat; printf bye > c.txt; printf n > note",
			outputs: []string{"*.txt", "sub/*", "a.txt"},
			want: summary{Outcome: runspec.Succeeded, Outputs: []out{
				outFor("a.txt", "hello"), outFor("c.txt", "bye"), outFor("sub/b.dat", "x"),
			}},
		},
		{
			name:    "symlink inside the work dir is an output",
			command: "printf data > real.txt; ln -s real.txt link.txt",
			outputs: []string{"link.txt"},
			want:    summary{Outcome: runspec.Succeeded, Outputs: []out{outFor("link.txt", "data")}},
		},
		{
			name:    "wildcard matching nothing is no error",
			command: "true",
			outputs: []string{"chunk_*"},
			want:    summary{Outcome: runspec.Succeeded},
		},
		{
			name:    "wildcard skips directories",
			command: "mkdir d; printf 1 > f",
			outputs: []string{"*"},
			want:    summary{Outcome: runspec.Succeeded, Outputs: []out{outFor("f", "1")}},
		},
		{
			name:    "non-zero exit",
			command: "echo failing >&2; exit 3",
			want:    summary{Outcome: runspec.Failed, ExitCode: 3, Reason: "the command exited with code 3"},
		},
		{
			name:    "errexit stops at the first failure",
			command: "false; exit 0",
			want:    summary{Outcome: runspec.Failed, ExitCode: 1, Reason: "the command exited with code 1"},
		},
		{
			name:    "pipefail fails a pipeline with a failing stage",
			command: "false | true",
			want:    summary{Outcome: runspec.Failed, ExitCode: 1, Reason: "the command exited with code 1"},
		},
		{
			name:    "killed by a signal",
			command: "kill -KILL $$",
			want: summary{Outcome: runspec.Failed, ExitCode: 137, Signal: "SIGKILL",
				Reason: "the command was killed by SIGKILL (the kernel's out-of-memory killer sends this signal)"},
		},
		{
			name:    "outputs are not recorded after a failure",
			command: "printf x > a.txt; exit 2",
			outputs: []string{"a.txt"},
			want:    summary{Outcome: runspec.Failed, ExitCode: 2, Reason: "the command exited with code 2"},
		},
		{
			name:    "plain text result is kept raw",
			command: `echo "hello world" > "$REFLOW_RESULT"`,
			want:    summary{Outcome: runspec.Succeeded, Value: "hello world\n"},
		},
		{
			name:    "JSON result",
			command: `echo '{"n": 8, "names": ["a", "b"]}' > "$REFLOW_RESULT"`,
			want:    summary{Outcome: runspec.Succeeded, Value: "{\"n\": 8, \"names\": [\"a\", \"b\"]}\n"},
		},
		{
			name:    "number result",
			command: `wc -l <<< $'a\nb' > "$REFLOW_RESULT"`,
			want:    summary{Outcome: runspec.Succeeded, Value: "2\n"},
		},
		{
			name:         "result that starts like JSON but is not",
			command:      `echo '{"n": 8,' > "$REFLOW_RESULT"`,
			want:         summary{Outcome: runspec.Failed},
			reasonPrefix: "result file is not valid JSON: ",
		},
		{
			name:    "result over the limit",
			command: `head -c 2001 /dev/zero > "$REFLOW_RESULT"`,
			limit:   2000,
			want: summary{Outcome: runspec.Failed,
				Reason: "result file is 2001 bytes, larger than the 2000-byte limit; write bulk data to an output file"},
		},
		{
			name:    "result at the limit",
			command: `printf '"%s"' "$(head -c 1998 /dev/zero | tr '\0' a)" > "$REFLOW_RESULT"`,
			limit:   2000,
			want:    summary{Outcome: runspec.Succeeded, Value: `"` + strings.Repeat("a", 1998) + `"`},
		},
		{
			name:         "output symlink escaping the work dir",
			command:      "echo secret > ../../secret.txt; ln -s ../../secret.txt leak.txt",
			outputs:      []string{"*.txt"},
			want:         summary{Outcome: runspec.Failed},
			reasonPrefix: "output ",
		},
		{
			name:         "dangling symlink output",
			command:      "ln -s nowhere out.txt",
			outputs:      []string{"out.txt"},
			want:         summary{Outcome: runspec.Failed},
			reasonPrefix: "output ",
		},
		{
			name:    "declared literal output missing",
			command: "true",
			outputs: []string{"up.txt"},
			want:    summary{Outcome: runspec.Failed, Reason: `declared output "up.txt" was not created by the command`},
		},
		{
			name:    "declared literal output is a directory",
			command: "mkdir results",
			outputs: []string{"results"},
			want: summary{Outcome: runspec.Failed,
				Reason: `declared output "results" is a directory; outputs are files (use a glob such as "results/*")`},
		},
		{
			name:    "output glob leaving the work dir",
			command: "true",
			outputs: []string{"../*"},
			want:    summary{Outcome: runspec.Failed, Reason: `output glob "../*" leaves the work dir`},
		},
		{
			name:    "absolute output glob",
			command: "true",
			outputs: []string{"/etc/*"},
			want:    summary{Outcome: runspec.Failed, Reason: `output glob "/etc/*" is absolute; outputs are relative to the work dir`},
		},
		{
			name:    "fifo output",
			command: "mkfifo pipe",
			outputs: []string{"pipe"},
			want:    summary{Outcome: runspec.Failed},
			// the reason embeds the temp path
			reasonPrefix: "output /",
		},
		{
			name:    "command longer than one argv string runs from a file",
			command: "# " + strings.Repeat("x", 200<<10) + "\nprintf ok > out.txt",
			outputs: []string{"out.txt"},
			want:    summary{Outcome: runspec.Succeeded, Outputs: []out{outFor("out.txt", "ok")}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSpec(t, -1, tc.command, func(s *runspec.Spec) {
				s.Outputs = tc.outputs
				s.MaxResultBytes = tc.limit
			})
			got := summarise(t, s, runSpec(t, s))
			if tc.reasonPrefix != "" {
				if !strings.HasPrefix(got.Reason, tc.reasonPrefix) {
					t.Errorf("reason %q, want prefix %q", got.Reason, tc.reasonPrefix)
				}
				got.Reason = ""
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunEscapeReasonNamesTheFile(t *testing.T) {
	t.Parallel()
	s := newSpec(t, 0, "echo secret > ../../secret.txt; ln -s ../../secret.txt leak.txt", func(s *runspec.Spec) {
		s.Outputs = []string{"leak.txt"}
	})
	r := runSpec(t, s)
	want := "output " + filepath.Join(s.WorkDir, "leak.txt") + " resolves to "
	if !strings.HasPrefix(r.Reason, want) || !strings.Contains(r.Reason, "outside the work dir") {
		t.Errorf("reason %q, want it to start %q and say it is outside the work dir", r.Reason, want)
	}
	if !strings.Contains(readFile(t, s.Stderr), "outside the work dir") {
		t.Error("the reason is not in the task's stderr log")
	}
}

func TestRunRecordsTimesHostAndLogs(t *testing.T) {
	t.Parallel()
	before := time.Now()
	s := newSpec(t, 2, "echo to-out; echo to-err >&2; sleep 0.1")
	r := runSpec(t, s)
	if r.Outcome != runspec.Succeeded {
		t.Fatalf("outcome %s: %s", r.Outcome, r.Reason)
	}
	if r.Start.Before(before) || r.End.Sub(r.Start) < 100*time.Millisecond {
		t.Errorf("start %v end %v: want start after %v and at least 100ms of run time", r.Start, r.End, before)
	}
	if r.Host == "" || r.Task != "job" || r.Index != 2 || r.Attempt != 1 {
		t.Errorf("host %q task %q index %d attempt %d", r.Host, r.Task, r.Index, r.Attempt)
	}
	if got := readFile(t, s.Stdout); got != "to-out\n" {
		t.Errorf("stdout log %q", got)
	}
	if got := readFile(t, s.Stderr); got != "to-err\n" {
		t.Errorf("stderr log %q", got)
	}
}

func TestRunSharedLogFile(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "echo one; echo two >&2; echo three", func(s *runspec.Spec) { s.Stderr = s.Stdout })
	runSpec(t, s)
	if got := readFile(t, s.Stdout); got != "one\ntwo\nthree\n" {
		t.Errorf("shared log %q, want the three lines in order", got)
	}
}

func TestRunBackgroundLeftoversDoNotHoldTheWorker(t *testing.T) {
	t.Parallel()
	s := newSpec(t, -1, "sleep 30 & echo $! > bg.pid")
	start := time.Now()
	r := runSpec(t, s)
	if r.Outcome != runspec.Succeeded || time.Since(start) > 5*time.Second {
		t.Fatalf("outcome %s after %v", r.Outcome, time.Since(start))
	}
	assertGone(t, readFile(t, filepath.Join(s.WorkDir, "bg.pid")))
}

func TestRunPeakRSS(t *testing.T) {
	t.Parallel()
	const alloc = 30_000_000
	// bash holds the whole command substitution in memory at once.
	s := newSpec(t, -1, `x=$(head -c 30000000 /dev/zero | tr '\0' a); echo ${#x} > n`)
	r := runSpec(t, s)
	if got := readFile(t, filepath.Join(s.WorkDir, "n")); got != "30000000\n" {
		t.Fatalf("command saw %q", got)
	}
	if r.PeakRSS < alloc || r.PeakRSS > 2<<30 {
		t.Errorf("peak RSS %d bytes, want between %d and 2 GiB", r.PeakRSS, alloc)
	}
}

func TestRunSmallPeakRSS(t *testing.T) {
	t.Parallel()
	r := runSpec(t, newSpec(t, -1, "true"))
	if r.PeakRSS <= 0 || r.PeakRSS > 30_000_000 {
		t.Errorf("peak RSS of `true` is %d bytes; want a few megabytes", r.PeakRSS)
	}
}
