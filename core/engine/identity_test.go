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
	ids, parts, errs := d.identify(ready, true)
	dk, readyK := newDispatcher()
	idsBare, partsBare, _ := dk.identify(readyK, false)
	if partsBare != nil {
		t.Errorf("identify without keepParts kept %d parts", len(partsBare))
	}
	if diff := cmp.Diff(ids, idsBare); diff != "" {
		t.Errorf("identities differ with and without keepParts (-with +without):\n%s", diff)
	}

	ds, readyS := newDispatcher()
	for i, r := range readyS {
		p, err := ds.parts(r.j, r.in)
		var wantID string
		if err == nil {
			wantID = p.Identity()
		} else {
			p = cache.Parts{}
		}
		if (errs[i] == nil) != (err == nil) || (err != nil && errs[i].Error() != err.Error()) {
			t.Fatalf("element %d: error %v, want %v", i, errs[i], err)
		}
		if diff := cmp.Diff(p, parts[i]); diff != "" || ids[i] != wantID {
			t.Fatalf("element %d: identity %s, want %s (-want +got parts):\n%s", i, ids[i], wantID, diff)
		}
	}
	if ids[0] == ids[3] || ids[0] == "" {
		t.Errorf("elements 0 and 3 share identity %q: the command must enter it", ids[0])
	}
	if errs[2] == nil {
		t.Errorf("element 2 reads an upstream element without identity, want an error")
	}
	if d.m.jobs["up"].identity == "" {
		t.Errorf("the gathered identity of up was not memoised")
	}
}
