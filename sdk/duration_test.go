package sdk

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const day = 24 * time.Hour

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90s", 90 * time.Second},
		{"10m", 10 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"2h", 2 * time.Hour},
		{"1d", day},
		{"1d12h", 36 * time.Hour},
		{"1.5h", 90 * time.Minute},
		{"2H", 2 * time.Hour},
		{" 10m ", 10 * time.Minute},
		{"1h30m15s", time.Hour + 30*time.Minute + 15*time.Second},
		{"00:05:00", 5 * time.Minute},
		{"05:00", 5 * time.Minute},
		{"0:10", 10 * time.Second},
		{"90:00", 90 * time.Minute},
		{"48:00:00", 48 * time.Hour},
		{"1-00:00:00", day},
		{"1-12", 36 * time.Hour},
		{"1-12:30", 36*time.Hour + 30*time.Minute},
		{"2-03:04:05", 2*day + 3*time.Hour + 4*time.Minute + 5*time.Second},
		{"0-1", time.Hour},
		{"30", 30 * time.Minute},
		{"1.5", 90 * time.Second},
		{"0.0000000000001s", 1}, // rounds up to a nanosecond
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDuration(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantSub string
	}{
		{"", "empty"},
		{"-5m", "negative"},
		{"-1-00:00:00", "negative"},
		{"0", "greater than zero"},
		{"0s", "greater than zero"},
		{"00:00:00", "greater than zero"},
		{"0-0", "greater than zero"},
		{"abc", "expected a number"},
		{"10x", `unknown unit "x"`},
		{"10ms", `unknown unit "ms"`},
		{"1h30", "has no unit"},
		{"1.2.3h", "not a number"},
		{"1:2:3:4", "too many fields"},
		{"1-1:2:3:4", "too many fields"},
		{"00:60:00", "below 60"},
		{"00:00:60", "below 60"},
		{"1-24", "below 24"},
		{"1-", "not a whole number"},
		{"a:b", "not a whole number"},
		{"1.5:00", "not a whole number"},
		{"1h-5m", "not a whole number"},
		{"99999999999999999999:00", "too large"},
		{"300y", "unknown unit"},
		{"1000000d", "too long"},
		{"inf", "expected a number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("ParseDuration(%q) error %q does not contain %q", tt.in, err, tt.wantSub)
			}
		})
	}
	// The message says what is accepted.
	_, err := ParseDuration("soon")
	if err == nil || !strings.Contains(err.Error(), `"HH:MM:SS"`) || !strings.Contains(err.Error(), "minutes") {
		t.Errorf("error %v does not list the accepted forms", err)
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		name               string
		d                  time.Duration
		clock, slurm, flux string
		minutes, seconds   int64
	}{
		{"zero", 0, "00:00:00", "00:00:00", "0s", 0, 0},
		{"1ns", 1, "00:00:01", "00:01:00", "1s", 1, 1},
		{"90s", 90 * time.Second, "00:01:30", "00:02:00", "90s", 2, 90},
		{"10m", 10 * time.Minute, "00:10:00", "00:10:00", "10m", 10, 600},
		{"1h30m", 90 * time.Minute, "01:30:00", "01:30:00", "90m", 90, 5400},
		{"2h", 2 * time.Hour, "02:00:00", "02:00:00", "2h", 120, 7200},
		{"1d", day, "24:00:00", "1-00:00:00", "1d", 1440, 86400},
		{"36h", 36 * time.Hour, "36:00:00", "1-12:00:00", "36h", 2160, 129600},
		{"2d", 2 * day, "48:00:00", "2-00:00:00", "2d", 2880, 172800},
		{"23h59m1s", 23*time.Hour + 59*time.Minute + time.Second, "23:59:01", "1-00:00:00", "86341s", 1440, 86341},
		{"100h", 100 * time.Hour, "100:00:00", "4-04:00:00", "100h", 6000, 360000},
		{"1.5s", 1500 * time.Millisecond, "00:00:02", "00:01:00", "2s", 1, 2},
		{"negative", -time.Second, "00:00:00", "00:00:00", "0s", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type out struct {
				Clock, Slurm, Flux string
				Minutes, Seconds   int64
			}
			want := out{tt.clock, tt.slurm, tt.flux, tt.minutes, tt.seconds}
			got := out{FormatClock(tt.d), FormatSlurmTime(tt.d), FormatFluxDuration(tt.d), Minutes(tt.d), Seconds(tt.d)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.d <= 0 {
				return
			}
			// Every rendering reads back as at least d.
			for _, s := range []string{got.Clock, got.Slurm, got.Flux} {
				back, err := ParseDuration(s)
				if err != nil {
					t.Errorf("ParseDuration(%q): %v", s, err)
				} else if back < tt.d {
					t.Errorf("%q reads back as %v < %v", s, back, tt.d)
				}
			}
		})
	}
}
