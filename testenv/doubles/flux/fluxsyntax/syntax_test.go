package fluxsyntax

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTimeLimit(t *testing.T) {
	good := map[string]float64{"30s": 30, "5m": 300, "2h": 7200, "1.5h": 5400, "2d": 172800, "90": 5400, ".5m": 30, "100ms": 0.1, "0s": 0}
	for in, want := range good {
		got, err := ParseTimeLimit(in)
		if err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("ParseTimeLimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"inf", "infinity"} {
		if got, err := ParseTimeLimit(in); err != nil || !math.IsInf(got, 1) {
			t.Errorf("ParseTimeLimit(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"00:30", "4-00:30:00", "1h30m", "10x", "-5", "", "5 m", "1e3", "m"} {
		if _, err := ParseTimeLimit(in); err == nil || err.Error() != ErrFSD {
			t.Errorf("ParseTimeLimit(%q) = %v; want %q", in, err, ErrFSD)
		}
	}
}

func TestParseIDSet(t *testing.T) {
	good := map[string][]int{"0": {0}, "0-3": {0, 1, 2, 3}, "1,5,7-9": {1, 5, 7, 8, 9}, "[2-4]": {2, 3, 4}, "3,1,2-3": {1, 2, 3}}
	for in, want := range good {
		got, err := ParseIDSet(in)
		if err != nil {
			t.Errorf("ParseIDSet(%q): %v", in, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ParseIDSet(%q) (-want +got):\n%s", in, diff)
		}
	}
	for _, in := range []string{"", "[]", "a", "1-", "-1", "5-1", "0-9:2", "0-9%2", "1,,2", "1;2", " 1"} {
		if got, err := ParseIDSet(in); err == nil {
			t.Errorf("ParseIDSet(%q) = %v; want an error", in, got)
		}
	}
}

func TestJobIDEncodings(t *testing.T) {
	const id = 529086284178653184
	f := EncodeF58(id, true)
	for _, in := range []string{"529086284178653184", "0x757b12c18000000", EncodeDotHex(id), "job." + EncodeDotHex(id), f, "ƒ" + f[1:]} {
		got, err := ParseJobID(in)
		if err != nil || got != id {
			t.Errorf("ParseJobID(%q) = %d, %v; want %d", in, got, err, uint64(id))
		}
	}
	if EncodeF58(0, false) != "ƒ1" || EncodeF58(57, true) != "fz" || EncodeF58(58, true) != "f21" {
		t.Errorf("F58 of 0, 57, 58: %s %s %s", EncodeF58(0, false), EncodeF58(57, true), EncodeF58(58, true))
	}
	for _, in := range []string{"", "f", "f0", "fl", "bar", "0xzz", "0000.0001", "job.1", "-3", "academy-hello-alpha--tuna-maximum-adam"} {
		if got, err := ParseJobID(in); err == nil {
			t.Errorf("ParseJobID(%q) = %d; want an error", in, got)
		}
	}
}

func TestFormatCC(t *testing.T) {
	good := map[string]string{
		"out.{cc}.log": "out.7.log", "plain": "plain", "{{id}}-{cc}": "{{id}}-7", "a{{cc}}b": "a{{cc}}b", "{cc}{cc}": "77",
	}
	for in, want := range good {
		if got, err := FormatCC(in, 7); err != nil || got != want {
			t.Errorf("FormatCC(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"{x}": "Replacement key 'x' not found", "{}": "Invalid replacement index", "{0}": "Invalid replacement index",
		"a}": "Single '}'", "a{": "Single '{'", "${HOME}": "Replacement key 'HOME' not found"} {
		if _, err := FormatCC(in, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FormatCC(%q) = %v; want %q", in, err, want)
		}
	}
}

func TestParseDirectives(t *testing.T) {
	got, err := ParseDirectives("#!/bin/bash\n# flux: -n 2 -c 'a b' # comment\n#\n# flux: --job-name=\"x y\"\n\necho hi\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Directive{{Line: 2, Args: []string{"-n", "2", "-c", "a b"}}, {Line: 4, Args: []string{"--job-name=x y"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseDirectives (-want +got):\n%s", diff)
	}
	for in, text := range map[string]string{
		"# flux: -n1\necho\n# flux: -t 1m\n": "orphan 'flux:' detected",
		"# flux: -n1\n#FLUX: -t 1m\n":        "sentinel changed",
		"# flux: hello\n":                    "Unknown directive",
		"# flux: -n 'open\n":                 "No closing quotation",
		"# flux: --wrap \"\"\"\n":            "triple-quoted",
	} {
		if _, err := ParseDirectives(in); err == nil || !strings.Contains(err.Error(), text) {
			t.Errorf("ParseDirectives(%q) = %v; want %q", in, err, text)
		}
	}
	if got, err := ParseDirectives("#!/bin/sh\necho no directives\n"); err != nil || len(got) != 0 {
		t.Errorf("a script without directives: %v %v", got, err)
	}
}

func TestBuildEnvironment(t *testing.T) {
	sub := map[string]string{"HOME": "/home/a", "PLUGIN_X": "1", "PATH": "/bin"}
	got, err := BuildEnvironment([]string{"-PLUGIN_*", "A=$HOME/x", "B=${A}:y"}, sub)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"HOME": "/home/a", "PATH": "/bin", "A": "/home/a/x", "B": "/home/a/x:y"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildEnvironment (-want +got):\n%s", diff)
	}
	if _, err := BuildEnvironment([]string{"A=$NOPE"}, sub); err == nil || !strings.Contains(err.Error(), "Variable 'NOPE' not found") {
		t.Errorf("an undefined variable: %v", err)
	}
}
