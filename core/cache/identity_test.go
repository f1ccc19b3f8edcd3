package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is a fixed instance whose identity is pinned below.
func base() Parts {
	return Parts{
		Task:     "upper",
		Index:    3,
		Command:  "tr a-z A-Z < /runs/r1/split/chunk_03 > up.txt",
		Env:      map[string]string{"LC_ALL": "C", "THREADS": "4"},
		Version:  "2",
		Outputs:  []string{"up.txt", "log/*"},
		Inputs:   map[string]string{"/data/ref.fa": "sha256:aa", "/data/genes.gtf": "sha256:bb"},
		Upstream: []Upstream{{Task: "split", Index: -1, Identity: "11"}, {Task: "index", Index: 3, Identity: "22"}},
	}
}

// goldenIdentity pins the encoding: if this changes, every user's cache is
// invalidated. Change identityVersion along with it, deliberately.
const goldenIdentity = "e8298938b76e3d4a8a7c82251106156a99e52aa9ff5775b205b89e1b8066d634"

func TestIdentityGolden(t *testing.T) {
	t.Parallel()
	if got := base().Identity(); got != goldenIdentity {
		t.Errorf("identity of the fixed parts is %s, want %s", got, goldenIdentity)
	}
}

func TestIdentityChangesWithEveryPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Parts)
	}{
		{"task", func(p *Parts) { p.Task = "lower" }},
		{"index", func(p *Parts) { p.Index = 4 }},
		{"singleton", func(p *Parts) { p.Index = -1 }},
		{"command", func(p *Parts) { p.Command += " " }},
		{"env value", func(p *Parts) { p.Env = map[string]string{"LC_ALL": "C", "THREADS": "8"} }},
		{"env added", func(p *Parts) { p.Env = map[string]string{"LC_ALL": "C", "THREADS": "4", "X": ""} }},
		{"env key and value boundary", func(p *Parts) { p.Env = map[string]string{"LC_ALLC": "", "THREADS": "4"} }},
		{"version", func(p *Parts) { p.Version = "3" }},
		{"version unset", func(p *Parts) { p.Version = "" }},
		{"output added", func(p *Parts) { p.Outputs = []string{"up.txt", "log/*", "extra"} }},
		{"output renamed", func(p *Parts) { p.Outputs = []string{"up.csv", "log/*"} }},
		{"input content", func(p *Parts) {
			p.Inputs = map[string]string{"/data/ref.fa": "sha256:ab", "/data/genes.gtf": "sha256:bb"}
		}},
		{"input moved", func(p *Parts) {
			p.Inputs = map[string]string{"/data/ref2.fa": "sha256:aa", "/data/genes.gtf": "sha256:bb"}
		}},
		{"input removed", func(p *Parts) { p.Inputs = map[string]string{"/data/genes.gtf": "sha256:bb"} }},
		{"upstream identity", func(p *Parts) { p.Upstream = []Upstream{{"split", -1, "11"}, {"index", 3, "23"}} }},
		{"upstream element", func(p *Parts) { p.Upstream = []Upstream{{"split", -1, "11"}, {"index", 2, "22"}} }},
		{"upstream order", func(p *Parts) { p.Upstream = []Upstream{{"index", 3, "22"}, {"split", -1, "11"}} }},
		{"upstream removed", func(p *Parts) { p.Upstream = p.Upstream[:1] }},
	}
	seen := map[string]string{base().Identity(): "base"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(&p)
			id := p.Identity()
			if other, dup := seen[id]; dup {
				t.Errorf("identity %s equals that of %q", id, other)
			}
			seen[id] = tc.name
		})
	}
}

func TestIdentityIgnoresOrderWithoutMeaning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Parts)
	}{
		{"outputs reordered", func(p *Parts) { p.Outputs = []string{"log/*", "up.txt"} }},
		{"output repeated", func(p *Parts) { p.Outputs = []string{"up.txt", "log/*", "up.txt"} }},
		{"maps rebuilt", func(p *Parts) {
			p.Env = map[string]string{"THREADS": "4", "LC_ALL": "C"}
			p.Inputs = map[string]string{"/data/genes.gtf": "sha256:bb", "/data/ref.fa": "sha256:aa"}
		}},
	}
	want := base().Identity()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(&p)
			if got := p.Identity(); got != want {
				t.Errorf("identity %s, want the base's %s", got, want)
			}
		})
	}
}

func TestIdentityEmptyMapsEqualNil(t *testing.T) {
	t.Parallel()
	a := Parts{Task: "t", Index: -1, Command: "true"}
	b := Parts{Task: "t", Index: -1, Command: "true", Env: map[string]string{}, Inputs: map[string]string{}, Outputs: []string{}}
	if a.Identity() != b.Identity() {
		t.Error("empty and nil collections give different identities")
	}
}

// chain returns the identities of two element-wise arrays: a[i] and b[i],
// where b[i] consumes a[i] only.
func chain(n int, aCommand func(i int) string) (a, b []string) {
	a, b = make([]string, n), make([]string, n)
	for i := range n {
		a[i] = Parts{Task: "a", Index: i, Command: aCommand(i), Outputs: []string{"out"}}.Identity()
		b[i] = Parts{Task: "b", Index: i, Command: "wc -c < ../../a/" + strconv.Itoa(i) + "/out",
			Upstream: []Upstream{{Task: "a", Index: i, Identity: a[i]}}}.Identity()
	}
	return a, b
}

func TestChainElementDependsOnItsUpstreamElementOnly(t *testing.T) {
	t.Parallel()
	cmdA := func(i int) string { return "seq " + strconv.Itoa(i) + " > out" }
	_, before := chain(8, cmdA)
	_, after := chain(8, func(i int) string {
		if i == 5 {
			return "seq 500 > out"
		}
		return cmdA(i)
	})
	var changed []int
	for i := range before {
		if before[i] != after[i] {
			changed = append(changed, i)
		}
	}
	if diff := cmp.Diff([]int{5}, changed); diff != "" {
		t.Errorf("changed elements of b (-want +got):\n%s", diff)
	}
}

func TestCombine(t *testing.T) {
	t.Parallel()
	ids := []string{"a", "b", "c"}
	tests := []struct {
		name string
		ids  []string
	}{
		{"element changed", []string{"a", "x", "c"}},
		{"reordered", []string{"b", "a", "c"}},
		{"element added", []string{"a", "b", "c", "d"}},
		{"boundary moved", []string{"ab", "", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if Combine(tc.ids) == Combine(ids) {
				t.Errorf("Combine(%q) equals Combine(%q)", tc.ids, ids)
			}
		})
	}
	if Combine(ids) != Combine([]string{"a", "b", "c"}) {
		t.Error("Combine is not deterministic")
	}
}

// TestIdentityEncoding spells out the encoding of a minimal instance byte
// by byte, so the golden value above is not just "whatever the code did".
func TestIdentityEncoding(t *testing.T) {
	t.Parallel()
	enc := []byte("reflow-identity/1")
	enc = append(enc, tagInstance, 1, 't', 1 /* zigzag varint of -1 */)
	enc = append(enc, tagCommand, 4, 't', 'r', 'u', 'e')
	enc = append(enc, tagVersion, 0)
	sum := sha256.Sum256(enc)
	want := hex.EncodeToString(sum[:])
	if got := (Parts{Task: "t", Index: -1, Command: "true"}).Identity(); got != want {
		t.Errorf("identity %s, want sha256 of the documented encoding %s", got, want)
	}
}
