// Package bench holds reflow's benchmarks. Each benchmark runs its subject
// beside a baseline in the same run, so the figures can be read side by
// side: a call over the real go-plugin gRPC path beside the same call
// in-process, a plugin launch beside a bare exec of the same binary.
//
//	go test -run '^$' -bench . -benchmem ./bench/
package bench
