package store

import (
	"context"
	"testing"
)

// Figures on the 2-core dev VM are in docs/store.md.

func BenchmarkPutInstances100k(b *testing.B) {
	ctx := context.Background()
	c := newClock()
	s := openTest(b, Options{Now: c.Now})
	ins := manyInstances("", 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id := "r" + itoa(i)
		mustCreateRun(b, s, c, id)
		for j := range ins {
			ins[j].RunID = id
		}
		b.StartTimer()
		update(b, s, func(tx *Tx) error { return tx.PutInstances(ctx, ins) })
	}
}

func BenchmarkUpdateInstances100k(b *testing.B) {
	ctx := context.Background()
	c := newClock()
	s := openTest(b, Options{Now: c.Now})
	mustCreateRun(b, s, c, "r")
	ins := manyInstances("r", 100_000)
	update(b, s, func(tx *Tx) error { return tx.PutInstances(ctx, ins) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ins {
			ins[j].Attempt = i + 1
			ins[j].State = InstanceSubmitted
			ins[j].Handle.ID = "900"
		}
		update(b, s, func(tx *Tx) error { return tx.UpdateInstances(ctx, ins) })
	}
}

func BenchmarkListInstances100k(b *testing.B) {
	ctx := context.Background()
	c := newClock()
	s := openTest(b, Options{Now: c.Now})
	mustCreateRun(b, s, c, "r")
	update(b, s, func(tx *Tx) error { return tx.PutInstances(ctx, manyInstances("r", 100_000)) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.View(ctx, func(tx *Tx) error {
			ins, err := tx.ListInstances(ctx, "r", InstanceFilter{})
			if len(ins) != 100_000 {
				b.Fatalf("listed %d", len(ins))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheLookupMany100k(b *testing.B) {
	ctx := context.Background()
	c := newClock()
	s := openTest(b, Options{Now: c.Now})
	ins := manyInstances("r", 100_000)
	ids := make([]string, len(ins))
	entries := make([]CacheEntry, len(ins))
	for i, in := range ins {
		ids[i] = in.Identity
		entries[i] = CacheEntry{Identity: in.Identity, RunID: "r", Task: "upper", Index: i,
			Outputs: []Output{{Path: "/r/upper/x", Size: 1, MTime: c.Now(), Digest: "sha256:00"}}}
	}
	update(b, s, func(tx *Tx) error { return tx.CachePut(ctx, entries...) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.View(ctx, func(tx *Tx) error {
			got, err := tx.CacheLookupMany(ctx, ids)
			if len(got) != len(ids) {
				b.Fatalf("found %d", len(got))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
