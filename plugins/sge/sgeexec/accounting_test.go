package sgeexec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func unix(n int64) time.Time { return time.Unix(n, 0) }

func TestParseQacct(t *testing.T) {
	lt := func(s string) time.Time { return qacctTime(s) }
	cases := []struct {
		file string
		want []acctRecord
	}{
		{"qacct/single-ok.txt", []acctRecord{{Job: 58, Failed: 0, Exit: 0,
			Submit: lt("Thu Nov 26 05:42:03 2026"), Start: lt("Thu Nov 26 05:42:04 2026"), End: lt("Thu Nov 26 05:42:04 2026")}}},
		{"qacct/timeout.txt", []acctRecord{{Job: 57, Failed: 37, FailedText: "qmaster enforced h_rt, h_cpu, or h_vmem limit", Exit: 137,
			Submit: lt("Thu Nov 26 05:40:17 2026"), Start: lt("Thu Nov 26 05:40:17 2026"), End: lt("Thu Nov 26 05:40:22 2026"),
			Wallclock: 5, MaxVMem: qacctBytes("8.551MB")}}},
		{"qacct/exit100.txt", []acctRecord{{Job: 56, Failed: 30, FailedText: "application error returned", Exit: 100,
			Submit: lt("Thu Nov 26 05:39:13 2026"), Start: lt("Thu Nov 26 05:39:15 2026"), End: lt("Thu Nov 26 05:39:15 2026")}}},
		{"qacct/eqw-array.txt", []acctRecord{
			{Job: 65, Task: 1, Failed: 26, FailedText: "opening input/output file", Submit: lt("Thu Nov 26 05:43:41 2026")},
			{Job: 65, Task: 2, Failed: 26, FailedText: "opening input/output file", Submit: lt("Thu Nov 26 05:43:41 2026")},
		}},
		{"qacct/qdel-running.txt", []acctRecord{{Job: 59, Failed: 100, FailedText: "assumedly after job", Exit: 137,
			Submit: lt("Thu Nov 26 05:42:40 2026"), Start: lt("Thu Nov 26 05:42:42 2026"), End: lt("Thu Nov 26 05:43:08 2026"),
			Wallclock: 26, MaxVMem: qacctBytes("12.422MB")}}},
		{"qacct/notfound.txt", nil},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			got := parseQacct(readTestdata(t, tc.file))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("parseQacct (-want +got):\n%s", d)
			}
		})
	}
	t.Run("qacct/array-deleted.txt", func(t *testing.T) {
		got := parseQacct(readTestdata(t, "qacct/array-deleted.txt"))
		var summary []string
		for _, r := range got {
			summary = append(summary, fmt.Sprintf("%d.%d failed=%d exit=%d wall=%v", r.Job, r.Task, r.Failed, r.Exit, r.Wallclock))
		}
		want := []string{"61.1 failed=0 exit=0 wall=23", "61.2 failed=0 exit=0 wall=21",
			"61.3 failed=100 exit=137 wall=12", "61.4 failed=100 exit=137 wall=7"}
		if d := cmp.Diff(want, summary); d != "" {
			t.Errorf("parseQacct (-want +got):\n%s", d)
		}
	})
}

func TestQacctBytes(t *testing.T) {
	for in, want := range map[string]int64{"0.000B": 0, "512B": 512, "1.500KB": 1536, "2.000MB": 2 << 20,
		"1.000GB": 1 << 30, "1.000TB": 1 << 40, "12345": 12345, "junk": 0, "x.yMB": 0} {
		if got := qacctBytes(in); got != want {
			t.Errorf("qacctBytes(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseAccountingLine(t *testing.T) {
	lines := strings.Split(string(readTestdata(t, "accounting/accounting")), "\n")
	var got []acctRecord
	for _, l := range lines {
		if r, ok := parseAccountingLine(l); ok {
			got = append(got, r)
		}
	}
	if len(got) != 25 {
		t.Fatalf("want the file's 25 records, got %d", len(got))
	}
	// The records the qacct tests read too, straight from the file.
	byKey := map[taskKey]acctRecord{}
	for _, r := range got {
		byKey[r.key()] = r
	}
	want := map[taskKey]acctRecord{
		{57, 0}: {Job: 57, Failed: 37, Exit: 137, Submit: unix(1795671617), Start: unix(1795671617), End: unix(1795671622), Wallclock: 5, MaxVMem: 8966144},
		{55, 0}: {Job: 55, Failed: 26, Submit: unix(1795671551)},
		{56, 0}: {Job: 56, Failed: 30, Exit: 100, Submit: unix(1795671553), Start: unix(1795671555), End: unix(1795671555)},
		{61, 3}: {Job: 61, Task: 3, Failed: 100, Exit: 137, Submit: unix(1795671763), Start: unix(1795671808), End: unix(1795671820), Wallclock: 12, MaxVMem: 10625024},
		{65, 2}: {Job: 65, Task: 2, Failed: 26, Submit: unix(1795671821)},
	}
	for k, w := range want {
		if d := cmp.Diff(w, byKey[k]); d != "" {
			t.Errorf("record %v (-want +got):\n%s", k, d)
		}
	}
	for name, l := range map[string]string{
		"header":    "# Version: 8.1.9",
		"short":     "all.q:vm:root:root:x:5",
		"bad id":    strings.Replace(lines[5], ":upa:51:", ":upa:x:", 1),
		"empty":     "",
		"colons in": "a:b",
	} {
		if _, ok := parseAccountingLine(l); ok {
			t.Errorf("%s: %q taken for a record", name, l)
		}
	}
	if r, _ := parseAccountingLine(strings.Replace(lines[4], ":1795671440:1795671444:1795671449:", ":1795671440000:1795671444000:1795671449000:", 1)); !r.End.Equal(unix(1795671449)) {
		t.Errorf("millisecond times (Univa): end %v", r.End)
	}
}

func TestScanAccounting(t *testing.T) {
	path := filepath.Join("testdata", "accounting", "accounting")
	cases := []struct {
		name      string
		want      []taskKey
		notBefore time.Time
		found     []taskKey
	}{
		{"every kind", []taskKey{{57, 0}, {61, 1}, {61, 4}, {65, 2}, {51, 3}}, time.Time{},
			[]taskKey{{57, 0}, {61, 1}, {61, 4}, {65, 2}, {51, 3}}},
		{"not there", []taskKey{{999, 0}, {61, 9}}, time.Time{}, nil},
		// Job 51 ended at 1795671449..55: a scan bounded after that stops
		// before reaching it.
		{"bounded", []taskKey{{51, 1}, {57, 0}}, unix(1795671600), []taskKey{{57, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := map[taskKey]bool{}
			for _, k := range tc.want {
				want[k] = true
			}
			got, err := scanAccounting(path, want, tc.notBefore)
			if err != nil {
				t.Fatal(err)
			}
			var keys []taskKey
			for _, k := range tc.found {
				if _, ok := got[k]; !ok {
					t.Errorf("record %v not found", k)
				}
				keys = append(keys, k)
			}
			if len(got) != len(keys) {
				t.Errorf("found %d records, want %d: %v", len(got), len(keys), got)
			}
		})
	}
	if _, err := scanAccounting(filepath.Join(t.TempDir(), "none"), map[taskKey]bool{{1, 0}: true}, time.Time{}); err == nil {
		t.Error("a missing file: no error")
	}
}

// TestScanAccountingChunks writes a file of many records, a rescheduled
// job's two records and a half-written last line, so that reads cross chunk
// boundaries.
func TestScanAccountingChunks(t *testing.T) {
	line := func(job, task, failed, exit int, end int64) string {
		return fmt.Sprintf("all.q:vm:root:root:j:%d:sge:0:%d:%d:%d:%d:%d:1:0.1:0.1:4600.0:0:0:0:0:15078:0:0:40.0:32:0:0:0:267:1306:NONE:defaultdepartment:NONE:1:%d:1.2:0.0:0.0:-l h_rt=4:0.0:NONE:13750272.000000:0:0\n",
			job, end-10, end-5, end, failed, exit, task)
	}
	var b strings.Builder
	b.WriteString("# Version: 8.1.9\n")
	for i := 0; i < 20000; i++ {
		b.WriteString(line(1000+i, 0, 0, 0, 1795670000+int64(i)))
	}
	b.WriteString(line(5, 0, 25, 0, 1795690000)) // rescheduled...
	b.WriteString(line(5, 0, 0, 3, 1795690001))  // ...then ended: the newer record wins
	b.WriteString(line(7, 2, 0, 0, 1795690002)[:60])
	path := filepath.Join(t.TempDir(), "accounting")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[taskKey]bool{{1000, 0}: true, {10500, 0}: true, {5, 0}: true, {7, 2}: true}
	got, err := scanAccounting(path, want, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r := got[taskKey{5, 0}]; r.Failed != 0 || r.Exit != 3 {
		t.Errorf("job 5: want the newer record (failed 0, exit 3), got %+v", r)
	}
	if _, ok := got[taskKey{7, 2}]; ok {
		t.Error("the half-written last line was read as a record")
	}
	for _, k := range []taskKey{{1000, 0}, {10500, 0}} {
		if r, ok := got[k]; !ok || r.Job != k.Job {
			t.Errorf("record %v across chunks: %+v %v", k, r, ok)
		}
	}
	// Bounded: the scan stops long before job 1000.
	got, _ = scanAccounting(path, map[taskKey]bool{{1000, 0}: true, {20999, 0}: true}, unix(1795670000+19000))
	if _, ok := got[taskKey{1000, 0}]; ok {
		t.Error("the bounded scan went past its bound")
	}
	if _, ok := got[taskKey{20999, 0}]; !ok {
		t.Error("the bounded scan missed a record inside its bound")
	}
}
