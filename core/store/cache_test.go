package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mtime := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	entry := func(id string) CacheEntry {
		return CacheEntry{Identity: id, RunID: "r1", Task: "upper", Index: 2,
			Outputs: []Output{{Path: "/w/r1/upper/2/up.txt", Size: 12, MTime: mtime, Digest: "sha256:aa"}},
			Result:  json.RawMessage(`{"n":1}`)}
	}
	update(t, s, func(tx *Tx) error { return tx.CachePut(ctx, entry("old"), entry("used")) })
	c.Advance(48 * time.Hour)
	update(t, s, func(tx *Tx) error {
		if err := tx.CacheTouch(ctx, "used", "unknown"); err != nil {
			return err
		}
		return tx.CachePut(ctx, entry("new"))
	})

	t.Run("lookup", func(t *testing.T) {
		err := s.View(ctx, func(tx *Tx) error {
			got, found, err := tx.CacheLookup(ctx, "used")
			if err != nil || !found {
				t.Fatalf("CacheLookup = %v, %v", found, err)
			}
			want := entry("used")
			want.Created, want.LastUsed = c.Now().Add(-48*time.Hour), c.Now()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CacheLookup (-want +got):\n%s", diff)
			}
			if _, found, err := tx.CacheLookup(ctx, "missing"); found || err != nil {
				t.Errorf("CacheLookup(missing) = %v, %v", found, err)
			}
			many, err := tx.CacheLookupMany(ctx, []string{"old", "missing", "new"})
			if err != nil {
				return err
			}
			if len(many) != 2 || many["old"].Identity != "old" || many["new"].Identity != "new" {
				t.Errorf("CacheLookupMany = %v", many)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("gc", func(t *testing.T) {
		var removed []CacheEntry
		update(t, s, func(tx *Tx) (err error) {
			removed, err = tx.CacheGC(ctx, c.Now().Add(-24*time.Hour))
			return
		})
		if len(removed) != 1 || removed[0].Identity != "old" || removed[0].Outputs[0].Path != "/w/r1/upper/2/up.txt" {
			t.Errorf("CacheGC removed %+v, want the entry 'old'", removed)
		}
		var left map[string]CacheEntry
		s.View(ctx, func(tx *Tx) (err error) {
			left, err = tx.CacheLookupMany(ctx, []string{"old", "used", "new"})
			return
		})
		if _, ok := left["old"]; ok || len(left) != 2 {
			t.Errorf("after GC: %v", left)
		}
	})
	t.Run("delete", func(t *testing.T) {
		update(t, s, func(tx *Tx) error { return tx.CacheDelete(ctx, "new", "nope") })
		s.View(ctx, func(tx *Tx) error {
			if _, found, _ := tx.CacheLookup(ctx, "new"); found {
				t.Error("deleted entry still found")
			}
			return nil
		})
	})
	t.Run("lookup many in chunks", func(t *testing.T) {
		var entries []CacheEntry
		var ids []string
		for i := 0; i < lookupChunk+10; i++ {
			id := "id" + itoa(i)
			ids = append(ids, id)
			if i%2 == 0 {
				entries = append(entries, CacheEntry{Identity: id, RunID: "r", Task: "t", Index: i})
			}
		}
		update(t, s, func(tx *Tx) error { return tx.CachePut(ctx, entries...) })
		var got map[string]CacheEntry
		s.View(ctx, func(tx *Tx) (err error) { got, err = tx.CacheLookupMany(ctx, ids); return })
		if len(got) != len(entries) {
			t.Errorf("found %d of %d", len(got), len(entries))
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, e := range []CacheEntry{{Identity: "x"}, {Identity: "x", RunID: "r", Task: "t", Result: []byte("{")}} {
			if err := s.Update(ctx, func(tx *Tx) error { return tx.CachePut(ctx, e) }); err == nil {
				t.Errorf("CachePut(%+v) succeeded", e)
			}
		}
	})
}
