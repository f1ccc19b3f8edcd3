package worker

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/core/runspec"
)

// Not parallel: t.Setenv checks that the worker passes its own
// environment on.
func TestRunEnvironment(t *testing.T) {
	t.Setenv("REFLOW_TEST_INHERITED", "from-the-scheduler")
	t.Setenv("REFLOW_INDEX", "99") // a stale value must not leak through
	const script = `for v in REFLOW_TEST_INHERITED GREETING REFLOW_RUN_ID REFLOW_TASK REFLOW_INDEX REFLOW_ATTEMPT; do
  printf '%s=%s\n' "$v" "${!v-<unset>}"
done > env.txt
printf '%s\n' "$REFLOW_RUN_DIR" > rundir.txt
printf '%s\n' "$REFLOW_RESULT" > result.txt
printf '%s\n' "$PWD" > pwd.txt`
	tests := []struct {
		name  string
		index int
		want  string
	}{
		{"singleton", -1, "REFLOW_INDEX=\n"},
		{"element", 3, "REFLOW_INDEX=3\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSpec(t, tc.index, script, func(s *runspec.Spec) {
				s.Env = map[string]string{"GREETING": "hello world", "REFLOW_TEST_INHERITED": "overridden"}
			})
			if r := runSpec(t, s); r.Outcome != runspec.Succeeded {
				t.Fatalf("outcome %s: %s", r.Outcome, r.Reason)
			}
			want := "REFLOW_TEST_INHERITED=overridden\nGREETING=hello world\nREFLOW_RUN_ID=r-test\nREFLOW_TASK=job\n" +
				tc.want + "REFLOW_ATTEMPT=1\n"
			if diff := cmp.Diff(want, readFile(t, filepath.Join(s.WorkDir, "env.txt"))); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
			if got := strings.TrimSpace(readFile(t, filepath.Join(s.WorkDir, "rundir.txt"))); got != s.RunDir {
				t.Errorf("REFLOW_RUN_DIR=%q, want %q", got, s.RunDir)
			}
			if got := strings.TrimSpace(readFile(t, filepath.Join(s.WorkDir, "pwd.txt"))); got != s.WorkDir {
				t.Errorf("command ran in %q, want %q", got, s.WorkDir)
			}
			res := strings.TrimSpace(readFile(t, filepath.Join(s.WorkDir, "result.txt")))
			if res != runspec.ValuePath(s.Result) || strings.HasPrefix(res, s.WorkDir+"/") {
				t.Errorf("REFLOW_RESULT=%q, want %q outside the work dir", res, runspec.ValuePath(s.Result))
			}
		})
	}

	t.Run("inherited without override", func(t *testing.T) {
		s := newSpec(t, -1, `printf %s "$REFLOW_TEST_INHERITED" > v`)
		runSpec(t, s)
		if got := readFile(t, filepath.Join(s.WorkDir, "v")); got != "from-the-scheduler" {
			t.Errorf("inherited variable %q", got)
		}
	})
}

func TestIndexFromEnv(t *testing.T) {
	tests := []struct {
		value   string
		want    int
		wantErr bool
	}{
		{"", -1, false},
		{"0", 0, false},
		{"41", 41, false},
		{"-1", 0, true},
		{"x", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv(IndexEnv, tc.value)
			got, err := IndexFromEnv()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("IndexFromEnv() = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
