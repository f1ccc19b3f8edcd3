package sdk

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpandRanges(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"0-3,5,7-9:2", []int{0, 1, 2, 3, 5, 7, 9}},
		{"0", []int{0}},
		{"0-15:4", []int{0, 4, 8, 12}},
		{"2-10:4", []int{2, 6, 10}},
		{"0,6,16-18", []int{0, 6, 16, 17, 18}},
		{" 1 - 3 , 5 ", []int{1, 2, 3, 5}},
		{"5-5", []int{5}},
		{"5-5:3", []int{5}},
		{"3,1,2,2", []int{1, 2, 3}},
		{"0-4,2-6", []int{0, 1, 2, 3, 4, 5, 6}},
		{"1-2:10", []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ExpandRanges(tt.in)
			if err != nil {
				t.Fatalf("ExpandRanges(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ExpandRanges(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestExpandRangesErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantSub string
	}{
		{"", "empty index range"},
		{"  ", "empty index range"},
		{"3-1", "reversed"},
		{"-1", "negative"},
		{"-1-3", "negative"},
		{"1--3", "not a whole number"},
		{"0-9:0", "zero step"},
		{"5:2", "step but no range"},
		{"1,,2", "empty item"},
		{"1,", "empty item"},
		{"a-b", "not a whole number"},
		{"1-", "missing a number"},
		{"1-3:", "missing a number"},
		{"1.5", "not a whole number"},
		{"0-9%2", "not a whole number"},
		{"[1-3]", "not a whole number"},
		{"99999999999999999999", "too large"},
		{"0-2000000000", "more than"},
		{"1-3:x", "not a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ExpandRanges(tt.in)
			if err == nil {
				t.Fatalf("ExpandRanges(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("ExpandRanges(%q) error %q does not contain %q", tt.in, err, tt.wantSub)
			}
		})
	}
}

func TestCompressRanges(t *testing.T) {
	tests := []struct {
		name string
		in   []int
		want string
	}{
		{"empty", nil, ""},
		{"single", []int{7}, "7"},
		{"pair consecutive", []int{3, 4}, "3-4"},
		{"pair gap", []int{3, 5}, "3,5"},
		{"run", []int{0, 1, 2, 3}, "0-3"},
		{"unsorted with duplicates", []int{9, 0, 1, 2, 3, 5, 7, 3}, "0-3,5-9:2"},
		{"step run", []int{0, 4, 8, 12}, "0-12:4"},
		{"three with step", []int{1, 3, 5}, "1-5:2"},
		{"mixed", []int{0, 1, 2, 3, 5, 7, 8, 9}, "0-3,5,7-9"},
		{"boundary shared better", []int{8, 9, 10, 12, 14, 16}, "8-9,10-16:2"},
		{"pairs of two beat a step of two", []int{8, 9, 10, 12, 14}, "8-10,12,14"},
		{"scattered", []int{1, 10, 100}, "1,10,100"},
		{"tie keeps longest first run", []int{1, 2, 3, 5, 7, 9}, "1-3,5-9:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			got := CompressRanges(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CompressRanges(%v) (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(in, tt.in); diff != "" {
				t.Errorf("CompressRanges modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

// TestCompressExpandProperty checks, over many random sets, that compressing
// and expanding gives back the sorted unique set, and that the compressed form
// is as short as the best ordered, non-overlapping form found by brute force.
func TestCompressExpandProperty(t *testing.T) {
	rng := rand.New(rand.NewSource(20240601))
	for iter := range 3000 {
		n := 1 + rng.Intn(12)
		max := 1 + rng.Intn(40)
		if iter%10 == 0 {
			max = 1 + rng.Intn(5000)
		}
		in := make([]int, n)
		for i := range in {
			in[i] = rng.Intn(max)
		}
		want := slices.Clone(in)
		slices.Sort(want)
		want = slices.Compact(want)

		s := CompressRanges(in)
		got, err := ExpandRanges(s)
		if err != nil {
			t.Fatalf("ExpandRanges(CompressRanges(%v) = %q): %v", in, s, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round trip of %v via %q (-want +got):\n%s", in, s, diff)
		}
		if len(want) <= 10 {
			if b := bruteShortest(want); len(s) > len(b) {
				t.Fatalf("CompressRanges(%v) = %q, but %q is shorter", want, s, b)
			}
		}
	}
}

// bruteShortest tries every way to cut sorted v into contiguous arithmetic
// pieces and returns the shortest rendering.
func bruteShortest(v []int) string {
	if len(v) == 0 {
		return ""
	}
	best := ""
	for j := range v {
		piece := v[:j+1]
		if !arithmetic(piece) {
			break
		}
		var item string
		switch {
		case len(piece) == 1:
			item = fmt.Sprint(piece[0])
		case piece[1]-piece[0] == 1 || len(piece) >= 3:
			item = fmt.Sprintf("%d-%d:%d", piece[0], piece[len(piece)-1], piece[1]-piece[0])
			item = strings.TrimSuffix(item, ":1")
		default:
			item = fmt.Sprintf("%d,%d", piece[0], piece[1])
		}
		if rest := v[j+1:]; len(rest) > 0 {
			item += "," + bruteShortest(rest)
		}
		if best == "" || len(item) < len(best) {
			best = item
		}
	}
	return best
}

func arithmetic(v []int) bool {
	for i := 2; i < len(v); i++ {
		if v[i]-v[i-1] != v[1]-v[0] {
			return false
		}
	}
	return true
}

func TestSplitThrottle(t *testing.T) {
	type out struct {
		Ranges   string
		Throttle int
	}
	tests := []struct {
		in   string
		want out
	}{
		{"5-9%2", out{"5-9", 2}},
		{"0-15:4", out{"0-15:4", 0}},
		{" 2,5 % 1 ", out{"2,5", 1}},
		{"1-1000%50", out{"1-1000", 50}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, n, err := SplitThrottle(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out{r, n}); diff != "" {
				t.Errorf("SplitThrottle(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	for _, bad := range []string{"1-3%", "1-3%0", "1-3%-1", "1-3%x", "1-3%2%3", "1-3%99999999999999999999"} {
		t.Run(bad, func(t *testing.T) {
			if r, n, err := SplitThrottle(bad); err == nil {
				t.Errorf("SplitThrottle(%q) = %q, %d, want an error", bad, r, n)
			} else if !strings.Contains(err.Error(), "positive whole number") {
				t.Errorf("error %q does not say what is accepted", err)
			}
		})
	}
}
