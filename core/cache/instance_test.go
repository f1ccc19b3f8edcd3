package cache

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/hclconfig"
)

func TestFromInstance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.fa")
	write(t, ref, "ACGT")
	upstream := func(r hclconfig.Ref) (string, error) { return "id-of-" + r.Job, nil }
	inst := func(edit func(*hclconfig.Instance)) *hclconfig.Instance {
		i := &hclconfig.Instance{
			Job: "align", Index: 2, Known: true,
			Command:   "bwa mem ref.fa in.fq > out.sam",
			Env:       map[string]string{"T": "1"},
			Resources: &hclconfig.Resources{Values: map[string]any{"cpus": float64(4), "mem": "8G"}},
			Outputs:   []string{"out.sam"},
			Inputs:    []string{ref},
			Consumes:  []hclconfig.Ref{{Job: "split", Index: 2}},
		}
		if edit != nil {
			edit(i)
		}
		return i
	}

	dc := NewDigestCache()
	got, err := FromInstance(inst(nil), "1", dc, upstream)
	if err != nil {
		t.Fatal(err)
	}
	want := Parts{
		Task: "align", Index: 2, Command: "bwa mem ref.fa in.fq > out.sam", Env: map[string]string{"T": "1"},
		Version: "1", Outputs: []string{"out.sam"}, Inputs: map[string]string{ref: sum("ACGT")},
		Upstream: []Upstream{{Task: "split", Index: 2, Identity: "id-of-split"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}

	tests := []struct {
		name      string
		edit      func(*hclconfig.Instance)
		wantSame  bool
		wantError bool
	}{
		{name: "more memory and time", wantSame: true, edit: func(i *hclconfig.Instance) {
			i.Resources = &hclconfig.Resources{Values: map[string]any{"cpus": float64(16), "mem": "64G", "time": "2h"},
				Options: map[string]any{"exclusive": ""}}
		}},
		{name: "after-only dependency", wantSame: true, edit: func(i *hclconfig.Instance) { i.After = []string{"setup"} }},
		{name: "command", edit: func(i *hclconfig.Instance) { i.Command += " -t 4" }},
		{name: "consumes another element", edit: func(i *hclconfig.Instance) { i.Consumes[0].Index = 3 }},
		{name: "not known", wantError: true, edit: func(i *hclconfig.Instance) { i.Known = false }},
		{name: "missing input", wantError: true, edit: func(i *hclconfig.Instance) { i.Inputs = []string{ref + ".gone"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromInstance(inst(tc.edit), "1", dc, upstream)
			if (err != nil) != tc.wantError {
				t.Fatalf("error %v, want error %v", err, tc.wantError)
			}
			if tc.wantError {
				return
			}
			if same := p.Identity() == got.Identity(); same != tc.wantSame {
				t.Errorf("identity unchanged: %v, want %v", same, tc.wantSame)
			}
		})
	}

	t.Run("upstream lookup failure", func(t *testing.T) {
		_, err := FromInstance(inst(nil), "1", dc, func(hclconfig.Ref) (string, error) { return "", errors.New("not finished") })
		if err == nil || err.Error() != "align[2]: upstream split[2]: not finished" {
			t.Errorf("error %v", err)
		}
	})
}
