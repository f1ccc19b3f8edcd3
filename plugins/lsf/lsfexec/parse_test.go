package lsfexec

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseBjobsJSON(t *testing.T) {
	tests := []struct {
		file         string
		wantRecs     []bjobsRecord
		wantNotFound []string
	}{
		{"bjobs/facts.json",
			[]bjobsRecord{{ID: "101", Index: 0, Stat: "DONE"}},
			[]string{"999"}},
		{"bjobs/synthetic-array.json",
			[]bjobsRecord{
				{ID: "103", Index: 1, Stat: "RUN"},
				{ID: "103", Index: 2, Stat: "EXIT", ExitCode: "1"},
				{ID: "103", Index: 3, Stat: "PEND"},
				{ID: "104", Index: 0, Stat: "EXIT", ExitCode: "140", Reason: "TERM_RUNLIMIT: job killed after reaching LSF run time limit"},
			},
			[]string{"998"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs, nf, err := parseBjobsJSON(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantRecs, recs); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNotFound, nf); diff != "" {
				t.Errorf("not found (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := parseBjobsJSON([]byte("bjobs: invalid option -- 'j'\n")); err == nil {
		t.Error("OpenLava's complaint parsed as JSON")
	}
}

func TestParseBjobsDelimited(t *testing.T) {
	tests := []struct {
		file string
		want []bjobsRecord
	}{
		{"bjobs/facts.txt", []bjobsRecord{{ID: "101", Stat: "DONE"}, {ID: "103", Index: 2, Stat: "EXIT", ExitCode: "1"}}},
		{"bjobs/synthetic-header.txt", []bjobsRecord{
			{ID: "105", Stat: "EXIT", ExitCode: "130", Reason: "TERM_OWNER: job killed by owner"},
			{ID: "106", Stat: "PEND"},
			{ID: "107", Index: 3, Stat: "DONE"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs, err := parseBjobsDelimited(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, recs); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNotFound(t *testing.T) {
	got := parseNotFound(readTestdata(t, "bjobs/notfound.stderr"))
	if diff := cmp.Diff([]string{"999", "998"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBsubAnswers(t *testing.T) {
	ids := map[string]string{"bsub/queue.out": "1234", "bsub/default.out": "1234", "bsub/synthetic-esub.out": "77"}
	for file, want := range ids {
		m := submittedRe.FindStringSubmatch(string(readTestdata(t, file)))
		if m == nil || m[1] != want {
			t.Errorf("%s: got %v, want job id %s", file, m, want)
		}
	}
	sub := &submission{attrs: map[string]string{"-q": "resources.partition", "-R": "resources"}}
	refusals := []struct {
		file  string
		limit bool
		attr  string
	}{
		{"bsub/badq.err", false, "resources.partition"},
		{"bsub/resreq.err", false, "resources"},
		{"bsub/array.err", false, "array.size"},
		{"bsub/esub.err", false, ""},
		{"bsub/nomatch.err", false, "dependencies[1].handle"},
		{"bsub/depsyntax.err", false, "dependencies"},
		{"bsub/threshold.err", true, ""},
	}
	spec := specWithDeps("1", "4242")
	for _, r := range refusals {
		msg := string(readTestdata(t, r.file))
		if submittedRe.MatchString(msg) {
			t.Errorf("%s: a refusal matched as a submission", r.file)
		}
		if got := isLimit(msg); got != r.limit {
			t.Errorf("%s: isLimit = %v, want %v", r.file, got, r.limit)
		}
		if r.limit {
			continue
		}
		if d := refusal(msg, spec, sub); d.Attribute != r.attr {
			t.Errorf("%s: diagnostic about %q, want %q (%v)", r.file, d.Attribute, r.attr, d)
		}
	}
}

func TestBkillComplaints(t *testing.T) {
	if p, seen := bkillProblems(string(readTestdata(t, "bkill/benign.err"))); len(p) != 0 || !seen {
		t.Errorf("benign complaints: %v %v, want none but seen", p, seen)
	}
	p, _ := bkillProblems(string(readTestdata(t, "bkill/synthetic-denied.err")))
	if diff := cmp.Diff([]bkillProblem{{id: "103", msg: "Permission denied"}}, p, cmp.AllowUnexported(bkillProblem{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, seen := bkillProblems(string(readTestdata(t, "bkill/ok.out"))); seen {
		t.Error("bkill's success lines read as complaints")
	}
}

func TestChunks(t *testing.T) {
	var ids []string
	for i := 0; i < 20000; i++ {
		ids = append(ids, strconv.Itoa(1_000_000+i))
	}
	cs := chunks(ids)
	if len(cs) < 2 {
		t.Fatalf("%d ids of 8 bytes fit one command line of %d bytes?", len(ids), maxArgBytes)
	}
	var all []string
	for _, c := range cs {
		if n := len(strings.Join(c, " ")); n > maxArgBytes {
			t.Errorf("a chunk carries %d bytes of ids, over %d", n, maxArgBytes)
		}
		all = append(all, c...)
	}
	if diff := cmp.Diff(ids, all); diff != "" {
		t.Errorf("chunks lose or reorder ids")
	}
	if cs := chunks(ids[:1000]); len(cs) != 1 {
		t.Errorf("1000 ids split into %d calls; one is enough", len(cs))
	}
	if cs := chunks(nil); len(cs) != 0 {
		t.Errorf("no ids: %d calls", len(cs))
	}
}
