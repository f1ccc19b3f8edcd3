package slurmexec

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The layouts of the facts page's samples (`squeue -o '%i|%T|%r'`,
// `sacct -o JobID,State,ExitCode,Reason`), so the parser is tested on
// literal Slurm output as well as on the plugin's own layouts.
var (
	factsSqueue     = layout{{"%i", colID}, {"%T", colState}, {"%r", colReason}}
	factsSqueueDeps = layout{{"%i", colID}, {"%T", colState}, {"%r", colReason}, {"%E", colLimit}} // %E read as text
	factsSacct      = layout{{"JobID", colID}, {"State", colState}, {"ExitCode", colExitPair}, {"Reason", colReason}}
	factsJobcomp    = layout{{"JobID", colID}, {"State", colState}, {"ExitCode", colExitPair}}
)

func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func job(id string) rowID { return rowID{Job: id, Kind: rowJob} }
func elem(id string, i int) rowID {
	return rowID{Job: id, Kind: rowElement, Index: i}
}
func rng(id string, idx ...int) rowID { return rowID{Job: id, Kind: rowRange, Indices: idx} }

func exit(code, sig int) exitStatus { return exitStatus{Known: true, Code: code, Signal: sig} }

func TestParseFactsOutputs(t *testing.T) {
	tests := []struct {
		file string
		l    layout
		want []record
	}{
		{"facts/squeue-array.txt", factsSqueue, []record{
			{ID: rng("39", 2, 3, 4, 5, 6, 7, 8, 9), State: "PENDING", Reason: "JobArrayTaskLimit"},
			{ID: elem("39", 1), State: "RUNNING", Reason: "None"},
			{ID: elem("39", 0), State: "RUNNING", Reason: "None"},
		}},
		{"facts/squeue-deps.txt", factsSqueueDeps, []record{
			{ID: job("51"), State: "PENDING", Reason: "Dependency", Limit: "afterok:49(unfulfilled)"},
			{ID: job("55"), State: "PENDING", Reason: "Dependency", Limit: "afterok:50(unfulfilled)?afterok:49(unfulfilled)"},
			{ID: job("56"), State: "PENDING", Reason: "Dependency", Limit: "afterok:50(unfulfilled),afterok:49(unfulfilled)"},
			{ID: job("57"), State: "PENDING", Reason: "Dependency", Limit: "afterany:49(unfulfilled),afterany:50(unfulfilled)"},
			{ID: rng("59", 0, 1, 2, 3), State: "PENDING", Reason: "None", Limit: "aftercorr:58_*(unfulfilled)"},
			{ID: job("52"), State: "PENDING", Reason: "DependencyNeverSatisfied", Limit: "afterok:50(failed)"},
			{ID: job("56"), State: "PENDING", Reason: "DependencyNeverSatisfied", Limit: "afterok:50(failed),afterok:49(unfulfilled)"},
			{ID: elem("59", 2), State: "PENDING", Reason: "DependencyNeverSatisfied", Limit: "aftercorr:58_*(failed)"},
		}},
		{"facts/sacct-states.txt", factsSacct, []record{
			{ID: job("88"), State: "COMPLETED", Exit: exit(0, 0), Reason: "None"},
			{ID: job("89"), State: "FAILED", Exit: exit(3, 0), Reason: "None"},
			{ID: job("90"), State: "FAILED", Exit: exit(0, 9), Reason: "None"},
			{ID: job("136"), State: "OUT_OF_MEMORY", Exit: exit(0, 125), Reason: "None"},
			{ID: job("101"), State: "FAILED", Exit: exit(0, 9), Reason: "None"},
			{ID: job("102"), State: "TIMEOUT", Exit: exit(0, 0), Reason: "None"},
			{ID: job("103"), State: "CANCELLED by 0", Exit: exit(0, 0), Reason: "None"},
			{ID: job("104"), State: "CANCELLED by 0", Exit: exit(0, 0), Reason: "JobHeldUser"},
			{ID: job("5"), State: "NODE_FAIL", Exit: exit(0, 0), Reason: "None"},
			{ID: elem("91", 2), State: "COMPLETED", Exit: exit(0, 0), Reason: "JobArrayTaskLimit"},
			{ID: job("52"), State: "PENDING", Exit: exit(0, 0), Reason: "Dependency"},
			{ID: job("10"), State: "CANCELLED", Exit: exit(0, 0), Reason: "None"},
			{ID: rng("124", 1, 2, 3, 4, 5, 6, 7, 8, 9), State: "PENDING", Exit: exit(0, 0), Reason: "None"},
		}},
		{"facts/sacct-jobcomp.txt", factsJobcomp, []record{
			{ID: job("29"), State: "COMPLETED", Exit: exit(0, 0)},
			{ID: job("31"), State: "FAILED", Exit: exit(0, 9)},
			{ID: job("78"), State: "TIMEOUT", Exit: exit(0, 0)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, bad := parseRecords(readTestdata(t, "testdata/"+tt.file), tt.l, time.UTC)
			if len(bad) > 0 {
				t.Errorf("unreadable rows: %q", bad)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRecordsBadRows(t *testing.T) {
	out := "1|COMPLETED|None\n" + // good
		"2|COMPLETED\n" + // too few fields
		"3.batch|COMPLETED|None\n" + // a step
		"4+1|RUNNING|None\n" + // a het-job component
		"5_[1-|PENDING|None\n" + // a broken range
		"CLUSTER: reflow\n" + // -M header, skipped silently
		"\n"
	got, bad := parseRecords([]byte(out), factsSqueue, time.UTC)
	if diff := cmp.Diff([]record{{ID: job("1"), State: "COMPLETED", Reason: "None"}}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if len(bad) != 4 {
		t.Errorf("want 4 unreadable rows reported, got %d: %q", len(bad), bad)
	}
}

func TestParseWaitStatusAndExitPair(t *testing.T) {
	tests := []struct {
		in      string
		wait    bool
		want    exitStatus
		wantErr bool
	}{
		{"0", true, exit(0, 0), false},
		{"768", true, exit(3, 0), false}, // squeue exit_code of `exit 3`
		{"9", true, exit(0, 9), false},   // kill -9
		{"15", true, exit(0, 15), false},
		{"N/A", true, exitStatus{}, false},
		{"x", true, exitStatus{}, true},
		{"3:0", false, exit(3, 0), false},
		{"0:125", false, exit(0, 125), false},
		{"", false, exitStatus{}, false},
		{"3", false, exitStatus{}, true},
		{"a:b", false, exitStatus{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got exitStatus
			var err error
			if tt.wait {
				got, err = parseWaitStatus(tt.in)
			} else {
				got, err = parseExitPair(tt.in)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseRowID(t *testing.T) {
	tests := []struct {
		in      string
		want    rowID
		wantErr bool
	}{
		{"123", job("123"), false},
		{"123_4", elem("123", 4), false},
		{"39_[2-9%2]", rng("39", 2, 3, 4, 5, 6, 7, 8, 9), false},
		{"76_[2,5%1]", rng("76", 2, 5), false},
		{"429_[2-3,7-9%2]", rng("429", 2, 3, 7, 8, 9), false},
		{"59_[0-3]", rng("59", 0, 1, 2, 3), false},
		{"123.batch", rowID{}, true},
		{"123+0", rowID{}, true},
		{"123_x", rowID{}, true},
		{"123_04", rowID{}, true},
		{"123_[1-3", rowID{}, true},
		{"", rowID{}, true},
		{"0", rowID{}, true},
		{"executortest-abc", rowID{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRowID(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSbatch(t *testing.T) {
	tests := []struct {
		file, id, cluster string
		wantErr           bool
	}{
		{"facts/sbatch-parsable.txt", "84", "", false},
		{"facts/sbatch-parsable-cluster.txt", "84", "reflow", false},
		{"facts/sbatch-plain.txt", "", "", true}, // without --parsable: not what the plugin runs
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			id, cluster, err := parseSbatch(readTestdata(t, "testdata/"+tt.file))
			if (err != nil) != tt.wantErr || id != tt.id || cluster != tt.cluster {
				t.Errorf("parseSbatch = %q, %q, %v; want %q, %q, error %v", id, cluster, err, tt.id, tt.cluster, tt.wantErr)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	cl, err := clusterFromConfig(parseConfig(readTestdata(t, "testdata/real/scontrol-show-config.txt")))
	if err != nil {
		t.Fatal(err)
	}
	want := clusterInfo{Known: true, Version: "22.05.8", Name: "reflow", MaxArraySize: 1001,
		AccountingStorage: "accounting_storage/slurmdbd", MinJobAge: 300 * time.Second}
	if diff := cmp.Diff(want, cl); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// max_array_tasks caps the element count below MaxArraySize.
	cl, err = clusterFromConfig(map[string]string{"SLURM_VERSION": "23.02.1", "MaxArraySize": "5001",
		"SchedulerParameters": "bf_interval=1,max_array_tasks=2000"})
	if err != nil || cl.maxElements() != 2000 || cl.maxIndex() != 5000 {
		t.Errorf("max_array_tasks: elements %d index %d err %v; want 2000, 5000", cl.maxElements(), cl.maxIndex(), err)
	}
	if _, err := clusterFromConfig(map[string]string{"MaxArraySize": "10"}); err == nil {
		t.Error("config without SLURM_VERSION: want an error")
	}
}
