package parallel

import (
	"runtime"
	"sync"
	"testing"
)

// TestBlocksCoverEachIndexOnce checks that the blocks cover [0, n) exactly
// once, below and above the threshold, and that large ranges really are
// split when there is more than one core.
func TestBlocksCoverEachIndexOnce(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, threshold int
	}{
		{"empty", 0, 10},
		{"one", 1, 10},
		{"below threshold", 9, 10},
		{"at threshold", 10, 10},
		{"uneven", 1001, 2},
		{"large", 100000, 2048},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := make([]int, tc.n)
			var mu sync.Mutex
			calls := 0
			Blocks(tc.n, tc.threshold, func(lo, hi int) {
				mu.Lock()
				calls++
				mu.Unlock()
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("index %d covered %d times", i, c)
				}
			}
			want := 1
			if tc.n == 0 {
				want = 0
			} else if tc.n >= tc.threshold && runtime.GOMAXPROCS(0) > 1 {
				w := runtime.GOMAXPROCS(0)
				block := (tc.n + w - 1) / w
				want = (tc.n + block - 1) / block
			}
			if calls != want {
				t.Errorf("fn called %d times, want %d", calls, want)
			}
		})
	}
}
