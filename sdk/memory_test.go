package sdk

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMemory(t *testing.T) {
	const (
		K = 1 << 10
		M = 1 << 20
		G = 1 << 30
		T = 1 << 40
	)
	tests := []struct {
		in   string
		want Memory
	}{
		{"512M", 512 * M},
		{"1G", G},
		{"1.5GB", G + G/2},
		{"2048", 2048 * M},
		{"100K", 100 * K},
		{"2T", 2 * T},
		{"512MB", 512 * M},
		{"1GiB", G},
		{"1gb", G},
		{"1g", G},
		{"512mib", 512 * M},
		{"1P", 1 << 50},
		{"4096B", 4096},
		{"4096b", 4096},
		{" 1G ", G},
		{"1 G", G},
		{".5G", G / 2},
		{"0.5", M / 2},
		{"1.1K", 1127}, // 1126.4 rounds up
		{"0.0001K", 1}, // never less than asked
		{"1.5B", 2},
		{"8589934591G", 8589934591 * G}, // just below 2^63
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMemory(tt.in)
			if err != nil {
				t.Fatalf("ParseMemory(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMemory(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMemoryErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantSub string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"-1G", "negative"},
		{"0", "greater than zero"},
		{"0G", "greater than zero"},
		{"abc", "invalid memory"},
		{"G", "invalid memory"},
		{"1.2.3G", "invalid memory"},
		{"1X", `unknown unit "X"`},
		{"1GBB", "unknown unit"},
		{"1BB", "unknown unit"},
		{"1e3M", "unknown unit"},
		{"+1G", "invalid memory"},
		{"1/2G", "unknown unit"},
		{"8589934592G", "too large"},
		{"99999999999999999999999", "too large"},
		{".", "invalid memory"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMemory(tt.in)
			if err == nil {
				t.Fatalf("ParseMemory(%q) = %d, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("ParseMemory(%q) error %q does not contain %q", tt.in, err, tt.wantSub)
			}
			if tt.in != "" && strings.TrimSpace(tt.in) != "" && !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
				t.Errorf("error %q does not quote the input", err)
			}
			if !strings.Contains(err.Error(), "want") && !strings.Contains(err.Error(), "at most") && !strings.Contains(err.Error(), "greater") {
				t.Errorf("error %q does not say what is accepted", err)
			}
		})
	}
}

func TestMemoryRounding(t *testing.T) {
	tests := []struct {
		name   string
		m      Memory
		wantKB int64
		wantMB int64
	}{
		{"zero", 0, 0, 0},
		{"one byte", 1, 1, 1},
		{"exact KB", 1024, 1, 1},
		{"KB plus one", 1025, 2, 1},
		{"exact MB", 1 << 20, 1024, 1},
		{"MB plus one", 1<<20 + 1, 1025, 2},
		{"1.5G", 3 << 29, 1536 * 1024, 1536},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []int64{tt.m.Kilobytes(), tt.m.Megabytes()}
			if diff := cmp.Diff([]int64{tt.wantKB, tt.wantMB}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatMemory(t *testing.T) {
	tests := []struct {
		in                   string
		slurm, pbs, sge, str string
	}{
		{"1G", "1024M", "1gb", "1G", "1G"},
		{"512M", "512M", "512mb", "512M", "512M"},
		{"1.5G", "1536M", "1536mb", "1536M", "1536M"},
		{"100K", "1M", "100kb", "100K", "100K"},
		{"2T", "2097152M", "2tb", "2T", "2T"},
		{"1P", "1073741824M", "1024tb", "1024T", "1024T"},
		{"1025K", "2M", "1025kb", "1025K", "1025K"},
		{"1.1K", "1M", "2kb", "2K", "1127B"},
		{"1B", "1M", "1kb", "1K", "1B"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := ParseMemory(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{FormatMemory(m, SlurmMemory), FormatMemory(m, PBSMemory), FormatMemory(m, SGEMemory), m.String()}
			want := []string{tt.slurm, tt.pbs, tt.sge, tt.str}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("slurm, pbs, sge, String (-want +got):\n%s", diff)
			}
			// Every rendering reads back as at least the original amount.
			for _, s := range got {
				back, err := ParseMemory(s)
				if err != nil {
					t.Errorf("ParseMemory(%q): %v", s, err)
				} else if back < m {
					t.Errorf("%q reads back as %d < %d", s, back, m)
				}
			}
			if back, _ := ParseMemory(m.String()); back != m {
				t.Errorf("String %q does not round-trip: %d != %d", m.String(), back, m)
			}
		})
	}
}

func TestMemoryUnit(t *testing.T) {
	tests := []struct {
		in   string
		want MemoryUnit
	}{
		{"KB", Kilobyte}, {"kb", Kilobyte}, {"K", Kilobyte}, {"MB", Megabyte},
		{"GiB", Gigabyte}, {"TB", Terabyte}, {"PB", Petabyte}, {"B", Byte},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMemoryUnit(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"", " ", "X", "KBB", "1K"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if u, err := ParseMemoryUnit(bad); err == nil {
				t.Errorf("ParseMemoryUnit(%q) = %v, want error", bad, u)
			}
		})
	}
	m := Memory(3<<20 + 1)
	if diff := cmp.Diff([]int64{3073, 4, 1}, []int64{m.In(Kilobyte), m.In(Megabyte), m.In(Gigabyte)}); diff != "" {
		t.Errorf("In (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("MB", Megabyte.String()); diff != "" {
		t.Error(diff)
	}
}
