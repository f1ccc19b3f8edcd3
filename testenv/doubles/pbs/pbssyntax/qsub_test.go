package pbssyntax

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// qsubCase is one command line: args, the script on stdin, and what qsub
// must answer. want "" means accepted.
type qsubCase struct {
	name   string
	args   []string
	script string
	want   string // a line the refusal must contain
	code   int
	usage  bool // the refusal ends with the usage text
}

func runQsubCases(t *testing.T, site Site, cases []qsubCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			script := tc.script
			if script == "" {
				script = "#!/bin/bash\necho hi\n"
			}
			_, err := ParseQsub(tc.args, func() []byte { return []byte(script) },
				func(string) ([]byte, error) { return nil, errors.New("no files here") }, site)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused (exit %d): %s", err.Code, err.Text)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want refusal %q", tc.want)
			}
			if err.Code != tc.code || !strings.Contains(err.Text, tc.want) {
				t.Errorf("got exit %d %q, want exit %d with %q", err.Code, err.Text, tc.code, tc.want)
			}
			if tc.usage != strings.Contains(err.Text, "usage: qsub") {
				t.Errorf("usage text shown: %v, want %v:\n%s", !tc.usage, tc.usage, err.Text)
			}
		})
	}
}

// TestQsubChecklist feeds qsub one command line per rule of the facts
// page's §6 checklist, bad and good.
func TestQsubChecklist(t *testing.T) {
	long := strings.Repeat("n", 230)
	runQsubCases(t, DefaultSite(), []qsubCase{
		// 1. options with values, unknown options, bad values.
		{name: "option without its value", args: []string{"-N"}, want: "qsub: option requires an argument -- 'N'", code: 2, usage: true},
		{name: "every valued option needs a value", args: []string{"-l"}, want: "option requires an argument -- 'l'", code: 2, usage: true},
		{name: "empty value", args: []string{"-q", ""}, want: "qsub: illegal -q value", code: 2, usage: true},
		{name: "unknown option", args: []string{"-Y", "x"}, want: "qsub: invalid option -- 'Y'", code: 2, usage: true},
		{name: "unknown long option", args: []string{"--wait"}, want: "unrecognized option '--wait'", code: 2, usage: true},
		{name: "bad -j", args: []string{"-j", "oo"}, want: "qsub: illegal -j value", code: 2, usage: true},
		{name: "bad -r", args: []string{"-r", "maybe"}, want: "qsub: illegal -r value", code: 2, usage: true},
		{name: "bad -m", args: []string{"-m", "xyz"}, want: "qsub: illegal -m value", code: 2, usage: true},
		{name: "bad -p", args: []string{"-p", "5000"}, want: "qsub: illegal -p value", code: 2, usage: true},
		{name: "bad -v name", args: []string{"-v", "1A=2"}, want: "qsub: illegal -v value", code: 2, usage: true},
		{name: "-v with quoted comma", args: []string{"-v", "A,B=1,C='x,y'"}},
		{name: "bundled flags", args: []string{"-hz", "-Nname"}},
		{name: "valid -l list", args: []string{"-l", "select=2:ncpus=4:mem=8gb+1:ncpus=2,walltime=01:00:00", "-l", "place=scatter:excl"}},
		{name: "-l without =", args: []string{"-l", "walltime"}, want: "qsub: illegal -l value", code: 2, usage: true},

		// 2. -J arrays.
		{name: "-J range", args: []string{"-J", "0-9"}},
		{name: "-J step", args: []string{"-J", "0-9:2"}},
		{name: "-J throttle from 22.05", args: []string{"-J", "0-9%2"}},
		{name: "-J bare number", args: []string{"-J", "5"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J one element", args: []string{"-J", "5-5"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J reversed", args: []string{"-J", "9-3"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J comma list", args: []string{"-J", "1,2,3"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J negative", args: []string{"-J", "-1-5"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J zero step", args: []string{"-J", "0-9:0"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J zero throttle", args: []string{"-J", "0-9%0"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J too many subjobs", args: []string{"-J", "0-10000"}, want: "qsub: Array job exceeds server or queue size limit", code: 3},
		{name: "-J at the limit", args: []string{"-J", "1-10000"}},
		{name: "-J with -I", args: []string{"-J", "0-3", "-I"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J with -r n", args: []string{"-J", "0-3", "-r", "n"}, want: "qsub: illegal -J value", code: 2, usage: true},

		// 3. -N.
		{name: "-N at 230 characters", args: []string{"-N", long}},
		{name: "-N over 230 characters", args: []string{"-N", long + "x"}, want: "qsub: illegal -N value", code: 2, usage: true},
		{name: "-N with a slash", args: []string{"-N", "a/b"}, want: "qsub: illegal -N value", code: 2, usage: true},
		{name: "-N with a blank", args: []string{"-N", "a b"}, want: "qsub: illegal -N value", code: 2, usage: true},
		{name: "-N with PBS's characters", args: []string{"-N", "a.b_c+d-9"}},

		// 4. walltime and sizes (the server checks values).
		{name: "walltime H:M:S", args: []string{"-l", "walltime=48:00:00"}},
		{name: "walltime M:S", args: []string{"-l", "walltime=90:00"}},
		{name: "walltime seconds", args: []string{"-l", "walltime=3600"}},
		{name: "walltime with ms", args: []string{"-l", "walltime=10.5"}},
		{name: "walltime day field", args: []string{"-l", "walltime=1-00:00:00"}, want: "qsub: Illegal attribute or resource value Resource_List.walltime", code: 166},
		{name: "walltime 1d", args: []string{"-l", "walltime=1d"}, want: "Resource_List.walltime", code: 166},
		{name: "walltime four fields", args: []string{"-l", "walltime=1:00:00:00"}, want: "Resource_List.walltime", code: 166},
		{name: "size gb", args: []string{"-l", "select=1:mem=8gb"}},
		{name: "size upper case", args: []string{"-l", "select=1:mem=8GB"}},
		{name: "size bytes", args: []string{"-l", "select=1:mem=1024"}},
		{name: "size words", args: []string{"-l", "select=1:mem=10mw"}},
		{name: "size with decimals", args: []string{"-l", "select=1:mem=1.5gb"}, want: "Resource_List.mem", code: 166},
		{name: "size gib", args: []string{"-l", "select=1:mem=2gib"}, want: "Resource_List.mem", code: 166},
		{name: "job-wide size with decimals", args: []string{"-l", "mem=1.5gb"}, want: "Resource_List.mem", code: 166},
		{name: "ncpus not a number", args: []string{"-l", "select=1:ncpus=two"}, want: "Resource_List.ncpus", code: 166},
		{name: "unknown resource", args: []string{"-l", "select=1:fpga=1"}, want: "qsub: Unknown resource Resource_List.fpga", code: 186},
		{name: "site resource ngpus", args: []string{"-l", "select=1:ngpus=2"}},

		// 5. select and the old forms.
		{name: "select with nodes", args: []string{"-l", "select=1:ncpus=2", "-l", "nodes=2:ppn=4"}, want: `cannot be used with "select"`, code: 2},
		{name: "select with ncpus", args: []string{"-l", "select=1:ncpus=2,ncpus=4"}, want: "resource is: ncpus", code: 2},
		{name: "old form alone", args: []string{"-l", "nodes=2:ppn=4"}},
		{name: "chunk item without =", args: []string{"-l", "select=2:ncpus"}, want: "Resource_List.select", code: 166},
		{name: "chunk joined by comma", args: []string{"-l", "select=1:ncpus=2,mem=1gb"}},
		{name: "chunk count zero", args: []string{"-l", "select=0:ncpus=1"}, want: "Resource_List.select", code: 166},
		{name: "chunks joined by +", args: []string{"-l", "select=ncpus=2+2:ncpus=1:mem=1gb"}},
		{name: "bad place", args: []string{"-l", "place=everywhere"}, want: "Resource_List.place", code: 166},

		// 6. -W depend.
		{name: "depend afterok", args: []string{"-W", "depend=afterok:1234.pbs01:1235.pbs01,afterany:99"}},
		{name: "depend on an array", args: []string{"-W", "depend=afterok:1235[].pbs01"}},
		{name: "depend on a subjob", args: []string{"-W", "depend=afterok:1235[4].pbs01"}, want: "cannot have dependancy on subjob or range\nqsub: illegal -W value", code: 2, usage: true},
		{name: "depend on a range", args: []string{"-W", "depend=afterok:1235[1-3]"}, want: "cannot have dependancy on subjob or range", code: 2, usage: true},
		{name: "depend without ids", args: []string{"-W", "depend=afterok"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "depend with an empty id", args: []string{"-W", "depend=afterok:"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "depend unknown type", args: []string{"-W", "depend=afterwards:12"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "depend not an id", args: []string{"-W", "depend=afterok:abc"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "depend Torque's array type", args: []string{"-W", "depend=afterokarray:12[]"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "depend on:N", args: []string{"-W", "depend=on:2"}},
		{name: "depend runone", args: []string{"-W", "depend=runone:12.pbs01"}},
		{name: "unknown -W attribute", args: []string{"-W", "frobnicate=1"}, want: "qsub: illegal -W value", code: 2, usage: true},
		{name: "-W sandbox", args: []string{"-W", "sandbox=PRIVATE"}},

		// 7. directives.
		{name: "directives stop at the first executable line", script: "#!/bin/bash\n#PBS -N first\necho hi\n#PBS -Y\n"},
		{name: "blank lines and : lines do not stop directives", script: "#!/bin/bash\n\n: note\n  #PBS -Y\necho hi\n", want: "invalid option -- 'Y'", code: 2, usage: true},
		{name: "a bad directive value", script: "#PBS -J 3\nexit 0\n", want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "#PBSX is no directive", script: "#PBSX -Y\nexit 0\n"},
		{name: "-C changes the prefix", args: []string{"-C", "#MY"}, script: "#PBS -Y\n#MY -N viaprefix\nexit 0\n"},
		{name: "empty -C turns directives off", args: []string{"-C", ""}, script: "#PBS -Y\nexit 0\n"},

		// Operands.
		{name: "a script file that does not exist", args: []string{"job.sh"}, want: "qsub: script file:: No such file or directory", code: 1},
		{name: "two scripts", args: []string{"a.sh", "b.sh"}, want: "usage: qsub", code: 2, usage: true},
		{name: "-- executable", args: []string{"-N", "x", "--", "/bin/sleep", "10"}},
		{name: "-- without an executable", args: []string{"--"}, want: "usage: qsub", code: 2, usage: true},
	})
}

// TestQsubOldOpenPBS: before 22.05 qsub refuses the %N throttle.
func TestQsubOldOpenPBS(t *testing.T) {
	site := DefaultSite()
	site.Version = "20.0.1"
	runQsubCases(t, site, []qsubCase{
		{name: "-J throttle", args: []string{"-J", "0-9%2"}, want: "qsub: illegal -J value", code: 2, usage: true},
		{name: "-J without", args: []string{"-J", "0-9"}},
	})
}

func TestQsubTorque(t *testing.T) {
	site := Site{Dialect: Torque, Version: "6.1.3"}
	runQsubCases(t, site, []qsubCase{
		{name: "-t list", args: []string{"-t", "1,10,50-100"}},
		{name: "-t single index", args: []string{"-t", "7"}},
		{name: "-t slot limit", args: []string{"-t", "0-299%5"}},
		{name: "-t step", args: []string{"-t", "1-10:2"}, want: "qsub: illegal -t value", code: 2, usage: true},
		{name: "-t reversed", args: []string{"-t", "10-1"}, want: "qsub: illegal -t value", code: 2, usage: true},
		{name: "no -J in Torque", args: []string{"-J", "0-3"}, want: "invalid option -- 'J'", code: 2, usage: true},
		{name: "-d work dir", args: []string{"-d", "/tmp"}},
		{name: "-N 15 characters", args: []string{"-N", "abcdefghijklmno"}},
		{name: "-N 16 characters", args: []string{"-N", "abcdefghijklmnop"}, want: "qsub: illegal -N value", code: 2, usage: true},
		{name: "walltime day field", args: []string{"-l", "walltime=1:00:00:00"}},
		{name: "nodes and ppn", args: []string{"-l", "nodes=2:ppn=4:gpus=1:bigmem,mem=8gb"}},
		{name: "nodes bad ppn", args: []string{"-l", "nodes=2:ppn=x"}, want: "Resource_List.nodes", code: 166},
		{name: "no select in Torque", args: []string{"-l", "select=1:ncpus=2"}, want: "Unknown resource Resource_List.select", code: 186},
		{name: "array dependency", args: []string{"-W", "depend=afterokarray:12[].srv,afteranyarray:13[][5]"}},
		{name: "array type on a plain id", args: []string{"-W", "depend=afterokarray:12.srv"}, want: "qsub: illegal -W value", code: 2, usage: true},
	})
}

func TestQsubFolding(t *testing.T) {
	script := "#!/bin/bash\n#PBS -N fromscript\n#PBS -l walltime=01:00:00,select=1:ncpus=2\n#PBS -W depend=afterok:1.s\necho\n"
	sub, err := ParseQsub([]string{"-N", "fromcmd", "-l", "walltime=00:10:00"}, func() []byte { return []byte(script) }, nil, DefaultSite())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"name": sub.Name}
	for _, r := range sub.Resources {
		got[r.Name] = r.Value
	}
	want := map[string]string{"name": "fromcmd", "walltime": "00:10:00", "select": "1:ncpus=2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("command line over directives (-want +got):\n%s", diff)
	}
	if len(sub.Depend) != 1 || sub.Depend[0].Type != "afterok" || sub.Depend[0].IDs[0].Seq != 1 {
		t.Errorf("depend = %+v", sub.Depend)
	}
}

func TestParseJobID(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		kind IDKind
	}{
		{"1234", true, PlainJob}, {"1234.pbs01", true, PlainJob}, {"1234.pbs01.example.org", true, PlainJob},
		{"1234.pbs01@pbs02", true, PlainJob}, {"1235[].pbs01", true, ArrayJob}, {"1235[7].pbs01", true, SubJob},
		{"1235[2-5]", true, SubRange}, {"1235[5-2]", false, 0}, {"1235[-2]", false, 0}, {"abc", false, 0},
		{"12x", false, 0}, {"", false, 0}, {"12..s", false, 0},
	}
	for _, tt := range tests {
		id, ok := ParseJobID(tt.in)
		if ok != tt.ok || ok && id.Kind != tt.kind {
			t.Errorf("ParseJobID(%q) = %+v, %v; want kind %v, %v", tt.in, id, ok, tt.kind, tt.ok)
		}
	}
}
