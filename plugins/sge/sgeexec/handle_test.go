package sgeexec

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestHandleRoundTrip(t *testing.T) {
	st := handleState{Size: 4, Offset: 2, Submitted: 1795671000, Hold: true, TimeLimit: 60, MemLimit: 1 << 30,
		Deps: []depState{{Kind: pluginapi.Elementwise, ID: 7, Up: handleState{V: 1, Size: 4, Offset: 2, Submitted: 1795670000}}}}
	h := encodeHandle(12, st)
	if h.ID != "12" {
		t.Errorf("ID %q", h.ID)
	}
	id, got, ours := decodeHandle(pluginapi.Handle{ID: h.ID, State: append([]byte(nil), h.State...)})
	st.V = stateVersion
	if id != 12 || !ours {
		t.Fatalf("decode: id %d ours %v", id, ours)
	}
	if d := cmp.Diff(st, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{3, 4, 5, 6}, got.tasks()); d != "" {
		t.Errorf("tasks (-want +got):\n%s", d)
	}
	if !got.hasTask(3) || got.hasTask(2) || got.hasTask(7) {
		t.Error("hasTask")
	}
}

func TestDecodeForeignHandles(t *testing.T) {
	cases := []struct {
		h    pluginapi.Handle
		id   int
		ours bool
	}{
		{pluginapi.Handle{ID: "77"}, 77, false},
		{pluginapi.Handle{ID: "77", State: []byte("\x00garbage")}, 77, false},
		{pluginapi.Handle{ID: "77", State: []byte(`{"v":2}`)}, 77, false},
		{pluginapi.Handle{ID: "77", State: []byte(`{"v":1,"n":-1}`)}, 77, false},
		{pluginapi.Handle{ID: "executortest-ab12", State: []byte(`{"v":1}`)}, 0, false},
		{pluginapi.Handle{ID: "-3"}, 0, false},
		{pluginapi.Handle{ID: "77", State: []byte(`{"v":1,"s":5}`)}, 77, true},
	}
	for _, tc := range cases {
		id, _, ours := decodeHandle(tc.h)
		if id != tc.id || ours != tc.ours {
			t.Errorf("decodeHandle(%q, %q) = %d, %v; want %d, %v", tc.h.ID, tc.h.State, id, ours, tc.id, tc.ours)
		}
	}
}
