package store

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestCacheTouchGranularity: a use within TouchGranularity of the last one
// writes nothing; a later one moves last use to now. Many identities at
// once (more than one chunk) are all touched.
func TestCacheTouchGranularity(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	ids := make([]string, lookupChunk+10)
	var entries []CacheEntry
	for i := range ids {
		ids[i] = fmt.Sprintf("id%06d", i)
		entries = append(entries, CacheEntry{Identity: ids[i], RunID: "r1", Task: "t", Index: i})
	}
	update(t, s, func(tx *Tx) error { return tx.CachePut(ctx, entries...) })
	created := c.Now()
	lastUsed := func() map[int64]int {
		out := map[int64]int{}
		s.View(ctx, func(tx *Tx) error {
			got, err := tx.CacheLookupMany(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				out[e.LastUsed.UnixNano()]++
			}
			return nil
		})
		return out
	}

	c.Advance(TouchGranularity / 2)
	update(t, s, func(tx *Tx) error { return tx.CacheTouch(ctx, ids...) })
	if diff := cmp.Diff(map[int64]int{created.UnixNano(): len(ids)}, lastUsed()); diff != "" {
		t.Errorf("after a touch within the granularity (-want +got):\n%s", diff)
	}

	c.Advance(TouchGranularity)
	update(t, s, func(tx *Tx) error { return tx.CacheTouch(ctx, ids...) })
	if diff := cmp.Diff(map[int64]int{c.Now().UnixNano(): len(ids)}, lastUsed()); diff != "" {
		t.Errorf("after a touch past the granularity (-want +got):\n%s", diff)
	}
}

// TestCacheLookupManyBothWays: a query far larger than the cache (which
// reads the cache's identities whole) and one that is not (which probes
// per identity) find exactly the entries that are there.
func TestCacheLookupManyBothWays(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		cached, every, absent int
		scan                  bool
	}{
		{"probe: a few of a large cache", 4000, 40, 20, false},
		{"scan: most of the cache", 600, 2, 100, true},
		{"scan: far more than the cache", 100, 2, 9000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			s := openTest(t, Options{Now: c.Now})
			ctx := context.Background()
			var entries []CacheEntry
			var query []string
			for i := 0; i < tc.cached; i++ {
				id := fmt.Sprintf("hit%05d", i)
				e := CacheEntry{Identity: id, RunID: "r1", Task: "t", Index: i}
				if i%3 == 0 {
					e.Outputs = []Output{{Path: fmt.Sprintf("/o/%d", i), Size: int64(i), Digest: "sha256:x", MTime: time.Unix(0, int64(i)*1000)}}
					e.Result = json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))
				}
				entries = append(entries, e)
				if i%tc.every == 0 {
					query = append(query, id)
				}
			}
			for i := 0; i < tc.absent; i++ {
				query = append(query, fmt.Sprintf("miss%05d", i))
			}
			update(t, s, func(tx *Tx) error { return tx.CachePut(ctx, entries...) })
			var got map[string]CacheEntry
			want := map[string]CacheEntry{}
			s.View(ctx, func(tx *Tx) (err error) {
				if scan, err := tx.CacheScanCheaper(ctx, len(query)); err != nil || scan != tc.scan {
					t.Fatalf("CacheScanCheaper(%d) with %d entries = %v, %v; want %v", len(query), tc.cached, scan, err, tc.scan)
				}
				for i := 0; i < tc.cached; i += tc.every {
					id := fmt.Sprintf("hit%05d", i)
					e, found, err := tx.CacheLookup(ctx, id)
					if err != nil || !found {
						t.Fatalf("CacheLookup %s: %v %v", id, found, err)
					}
					want[id] = e
				}
				got, err = tx.CacheLookupMany(ctx, query)
				return err
			})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CacheLookupMany differs from CacheLookup one by one (-want +got):\n%s", diff)
			}
		})
	}
}
