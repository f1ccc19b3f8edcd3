package parallel

import (
	"runtime"
	"sync"
)

// Blocks calls fn over contiguous blocks that together cover [0, n), one
// goroutine per core, and returns when every call has. Below threshold
// items (or on one core) it calls fn(0, n) on the caller's goroutine:
// starting goroutines costs more than a short loop. fn must only write what
// its own block owns.
func Blocks(n, threshold int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < threshold || n < 2 || workers < 2 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	block := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += block {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+block, n))
	}
	wg.Wait()
}
