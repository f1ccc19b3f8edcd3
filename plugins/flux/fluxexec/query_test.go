package fluxexec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ip(n int) *int { return &n }

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseJobsJSON reads flux jobs --json outputs: the facts page's
// literal example, a bare object (exactly one id), records with keys left
// out, and nothing at all (one unknown id).
func TestParseJobsJSON(t *testing.T) {
	timeoutRec := record{ID: 200031445467136, State: "INACTIVE", Result: "TIMEOUT", Returncode: ip(142)}
	timeoutRec.Exception.Occurred, timeoutRec.Exception.Type, timeoutRec.Exception.Note = true, "timeout", "resource allocation expired"
	failedDep := record{ID: 529086284178653186, Name: "never", State: "INACTIVE", Result: "FAILED", Returncode: ip(1), Urgency: nil,
		TInactive: 1795671787.1, Dependencies: []string{},
		InactiveReason: "Exception: type=dependency note=dependency after-success=f2EET8W9RZwd can never be satisfied"}
	failedDep.Exception.Occurred, failedDep.Exception.Type = true, "dependency"
	failedDep.Exception.Note = "dependency after-success=f2EET8W9RZwd can never be satisfied"
	tests := []struct {
		file string
		want []record
	}{
		{"jobs_facts_list.json", []record{
			{ID: 200030371725312, Name: "step1", State: "INACTIVE", Result: "COMPLETED", Returncode: ip(0), Urgency: ip(16),
				TRun: 1.7e9, TInactive: 1.7e9, Dependencies: []string{}},
			timeoutRec,
		}},
		// Above 2^53: read as a float64 this id would come back wrong.
		{"jobs_bare_running.json", []record{{ID: 529086284178653184, Name: "upper-3", State: "RUN", Urgency: ip(16),
			TRun: 1795671785.96, Dependencies: []string{}}}},
		{"jobs_depend.json", []record{
			{ID: 529086284178653185, Name: "join", State: "DEPEND", Urgency: ip(16), Dependencies: []string{"after-success=f2EET8W9RZwd"}},
			failedDep,
		}},
		{"jobs_unknown_single.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseJobsJSON(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseJobsJSON (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := parseJobsJSON([]byte(`{"jobs":[{"id":"x"}]}`)); err == nil {
		t.Errorf("a record with a non-numeric id parsed")
	}
	if _, err := parseJobsJSON([]byte(`not json`)); err == nil {
		t.Errorf("non-JSON output parsed")
	}
}

func TestOnlyUnknown(t *testing.T) {
	tests := []struct {
		stderr string
		want   bool
	}{
		{string(readTestdata(t, "jobs_unknown_single.stderr")), true},
		{"", true},
		{"JobID f2X5ZfEk9 unknown\nJobID 12 unknown\n", true},
		{"flux-jobs: ERROR: Unable to connect to Flux\n", false},
		{"JobID 1 unknown\nsomething else\n", false},
	}
	for _, tt := range tests {
		if got := onlyUnknown([]byte(tt.stderr)); got != tt.want {
			t.Errorf("onlyUnknown(%q) = %v, want %v", tt.stderr, got, tt.want)
		}
	}
}

func TestChunks(t *testing.T) {
	ids := make([]uint64, 20000)
	for i := range ids {
		ids[i] = 529086284178653184 + uint64(i)
	}
	cs := chunks(ids)
	if len(cs) < 2 {
		t.Fatalf("20000 ids of 19 digits fit in %d command line(s); want them split", len(cs))
	}
	var back []uint64
	for _, c := range cs {
		size := 0
		for _, id := range c {
			size += len(dec(id)) + 1
		}
		if size > maxArgBytes {
			t.Errorf("a chunk holds %d bytes of ids, over %d", size, maxArgBytes)
		}
		back = append(back, c...)
	}
	if diff := cmp.Diff(ids, back); diff != "" {
		t.Errorf("chunks lost or reordered ids:\n%s", diff)
	}
	if got := chunks(ids[:3]); len(got) != 1 {
		t.Errorf("3 ids split into %d chunks", len(got))
	}
}
