package main

import (
	"path/filepath"
	"testing"
)

// TestValidateExamples runs `reflow validate` over every example, as the
// README promises: all of them must be valid.
func TestValidateExamples(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.hcl")
	flows, _ := filepath.Glob("../../examples/flows/*.hcl")
	files = append(files, flows...)
	if len(files) < 6 {
		t.Fatalf("found %d example files", len(files))
	}
	if code := run(append([]string{"validate"}, files...)); code != exitOK {
		t.Fatalf("reflow validate examples: exit %d", code)
	}
}

// TestReservedParamsAreTheRunFlags checks that every built-in flag of apply
// is reserved, so no param can hide behind one.
func TestReservedParamsAreTheRunFlags(t *testing.T) {
	got := map[string]bool{}
	for _, n := range reservedParams() {
		got[n] = true
	}
	for _, want := range []string{"executor", "var", "var-file", "help", "detach", "force", "store", "config"} {
		if !got[want] {
			t.Errorf("%s is not reserved", want)
		}
	}
}
