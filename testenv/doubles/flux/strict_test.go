package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestRejections feeds the double one bad command line per rule of the
// facts page's strict-double checklist (§6) and checks Flux's text and
// exit status.
func TestRejections(t *testing.T) {
	in := newInstance(t)
	orphan := in.write("orphan.sh", "#!/bin/bash\n# flux: -n1\necho hi\n# flux: -t 5m\n")
	sentinel := in.write("sentinel.sh", "#!/bin/bash\n# flux: -n1\n#FLUX: -t 5m\necho hi\n")
	badDirective := in.write("baddir.sh", "#!/bin/bash\n# flux: -n1 --nosuch\necho hi\n")
	noSlots := in.write("noslots.sh", "#!/bin/bash\necho hi\n")
	tests := []struct {
		name string
		args []string
		exit int
		text string // a substring of stderr
	}{
		{"unknown option", []string{"submit", "--nosuch", "true"}, 2, "unrecognized arguments: --nosuch"},
		{"unknown short option", []string{"submit", "-Z", "true"}, 2, "unrecognized arguments: -Z"},
		{"missing value", []string{"submit", "--job-name"}, 2, "argument --job-name: expected one argument"},
		{"ambiguous abbreviation", []string{"submit", "--c=1", "true"}, 2, "ambiguous option"},
		{"no command", []string{"submit", "-n1"}, 1, "job command and arguments are missing"},
		{"clock walltime", []string{"submit", "-t", "00:30", "true"}, 1, "flux-submit: ERROR: invalid Flux standard duration"},
		{"day walltime", []string{"submit", "-t", "4-00:30:00", "true"}, 1, "invalid Flux standard duration"},
		{"unit typo", []string{"submit", "-t", "10x", "true"}, 1, "invalid Flux standard duration"},
		{"batch walltime", []string{"batch", "-n1", "-t", "1:00:00", noSlots}, 1, "flux-batch: ERROR: invalid Flux standard duration"},
		{"non-int tasks", []string{"submit", "-n", "x", "true"}, 1, "--ntasks: invalid int value 'x'"},
		{"zero tasks", []string{"submit", "-n", "0", "true"}, 1, "task count must be an integer >= 1"},
		{"zero cores", []string{"submit", "-c", "0", "true"}, 1, "cores per task must be an integer >= 1"},
		{"zero gpus", []string{"submit", "-g", "0", "true"}, 1, "gpus per task must be an integer >= 1"},
		{"batch non-int slots", []string{"batch", "-n", "x", noSlots}, 2, "argument -n/--nslots: invalid int value: 'x'"},
		{"per-task with per-resource", []string{"submit", "-n2", "--cores=4", "true"}, 1, "Per-resource options can't be used with per-task options."},
		{"exclusive without nodes", []string{"submit", "-x", "true"}, 1, "exclusive can only be set with a node count"},
		{"gpus-per-node without nodes", []string{"submit", "--gpus-per-node=1", "true"}, 1, "--gpus-per-node requires --nodes"},
		{"more nodes than tasks", []string{"submit", "-N2", "-n1", "true"}, 1, "node count must not be greater than task count"},
		{"batch without slots", []string{"batch", noSlots}, 1, "Number of slots to allocate must be specified"},
		{"cc on batch", []string{"batch", "-n1", "--cc=0-3", noSlots}, 2, "unrecognized arguments: --cc=0-3"},
		{"cc and bcc", []string{"submit", "--cc=0-1", "--bcc=0-1", "true"}, 1, "specify only one of --cc or --bcc"},
		{"cc step", []string{"submit", "--cc=0-9:2", "true"}, 1, "invalid idset"},
		{"cc throttle", []string{"submit", "--cc=0-9%2", "true"}, 1, "invalid idset"},
		{"cc reversed", []string{"submit", "--cc=5-1", "true"}, 1, "invalid idset"},
		{"cc open range", []string{"submit", "--cc=1-", "true"}, 1, "invalid idset"},
		{"cc unknown field", []string{"submit", "--cc=0-1", "--output=o.{x}", "true"}, 1, "Replacement key 'x' not found"},
		{"cc lone brace", []string{"submit", "--cc=0-1", "--job-name=a}", "true"}, 1, "Single '}'"},
		{"dependency scheme", []string{"submit", "--dependency=before:12", "true"}, 1, `[Errno 22] dependency: unknown scheme "before"`},
		{"dependency bad id", []string{"submit", "--dependency=after:bar", "true"}, 1, `[Errno 22] dependency: after: "bar" is not a valid jobid`},
		{"dependency two ids", []string{"submit", "--dependency=afterok:12,13", "true"}, 1, `is not a valid jobid`},
		{"dependency unknown id", []string{"submit", "--dependency=afterok:123456", "true"}, 1, "[Errno 22] dependency: afterok: id 123456: job not found"},
		{"dependency unknown id, cc", []string{"submit", "--cc=2-3", "--dependency=afterok:123456", "true"}, 1, "cc=2: [Errno 22] dependency: afterok: id 123456: job not found"},
		{"dependency unknown id, batch", []string{"batch", "-n1", "--dependency=afterany:123456", noSlots}, 1, "flux-batch: ERROR: dependency: afterany: id 123456: job not found"},
		{"dependency no scheme", []string{"submit", "--dependency=:12", "true"}, 1, `Invalid dependency URI ":12"`},
		{"orphan directive", []string{"batch", orphan}, 1, "line 4: orphan 'flux:' detected: directives disabled after line 2"},
		{"sentinel changed", []string{"batch", sentinel}, 1, "sentinel changed from '# flux:' to '#FLUX:'"},
		{"bad option in directive", []string{"batch", badDirective}, 2, "argument parsing failed at " + badDirective + " line 2"},
		{"missing script", []string{"batch", "-n1", in.dir + "/nope.sh"}, 1, "No such file or directory"},
		{"bank before 0.65", []string{"submit", "--bank=x", "true"}, 0, ""},
		{"jobs bad id", []string{"jobs", "--json", "bar"}, 2, "invalid JobID value: 'bar'"},
		{"jobs bad option", []string{"jobs", "--nosuch"}, 2, "unrecognized arguments"},
		{"cancel bad id", []string{"cancel", "bar"}, 2, "invalid JobID value: 'bar'"},
		{"cancel unknown", []string{"cancel", "123456"}, 1, "flux-cancel: ERROR: fdhZ: unknown job id"},
		{"cancel all", []string{"cancel", "--all"}, 1, "not emulated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := in.flux("", tt.args...)
			if code != tt.exit || !strings.Contains(errs, tt.text) {
				t.Errorf("flux %q: exit %d, stderr %q; want exit %d and %q", tt.args, code, errs, tt.exit, tt.text)
			}
		})
	}
}

// TestBankNeeds065 checks that --bank exists only from flux-core 0.65.
func TestBankNeeds065(t *testing.T) {
	old := newInstance(t, "REFLOW_DOUBLE_FLUX_VERSION=0.60.0")
	_, errs, code := old.flux("", "submit", "--bank=x", "true")
	if code != 2 || !strings.Contains(errs, "unrecognized arguments: --bank=x") {
		t.Errorf("0.60 with --bank: exit %d %q; want an argparse error", code, errs)
	}
	if _, errs, code := old.flux("", "submit", "--setattr=bank=x", "true"); code != 0 {
		t.Errorf("0.60 with --setattr=bank: exit %d %q", code, errs)
	}
	if out, _, _ := old.flux("", "version"); !strings.HasPrefix(out, "commands:    \t\t0.60.0\n") {
		t.Errorf("flux version printed %q", out)
	}
}

var idLine = regexp.MustCompile(`^[fƒ][1-9A-HJ-NP-Za-km-z]{1,12}$`)

// TestAccepted checks good command lines: one id line per job in F58,
// with the ASCII prefix under FLUX_F58_FORCE_ASCII and ƒ in a UTF-8
// locale.
func TestAccepted(t *testing.T) {
	in := newInstance(t)
	script := in.write("ok.sh", "#!/bin/bash\n# flux: -n 2\n# flux: -c 1   # a comment\n#   a plain comment inside the block\n# flux: --job-name='with space'\n\necho ok\n")
	for _, args := range [][]string{
		{"submit", "-t", "30s", "true"},
		{"submit", "-t", "1.5h", "-n2", "-c2", "-N2", "-q", "pdebug", "--urgency=hold", "true"},
		{"submit", "-t", "90", "--job-name", "x", "-xN1", "true"},
		{"submit", "-t", "inf", "--cores=2", "true"},
		{"submit", "--time-limit=100ms", "--setattr=user.a=1", "-o", "cpu-affinity=off", "--requires=host:a", "true"},
		{"submit", "--cc=[1,5,7-9]", "--output=" + in.dir + "/o.{cc}", "--job-name=x-{cc}", "true"},
		{"batch", script},
		{"batch", "-N1", script},
		{"submit", "--", "-weird-command"},
	} {
		out, errs, code := in.flux("", args...)
		if code != 0 {
			t.Errorf("flux %q: exit %d: %s", args, code, errs)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		want := 1
		if strings.HasPrefix(args[1], "--cc") {
			want = 5
		}
		if len(lines) != want {
			t.Errorf("flux %q printed %d lines, want %d: %q", args, len(lines), want, out)
		}
		for _, l := range lines {
			if !idLine.MatchString(l) || !strings.HasPrefix(l, "f") {
				t.Errorf("flux %q printed %q, not an ASCII F58 id", args, l)
			}
		}
	}
	utf := newInstance(t, "FLUX_F58_FORCE_ASCII=", "LC_ALL=C.UTF-8")
	if out, _, _ := utf.flux("", "submit", "true"); !strings.HasPrefix(out, "ƒ") || !idLine.MatchString(strings.TrimSpace(out)) {
		t.Errorf("in a UTF-8 locale flux submit printed %q, want ƒ...", out)
	}
}
