package main

import (
	"testing"
	"time"
)

func TestParseTaskRef(t *testing.T) {
	tests := []struct {
		in    string
		task  string
		index int
		ok    bool
	}{
		{"split", "split", -1, true},
		{"upper[2]", "upper", 2, true},
		{"upper[0]", "upper", 0, true},
		{" upper[10] ", "upper", 10, true},
		{"qc_fast-2[7]", "qc_fast-2", 7, true},
		{"upper[]", "", 0, false},
		{"upper[-1]", "", 0, false},
		{"upper[x]", "", 0, false},
		{"upper[2", "", 0, false},
		{"upper2]", "", 0, false},
		{"[2]", "", 0, false},
		{"2upper", "", 0, false},
		{"upper[1][2]", "", 0, false},
		{"upper.2", "", 0, false},
		{"upper[99999999999999999999]", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		task, index, err := parseTaskRef(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseTaskRef(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (task != tt.task || index != tt.index) {
			t.Errorf("parseTaskRef(%q) = %q, %d; want %q, %d", tt.in, task, index, tt.task, tt.index)
		}
	}
}

func TestParseAge(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * day, true},
		{"0d", 0, true},
		{"1.5d", 36 * time.Hour, true},
		{"1d12h", day + 12*time.Hour, true},
		{"2d30m", 2*day + 30*time.Minute, true},
		{"720h", 720 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0", 0, true},
		{"0s", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"30", 0, false},
		{"30days", 0, false},
		{"-1d", 0, false},
		{"-5h", 0, false},
		{"1d-2h", 0, false},
		{"NaNd", 0, false},
		{"Infd", 0, false},
		{"1e9d", 0, false},
		{"1w", 0, false},
	}
	for _, tt := range tests {
		got, err := parseAge(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseAge(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && got != tt.want {
			t.Errorf("parseAge(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{850 * time.Millisecond, "850ms"},
		{12 * time.Second, "12s"},
		{3*time.Minute + 5*time.Second, "3m05s"},
		{2*time.Hour + 7*time.Minute, "2h07m"},
		{76 * time.Hour, "3d04h"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.in); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
