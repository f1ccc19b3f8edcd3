package cache

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		old  Parts
		edit func(*Parts)
		want []string
	}{
		{name: "nothing recorded", old: Parts{}, want: []string{"new"}},
		{name: "same", old: base(), want: nil},
		{name: "outputs reordered only", old: base(), edit: func(p *Parts) { p.Outputs = []string{"log/*", "up.txt"} }, want: nil},
		{name: "command", old: base(), edit: func(p *Parts) { p.Command = "true" }, want: []string{"command changed"}},
		{
			name: "env", old: base(),
			edit: func(p *Parts) { p.Env = map[string]string{"THREADS": "8", "NEW": "1"} },
			want: []string{"env changed: LC_ALL, NEW, THREADS"},
		},
		{name: "version", old: base(), edit: func(p *Parts) { p.Version = "" }, want: []string{"version changed"}},
		{name: "outputs", old: base(), edit: func(p *Parts) { p.Outputs = []string{"up.txt"} }, want: []string{"outputs changed"}},
		{
			name: "inputs", old: base(),
			edit: func(p *Parts) {
				p.Inputs = map[string]string{"/data/ref.fa": "sha256:new", "/data/extra.bed": "sha256:cc"}
			},
			want: []string{"input /data/extra.bed added", "input /data/genes.gtf removed", "input /data/ref.fa changed"},
		},
		{
			name: "upstream element", old: base(),
			edit: func(p *Parts) { p.Upstream = []Upstream{{"split", -1, "11"}, {"index", 3, "99"}} },
			want: []string{"upstream index[3] changed"},
		},
		{
			name: "upstream swapped for another", old: base(),
			edit: func(p *Parts) { p.Upstream = []Upstream{{"split", -1, "11"}, {"index", 4, "22"}} },
			want: []string{"upstream index[3] removed", "upstream index[4] added"},
		},
		{
			name: "upstream order", old: base(),
			edit: func(p *Parts) { p.Upstream = []Upstream{{"index", 3, "22"}, {"split", -1, "11"}} },
			want: []string{"upstream order changed"},
		},
		{
			name: "several at once, in list order", old: base(),
			edit: func(p *Parts) {
				p.Command, p.Version = "x", "9"
				p.Upstream = []Upstream{{"split", -1, "12"}, {"index", 3, "22"}}
			},
			want: []string{"command changed", "version changed", "upstream split changed"},
		},
		{name: "another instance", old: base(), edit: func(p *Parts) { p.Index = 0 }, want: []string{"instance changed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := base()
			if tc.edit != nil {
				tc.edit(&cur)
			}
			got := Diff(tc.old, cur)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
			// Diff and Identity must agree on whether anything changed.
			if same := tc.old.Identity() == cur.Identity(); same != (len(got) == 0) {
				t.Errorf("identities equal: %v, but Diff says %q", same, got)
			}
		})
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	want := []Part{
		{"instance", "upper[3]"},
		{"command", "tr a-z A-Z < /runs/r1/split/chunk_03 > up.txt"},
		{"env LC_ALL", "C"},
		{"env THREADS", "4"},
		{"version", "2"},
		{"output", "log/*"},
		{"output", "up.txt"},
		{"input /data/genes.gtf", "sha256:bb"},
		{"input /data/ref.fa", "sha256:aa"},
		{"upstream split", "11"},
		{"upstream index[3]", "22"},
	}
	if diff := cmp.Diff(want, base().List()); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}
