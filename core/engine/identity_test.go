package engine

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// TestIdentifyMatchesSerial: identities computed on every core for a round
// large enough to be spread are exactly those computed one by one, in
// order, with each error at its own instance; every element reads the
// gathered identity of its upstream job (one memo filled under a lock) and
// one upstream element of its own. Run with -race to check the sharing.
func TestIdentifyMatchesSerial(t *testing.T) {
	const n = 3 * parallelIdentities
	newDispatcher := func() (*dispatcher, []readyInst) {
		up := &job{hc: &hclconfig.Job{Name: "up", Kind: hclconfig.StaticArray}, size: 3}
		for i := 0; i < 3; i++ {
			up.insts = append(up.insts, &inst{Instance: store.Instance{Task: "up", Index: i, State: store.InstanceSucceeded, Identity: fmt.Sprintf("id-up-%d", i)}})
		}
		up.insts[2].Identity = "" // elements reading it cannot be identified
		down := &job{hc: &hclconfig.Job{Name: "down", Kind: hclconfig.StaticArray, Version: "v1"}, size: n}
		var ready []readyInst
		for i := 0; i < n; i++ {
			in := &inst{Instance: store.Instance{Task: "down", Index: i, State: store.InstancePending},
				hc: &hclconfig.Instance{Job: "down", Index: i, Known: true, Command: fmt.Sprintf("echo %d", i),
					Consumes: []hclconfig.Ref{{Job: "up", Index: -1}, {Job: "up", Index: i % 3}}}}
			down.insts = append(down.insts, in)
			ready = append(ready, readyInst{j: down, in: in})
		}
		m := &model{jobs: map[string]*job{"up": up, "down": down}, order: []*job{up, down}}
		return &dispatcher{m: m, digests: cache.NewDigestCache()}, ready
	}

	d, ready := newDispatcher()
	got := d.identify(ready)

	ds, readyS := newDispatcher()
	for i, r := range readyS {
		p, err := ds.parts(r.j, r.in)
		var want identified
		if err != nil {
			want.err = err
		} else {
			want.p, want.id = p, p.Identity()
		}
		if (got[i].err == nil) != (want.err == nil) || (want.err != nil && got[i].err.Error() != want.err.Error()) {
			t.Fatalf("element %d: error %v, want %v", i, got[i].err, want.err)
		}
		if diff := cmp.Diff(want.p, got[i].p); diff != "" || got[i].id != want.id {
			t.Fatalf("element %d: identity %s, want %s (-want +got parts):\n%s", i, got[i].id, want.id, diff)
		}
	}
	if got[0].id == got[3].id || got[0].id == "" {
		t.Errorf("elements 0 and 3 share identity %q: the command must enter it", got[0].id)
	}
	if got[2].err == nil {
		t.Errorf("element 2 reads an upstream element without identity, want an error")
	}
	if d.m.jobs["up"].identity == "" {
		t.Errorf("the gathered identity of up was not memoised")
	}
}
