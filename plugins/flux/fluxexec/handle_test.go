package fluxexec

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestHandleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := uint64(529086284178653184)
	ids := make([]uint64, 256)
	for i := range ids {
		// Ids of one bulk submission, in no particular order.
		ids[i] = base + uint64(r.IntN(1<<34))
	}
	now := time.Unix(1700000000, 0)
	tests := []tracked{
		{ids: []uint64{42}, submitted: now, stderr: "/x/err"},
		{ids: ids, array: true, offset: 7, submitted: now, stderr: "/run/.reflow/logs/t.{index}.a1.job.err"},
		{ids: []uint64{1 << 63, 3}, array: true, submitted: now},
	}
	for _, tt := range tests {
		h := newHandle(tt)
		got, err := parseHandle(pluginapi.Handle{ID: h.ID, State: append([]byte(nil), h.State...)})
		if err != nil {
			t.Fatalf("parseHandle(%s): %v", h.ID, err)
		}
		if diff := cmp.Diff(tt, got, cmp.AllowUnexported(tracked{})); diff != "" {
			t.Errorf("handle round trip (-want +got):\n%s", diff)
		}
	}
	big := newHandle(tests[1])
	if len(big.State) > 3000 {
		t.Errorf("the handle of a 256-element array holds %d bytes of state; want it compact (a few KiB at most)", len(big.State))
	}
	if !strings.HasSuffix(big.ID, "[7-262]") {
		t.Errorf("array handle ID %q does not show its index range", big.ID)
	}
}

func TestParseHandleBare(t *testing.T) {
	tests := []struct {
		h    pluginapi.Handle
		want uint64
		err  bool
	}{
		{pluginapi.Handle{ID: "123456"}, 123456, false},
		{pluginapi.Handle{ID: "f2X5ZfEk9"}, mustID(t, "ƒ2X5ZfEk9"), false},
		{pluginapi.Handle{ID: "0x1f"}, 31, false},
		{pluginapi.Handle{ID: "executortest-abc", State: []byte("\x00garbage")}, 0, true},
		{pluginapi.Handle{ID: "12[0-3]", State: []byte(`{"v":1,"ids":"12,+z","n":3}`)}, 0, true}, // 2 ids for 3 elements
		{pluginapi.Handle{ID: "x", State: []byte(`{"v":1,"ids":"12,+!"}`)}, 0, true},
	}
	for _, tt := range tests {
		got, err := parseHandle(tt.h)
		if tt.err {
			if err == nil {
				t.Errorf("parseHandle(%q) accepted it: %+v", tt.h.ID, got)
			}
			continue
		}
		if err != nil || len(got.ids) != 1 || got.ids[0] != tt.want || !got.submitted.IsZero() {
			t.Errorf("parseHandle(%q) = %+v, %v; want bare id %d", tt.h.ID, got, err, tt.want)
		}
	}
}

func mustID(t *testing.T, s string) uint64 {
	t.Helper()
	id, err := parseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestJobIDs(t *testing.T) {
	// Values computed by hand from RFC 19's base-58 alphabet.
	tests := []struct {
		in   string
		want uint64
	}{
		{"ƒ1", 0}, {"f1", 0}, {"f2", 1}, {"fz", 57}, {"f21", 58}, {"f211", 58 * 58},
		{"0", 0}, {"18446744073709551615", 1<<64 - 1}, {"0xff", 255},
	}
	for _, tt := range tests {
		got, err := parseID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "f", "ƒ", "f0", "fO", "fl", "fI", "x12", "-1", "f" + strings.Repeat("z", 12), "18446744073709551616"} {
		if got, err := parseID(bad); err == nil {
			t.Errorf("parseID(%q) = %d, want an error", bad, got)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		id := r.Uint64()
		if got, err := parseID(f58(id)); err != nil || got != id {
			t.Fatalf("parseID(f58(%d) = %q) = %d, %v", id, f58(id), got, err)
		}
	}
}
