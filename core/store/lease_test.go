package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLease(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	mustCreateRun(t, s, c, "r1")
	const ttl = 30 * time.Second
	a, b := "login1:100:aaaa", "node7:200:bbbb"

	if err := s.AcquireLease(ctx, "r1", a, "foreground", ttl); err != nil {
		t.Fatalf("first acquire: %v", err)
	}
	c.Advance(3 * time.Second)

	t.Run("second holder refused", func(t *testing.T) {
		err := s.AcquireLease(ctx, "r1", b, "detached", ttl)
		var held *LeaseHeldError
		if !errors.As(err, &held) {
			t.Fatalf("err = %v, want *LeaseHeldError", err)
		}
		if held.Holder != a || held.Age != 3*time.Second || held.Mode != "foreground" {
			t.Errorf("LeaseHeldError = %+v", held)
		}
		for _, w := range []string{"run r1 is already being dispatched by " + a, "heartbeat 3s ago", "reflow resume"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q does not say %q", err, w)
			}
		}
	})
	t.Run("holder renews", func(t *testing.T) {
		if err := s.Heartbeat(ctx, "r1", a, ttl); err != nil {
			t.Fatal(err)
		}
		if err := s.AcquireLease(ctx, "r1", a, "foreground", ttl); err != nil {
			t.Fatalf("re-acquire by the holder: %v", err)
		}
		// Just before expiry the lease is still live.
		c.Advance(ttl - time.Millisecond)
		var held *LeaseHeldError
		if err := s.AcquireLease(ctx, "r1", b, "detached", ttl); !errors.As(err, &held) {
			t.Errorf("acquire before expiry = %v", err)
		}
	})
	t.Run("stale lease taken over", func(t *testing.T) {
		c.Advance(time.Millisecond)
		if err := s.AcquireLease(ctx, "r1", b, "detached", ttl); err != nil {
			t.Fatalf("takeover: %v", err)
		}
		var l Lease
		s.View(ctx, func(tx *Tx) (err error) { l, _, err = tx.Lease(ctx, "r1"); return })
		if l.Holder != b || l.Mode != "detached" || !l.Expires.Equal(c.Now().Add(ttl)) {
			t.Errorf("lease = %+v", l)
		}
	})
	t.Run("old holder's heartbeat fails", func(t *testing.T) {
		err := s.Heartbeat(ctx, "r1", a, ttl)
		var lost *LeaseLostError
		if !errors.As(err, &lost) || !errors.Is(err, ErrLeaseLost) || lost.NewHolder != b {
			t.Fatalf("err = %v, want a LeaseLostError naming %s", err, b)
		}
		// A round of the old dispatcher cannot commit either.
		err = s.Update(ctx, func(tx *Tx) error {
			if err := tx.CheckLease(ctx, "r1", a); err != nil {
				return err
			}
			return tx.UpdateRunState(ctx, "r1", RunFailed, "old dispatcher")
		})
		if !errors.Is(err, ErrLeaseLost) {
			t.Errorf("old round = %v", err)
		}
		if err := s.View(ctx, func(tx *Tx) error { return tx.CheckLease(ctx, "r1", b) }); err != nil {
			t.Errorf("CheckLease by the new holder: %v", err)
		}
		if err := s.ReleaseLease(ctx, "r1", a); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("release by the old holder = %v", err)
		}
	})
	t.Run("expired but not taken over renews", func(t *testing.T) {
		c.Advance(2 * ttl)
		if err := s.Heartbeat(ctx, "r1", b, ttl); err != nil {
			t.Errorf("heartbeat after expiry: %v", err)
		}
	})
	t.Run("release", func(t *testing.T) {
		if err := s.ReleaseLease(ctx, "r1", b); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseLease(ctx, "r1", b); err != nil {
			t.Errorf("second release: %v", err)
		}
		if err := s.Heartbeat(ctx, "r1", b, ttl); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("heartbeat after release = %v", err)
		}
		if err := s.AcquireLease(ctx, "r1", a, "foreground", ttl); err != nil {
			t.Errorf("acquire after release: %v", err)
		}
	})
	t.Run("bad calls", func(t *testing.T) {
		if err := s.AcquireLease(ctx, "nope", a, "", ttl); !errors.Is(err, ErrNotFound) {
			t.Errorf("lease on a missing run = %v", err)
		}
		if err := s.AcquireLease(ctx, "r1", a, "", 0); err == nil {
			t.Error("zero ttl accepted")
		}
	})
	if id := NewHolderID(); strings.Count(id, ":") != 2 {
		t.Errorf("NewHolderID = %q, want host:pid:random", id)
	}
}
