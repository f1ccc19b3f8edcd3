package store

import (
	"context"
	"errors"
	"testing"
)

func TestUpdateRollsBack(t *testing.T) {
	c := newClock()
	s := openTest(t, Options{Now: c.Now})
	ctx := context.Background()
	boom := errors.New("boom")
	tests := []struct {
		name string
		end  func() error
	}{
		{"error", func() error { return boom }},
		{"panic", func() error { panic(boom) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil && r != boom {
						t.Fatalf("recovered %v", r)
					}
				}()
				err = s.Update(ctx, func(tx *Tx) error {
					if err := tx.CreateRun(ctx, testRun("r-"+tt.name, c)); err != nil {
						return err
					}
					return tt.end()
				})
			}()
			if tt.name == "error" && !errors.Is(err, boom) {
				t.Errorf("Update = %v, want the function's error", err)
			}
			// Nothing was kept, and the write connection is free again.
			err = s.View(ctx, func(tx *Tx) error { _, err := tx.GetRun(ctx, "r-"+tt.name); return err })
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("run after rollback: %v", err)
			}
			mustCreateRun(t, s, c, "after-"+tt.name)
		})
	}
}
