package pbsexec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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

func localTime(s string) time.Time {
	t, err := time.ParseInLocation(asctime, s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseQstatJSON(t *testing.T) {
	tests := []struct {
		file string
		want []record
	}{
		{"qstat_facts.json", []record{
			{Key: "1234.pbs01", Seq: 1234, Index: -1, State: "F", Substate: 92, HasSub: true, Exit: 0, HasExit: true,
				Comment: "Job run at ... and finished", Walltime: time.Hour},
			{Key: "1235[7].pbs01", Seq: 1235, Index: 7, State: "X", Exit: 1, HasExit: true},
		}},
		{"qstat_nojobs.json", nil},
		// Not JSON as qstat prints it (OpenPBS #1255): bare 005 and 1.2.3,
		// and an unescaped backslash. The repair keeps the job readable.
		{"qstat_bad1255.json", []record{
			{Key: "1236.pbs01", Seq: 1236, Index: -1, State: "R", Substate: 42, HasSub: true,
				Start: localTime("Fri Apr  5 19:34:38 2024"), Walltime: 10 * time.Minute},
		}},
		{"qstat_walltime.json", []record{
			{Key: "1240.pbs01", Seq: 1240, Index: -1, State: "F", Substate: 93, HasSub: true, Exit: -29, HasExit: true,
				Comment: "Job run at Fri Apr 05 at 19:34 and exceeded resource walltime",
				Start:   localTime("Fri Apr  5 19:34:38 2024"), End: localTime("Fri Apr  5 19:44:39 2024"),
				Walltime: 10 * time.Minute, Used: 10*time.Minute + time.Second},
			{Key: "1241.pbs01", Seq: 1241, Index: -1, State: "F", Substate: 92, HasSub: true, Exit: 271, HasExit: true,
				Start: localTime("Fri Apr  5 19:34:38 2024"), End: localTime("Fri Apr  5 19:44:40 2024"),
				Walltime: 10 * time.Minute, Used: 10*time.Minute + 2*time.Second},
			{Key: "1242.pbs01", Seq: 1242, Index: -1, State: "F", Substate: 91, HasSub: true, Exit: 271, HasExit: true,
				Start: localTime("Fri Apr  5 19:34:38 2024"), End: localTime("Fri Apr  5 19:35:00 2024"),
				Walltime: 10 * time.Minute, Used: 22 * time.Second},
			{Key: "1243.pbs01", Seq: 1243, Index: -1, State: "F", Substate: 93, HasSub: true, Exit: -27, HasExit: true},
			{Key: "1244.pbs01", Seq: 1244, Index: -1, State: "F", Substate: 91, HasSub: true},
			{Key: "1245.pbs01", Seq: 1245, Index: -1, State: "H", Substate: 22, HasSub: true, DependHold: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseQstatJSON(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseQstatJSONRefusesGarbage(t *testing.T) {
	if _, err := parseQstatJSON([]byte(`{"Jobs":{"1.s":{`)); err == nil {
		t.Error("truncated JSON parsed without error")
	}
}

func TestParseQstatFull(t *testing.T) {
	got := parseQstatFull(readTestdata(t, "torque_full.txt"))
	want := []record{
		{Key: "2001.torque01.example.org", Seq: 2001, Index: -1, State: "C", Exit: 3, HasExit: true,
			Start: time.Unix(1712345674, 0), End: time.Unix(1712345679, 0), Walltime: 10 * time.Minute, Used: 5 * time.Second},
		{Key: "2002[].torque01.example.org", Seq: 2002, Index: -1, Parent: true, State: "R"},
		{Key: "2002[0].torque01.example.org", Seq: 2002, Index: 0, State: "C", Exit: 0, HasExit: true,
			Start: time.Unix(1712345674, 0), End: time.Unix(1712345675, 0)},
		{Key: "2002[1].torque01.example.org", Seq: 2002, Index: 1, State: "R", Start: time.Unix(1712345674, 0)},
		{Key: "2002[2].torque01.example.org", Seq: 2002, Index: 2, State: "Q"},
		// Its comment wraps after a blank, which must survive.
		{Key: "2003.torque01.example.org", Seq: 2003, Index: -1, State: "C", Exit: -11, HasExit: true,
			Comment:  "Job exceeded its walltime limit and was killed by the server after 60 seconds",
			Walltime: time.Minute, Used: time.Minute},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestRepairJSONLeavesValidJSONAlone(t *testing.T) {
	in := readTestdata(t, "qstat_facts.json")
	if got := repairJSON(in); string(got) != string(in) {
		t.Errorf("repairJSON changed valid JSON:\n%s", got)
	}
}
