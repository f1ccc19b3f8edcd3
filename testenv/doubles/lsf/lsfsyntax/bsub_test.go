package lsfsyntax

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const script = "#!/bin/bash\necho hi\n"

// TestBsubRejects feeds one bad command line per checklist rule (facts
// page §6) and checks bsub's text and exit status.
func TestBsubRejects(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // substring of the message
	}{
		// 1. every value option needs a value.
		{"missing -J value", []string{"-J"}, script, "option requires an argument -- 'J'"},
		{"missing -W value in script", nil, "#BSUB -W\necho\n", "option requires an argument -- 'W'"},
		{"empty -q value", []string{"-q", ""}, script, "-q: Missing or empty value for option. Job not submitted."},
		{"unknown option", []string{"-Z", "x"}, script, "bsub: invalid option -- 'Z'"},
		{"unknown option in script", nil, "#BSUB -frob 1\necho\n", "invalid option -- 'frob'"},
		{"attached value", []string{"-n4"}, script, "invalid option -- 'n4'"},
		// 2. -W: [hours:]minutes, no seconds, no days.
		{"walltime with seconds", []string{"-W", "1:00:00"}, script, "1:00:00: Bad RUNLIMIT specification. Job not submitted."},
		{"walltime with days", []string{"-W", "1-00:00"}, script, "Bad RUNLIMIT"},
		{"walltime with unit", []string{"-W", "10m"}, script, "Bad RUNLIMIT"},
		{"walltime negative", []string{"-W", "-5"}, script, "Bad RUNLIMIT"},
		// 3. memory: integers with known units; "!" only after -M.
		{"mem decimal", []string{"-M", "1.5G"}, script, "1.5G: Bad memory limit specification"},
		{"mem bad unit", []string{"-M", "4X"}, script, "Bad memory limit"},
		{"mem iB unit", []string{"-M", "4GiB"}, script, "Bad memory limit"},
		{"rusage mem decimal", []string{"-R", "rusage[mem=1.5]"}, script, "Bad resource requirement syntax. Job not submitted."},
		{"rusage mem hard", []string{"-R", "rusage[mem=100!]"}, script, "Bad resource requirement syntax"},
		// 4. arrays.
		{"array index 0", []string{"-J", "a[0-3]"}, script, "Job array index error. Job not submitted."},
		{"array reversed", []string{"-J", "a[5-3]"}, script, "Job array index error"},
		{"array zero step", []string{"-J", "a[1-9:0]"}, script, "Job array index error"},
		{"array duplicate index", []string{"-J", "a[1-3,3]"}, script, "Job array index error"},
		{"array unclosed", []string{"-J", "a[1-3"}, script, "Job array index error"},
		{"array bad name", []string{"-J", "a b[1-3]"}, script, "Job array index error"},
		{"array zero limit", []string{"-J", "a[1-3]%0"}, script, "Job array index error"},
		{"array too many", []string{"-J", "a[1-1001]"}, script, "Job array index too large. Job not submitted."},
		{"array index too large", []string{"-J", "a[1001]"}, script, "Job array index too large"},
		{"array spec too long", []string{"-J", strings.Repeat("a", 251) + "[1-3]"}, script, "Job array index error"},
		// 5. dependencies.
		{"dep unbalanced", []string{"-w", "done(1"}, script, "done(1: Dependency condition syntax error. Job not submitted."},
		{"dep unknown function", []string{"-w", "finished(1)"}, script, "Dependency condition syntax error"},
		{"dep dangling operator", []string{"-w", "done(1) &&"}, script, "Dependency condition syntax error"},
		{"dep single ampersand", []string{"-w", "done(1) & done(2)"}, script, "Dependency condition syntax error"},
		{"dep empty", []string{"-w", "()"}, script, "Dependency condition syntax error"},
		{"dep count without op", []string{"-w", "numdone(1, 3)"}, script, "Dependency condition syntax error"},
		// 6. -n and -R.
		{"slots zero", []string{"-n", "0"}, script, "Bad argument for option -n"},
		{"slots min above max", []string{"-n", "4,2"}, script, "Bad argument for option -n"},
		{"slots word", []string{"-n", "four"}, script, "Bad argument for option -n"},
		{"resreq unbalanced", []string{"-R", "rusage[mem=100"}, script, "Bad resource requirement syntax"},
		{"resreq crossed", []string{"-R", "select[(a]"}, script, "Bad resource requirement syntax"},
		// 7. a job script needs a command.
		{"no command", nil, "#!/bin/bash\n#BSUB -J x\n", "No command is specified. Job not submitted."},
		// others
		{"bad gpu", []string{"-gpu", "num=0"}, script, "Bad GPU requirement syntax"},
		{"bad gpu key", []string{"-gpu", "count=2"}, script, "Bad GPU requirement syntax"},
		{"bad begin", []string{"-b", "25:00"}, script, "Bad time specification"},
		{"bad env", []string{"-env", "1A=x"}, script, "Bad -env specification"},
		{"o and oo", []string{"-o", "a", "-oo", "b"}, script, "cannot be used together"},
		{"quote unmatched in script", nil, "#BSUB -J \"abc\necho\n", "Unmatched quote"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBsub(tc.args, []byte(tc.stdin), Config{})
			if err == nil {
				t.Fatalf("bsub %q accepted, want rejection %q", tc.args, tc.want)
			}
			if err.Code != ExitFailure {
				t.Errorf("exit %d, want %d", err.Code, ExitFailure)
			}
			if !strings.Contains(err.Msg, tc.want) {
				t.Errorf("message %q, want it to contain %q", err.Msg, tc.want)
			}
		})
	}
}

// TestBsubEveryValueOptionNeedsValue is checklist item 1 for each option
// the double checks.
func TestBsubEveryValueOptionNeedsValue(t *testing.T) {
	for _, opt := range checkedValueOptions {
		_, err := ParseBsub([]string{opt}, []byte(script), Config{})
		if err == nil || !strings.Contains(err.Msg, "Job not submitted.") || err.Code != ExitFailure {
			t.Errorf("bsub %s without a value: got %v", opt, err)
		}
	}
}

func TestBsubAccepts(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		cfg   Config
		check func(t *testing.T, s *Submission)
	}{
		{"walltime forms", []string{"-W", "210"}, script, Config{}, func(t *testing.T, s *Submission) {
			if s.RunLimitMinutes != 210 {
				t.Errorf("RunLimitMinutes = %d", s.RunLimitMinutes)
			}
		}},
		{"walltime hours minutes over 59", []string{"-W", "1:90/hostA"}, script, Config{}, func(t *testing.T, s *Submission) {
			if s.RunLimitMinutes != 150 {
				t.Errorf("RunLimitMinutes = %d", s.RunLimitMinutes)
			}
		}},
		{"mem bare number in KB", []string{"-M", "2048"}, script, Config{}, func(t *testing.T, s *Submission) {
			if s.MemLimitKB != 2048 {
				t.Errorf("MemLimitKB = %d", s.MemLimitKB)
			}
		}},
		{"mem bare number in MB unit", []string{"-M", "2048!"}, script, Config{UnitForLimits: "MB"}, func(t *testing.T, s *Submission) {
			if s.MemLimitKB != 2048*1024 || !s.MemHard {
				t.Errorf("MemLimitKB = %d hard %v", s.MemLimitKB, s.MemHard)
			}
		}},
		{"mem units any case", []string{"-M", "2gb", "-R", "rusage[mem=512M] span[hosts=1]"}, script, Config{}, func(t *testing.T, s *Submission) {
			if s.MemLimitKB != 2<<20 || s.RusageMemKB != 512<<10 {
				t.Errorf("MemLimitKB = %d RusageMemKB = %d", s.MemLimitKB, s.RusageMemKB)
			}
		}},
		{"array with step and limit", []string{"-J", "x.y-z[1-7:3,10]%2"}, script, Config{}, func(t *testing.T, s *Submission) {
			if diff := cmp.Diff(&ArraySpec{Indices: []int{1, 4, 7, 10}, Limit: 2, Step: 1}, s.Array); diff != "" {
				t.Errorf("array (-want +got):\n%s", diff)
			}
		}},
		{"array at the configured maximum", []string{"-J", "a[1-5]"}, script, Config{MaxArraySize: 5}, func(t *testing.T, s *Submission) {
			if len(s.Array.Indices) != 5 {
				t.Errorf("indices %v", s.Array.Indices)
			}
		}},
		{"slots range", []string{"-n", "2,8"}, script, Config{}, func(t *testing.T, s *Submission) {
			if s.MinSlots != 2 || s.MaxSlots != 8 {
				t.Errorf("slots %d,%d", s.MinSlots, s.MaxSlots)
			}
		}},
		{"directives from stdin, command line wins", []string{"-q", "short"}, "#!/bin/bash\n#BSUB -q normal\n#BSUB -J \"my job\" # comment\n  #BSUB -o out.%J\n# BSUB -P proj\necho hi\n#BSUB -W 5\n", Config{}, func(t *testing.T, s *Submission) {
			got := map[string]string{}
			for k, o := range s.Options {
				got[k] = o.Value
			}
			want := map[string]string{"-q": "short", "-J": "my job", "-o": "out.%J", "-P": "proj", "-W": "5"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		}},
		{"continued directive", nil, "#BSUB -J a \\\n  -q b\necho\n", Config{}, func(t *testing.T, s *Submission) {
			if v, _ := s.Value("-q"); v != "b" {
				t.Errorf("-q = %q", v)
			}
		}},
		{"command words, stdin ignored", []string{"-J", "x", "sleep", "10"}, "#BSUB -q nope!\n", Config{}, func(t *testing.T, s *Submission) {
			if diff := cmp.Diff([]string{"sleep", "10"}, s.Command); diff != "" || s.Has("-q") {
				t.Errorf("command %v, -q given %v", s.Command, s.Has("-q"))
			}
		}},
		{"gpu forms", []string{"-gpu", "num=2/host:mode=exclusive_process:mps=no:j_exclusive=yes"}, script, Config{}, nil},
		{"gpu defaults", []string{"-gpu", "-"}, script, Config{}, nil},
		{"env list", []string{"-env", "all, ~HOME, T='a,b'"}, script, Config{}, nil},
		{"begin time", []string{"-b", "2030:12:31:23:59"}, script, Config{}, nil},
		{"several queues", []string{"-q", "short normal"}, script, Config{}, func(t *testing.T, s *Submission) {
			if diff := cmp.Diff([]string{"short", "normal"}, s.Queues); diff != "" {
				t.Errorf("queues: %s", diff)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseBsub(tc.args, []byte(tc.stdin), tc.cfg)
			if err != nil {
				t.Fatalf("bsub %q rejected: %v", tc.args, err)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestDependGrammar(t *testing.T) {
	good := map[string][]JobRef{
		"done(123)":                          {{ID: 123}},
		"123":                                {{ID: 123}},
		"ended(1) && done(2)":                {{ID: 1}, {ID: 2}},
		"done(1) || (ended(2) && !exit(3))":  {{ID: 1}, {ID: 2}, {ID: 3}},
		`done("123[4]")`:                     {{ID: 123, Index: 4}},
		"done(arr.1[*])":                     {{Name: "arr.1", AllIndex: true}},
		"done(123[*])":                       {{ID: 123, AllIndex: true}},
		"exit(5, != 0) && exit(6,>=2)":       {{ID: 5}, {ID: 6}},
		"numdone(7, >= 3) || numexit(7, *)":  {{ID: 7}, {ID: 7}},
		`external(8, "ok")`:                  {{ID: 8}},
		"post_done(job-a*) && started(9[2])": {{Name: "job-a", Wildcard: true}, {ID: 9, Index: 2}},
	}
	for expr, want := range good {
		n, err := ParseDepend(expr)
		if err != nil {
			t.Errorf("ParseDepend(%q): %v", expr, err)
			continue
		}
		if diff := cmp.Diff(want, Refs(n)); diff != "" {
			t.Errorf("ParseDepend(%q) refs (-want +got):\n%s", expr, diff)
		}
	}
	for _, bad := range []string{"", "done()", "done(0)", "done(1) done(2)", "done(1) &&& done(2)", "(done(1)", "done(1))", "done(1[0])", "exit(1, >)", `external(1)`, "done(a b)", "numdone(1)"} {
		if _, err := ParseDepend(bad); err == nil {
			t.Errorf("ParseDepend(%q) accepted", bad)
		} else if !strings.HasSuffix(err.Msg, "Dependency condition syntax error. Job not submitted.") {
			t.Errorf("ParseDepend(%q): %q", bad, err.Msg)
		}
	}
}

func TestBjobsArgs(t *testing.T) {
	r, err := ParseBjobs([]string{"-a", "-noheader", "-o", "jobid jobindex stat exit_code:5 delimiter='|'", "101", "103[1-5]"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"jobid", "jobindex", "stat", "exit_code"}, r.Fields); diff != "" || r.Delimiter != "|" || !r.All || !r.NoHeader {
		t.Errorf("fields %v delimiter %q all %v noheader %v", r.Fields, r.Delimiter, r.All, r.NoHeader)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5}, r.IDs[1].Indices); diff != "" {
		t.Errorf("indices: %s", diff)
	}
	for _, bad := range [][]string{
		{"-json", "-noheader", "-o", "jobid"},
		{"-o", "jobid bogus"},
		{"-o"},
		{"-Q"},
		{"12a"},
		{"12[0]"},
		{"-o", "jobid delimiter='"},
	} {
		if _, err := ParseBjobs(bad); err == nil || err.Code != ExitFailure {
			t.Errorf("bjobs %q: got %v, want a rejection", bad, err)
		}
	}
}

func TestBkillArgs(t *testing.T) {
	r, err := ParseBkill([]string{"101", "102[3]", "103[1-5]"})
	if err != nil || len(r.IDs) != 3 {
		t.Fatalf("%v %v", r, err)
	}
	for _, bad := range [][]string{{}, {"0"}, {"-s"}, {"-r", "-s", "KILL", "1"}, {"-x", "1"}, {"abc"}} {
		if _, err := ParseBkill(bad); err == nil || err.Code != ExitFailure {
			t.Errorf("bkill %q: got %v, want a rejection", bad, err)
		}
	}
}
