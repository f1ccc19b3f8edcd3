package sdk

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// pluginKeys is a plugin's accepted keys: the portable ones but gpus, plus a
// plugin-specific key.
var pluginKeys = append(PortableKeysExcept(KeyGPUs), pluginapi.ResourceKey{
	Name: "licenses", Aliases: []string{"license"}, Description: "Licenses the job needs.",
})

func TestParseResources(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want Resources
	}{
		{"empty", nil, Resources{}},
		{
			"portable names",
			map[string]string{
				"cpus": "2", "mem": "1G", "time": "10m", "nodes": "1", "tasks": "4",
				"partition": "debug", "account": "proj1", "qos": "high", "constraint": "avx512",
				"array_parallelism": "50",
			},
			Resources{CPUs: 2, Memory: 1 << 30, Time: 10 * time.Minute, Nodes: 1, Tasks: 4,
				Partition: "debug", Account: "proj1", QOS: "high", Constraint: "avx512", ArrayParallelism: 50},
		},
		{
			"aliases",
			map[string]string{
				"ncpus": "8", "memory": "512M", "walltime": "01:00:00", "queue": "long",
				"project": "abc", "features": "gpu&ib", "throttle": "0", "nnodes": "2", "ntasks": "16",
			},
			Resources{CPUs: 8, Memory: 512 << 20, Time: time.Hour, Partition: "long",
				Account: "abc", Constraint: "gpu&ib", Nodes: 2, Tasks: 16},
		},
		{
			"case and spaces",
			map[string]string{"CPUs": " 3 ", "Queue": " batch "},
			Resources{CPUs: 3, Partition: "batch"},
		},
		{
			"plugin key",
			map[string]string{"license": "matlab:1", "cpus": "1"},
			Resources{CPUs: 1, Extra: map[string]string{"licenses": "matlab:1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := ParseResources(tt.in, pluginKeys)
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseResourcesDiagnostics(t *testing.T) {
	type diag struct {
		Attribute string
		Summary   string
		// DetailHas are substrings the detail must contain.
		DetailHas []string
	}
	tests := []struct {
		name string
		in   map[string]string
		want []diag
	}{
		{
			"unknown key with suggestion",
			map[string]string{"mme": "1G"},
			[]diag{{"resources.mme", `unknown resource key "mme"`,
				[]string{`Did you mean "mem"?`, "This executor accepts: cpus (or cpu, ncpus, cores, cpus_per_task), mem (or memory)", "licenses (or license)"}}},
		},
		{
			"transposition",
			map[string]string{"tiem": "1h"},
			[]diag{{"resources.tiem", `unknown resource key "tiem"`, []string{`Did you mean "time"?`}}},
		},
		{
			"unknown key without suggestion",
			map[string]string{"colour": "blue"},
			[]diag{{"resources.colour", `unknown resource key "colour"`, []string{"This executor accepts:"}}},
		},
		{
			"portable key the plugin does not accept",
			map[string]string{"gpus": "1"},
			[]diag{{"resources.gpus", `unknown resource key "gpus"`, []string{"This executor accepts:"}}},
		},
		{
			"alias and canonical",
			map[string]string{"partition": "a", "queue": "b"},
			[]diag{{"resources.queue", `resource "partition" is given twice, as "partition" and "queue"`,
				[]string{"keep only one"}}},
		},
		{
			"bad values",
			map[string]string{"cpus": "two", "mem": "lots", "time": "-1h", "nodes": "0", "tasks": "1.5",
				"partition": " ", "array_parallelism": "-1", "qos": "99999999999999999999"},
			[]diag{
				{"resources.array_parallelism", `invalid array_parallelism "-1"`, []string{"0 or more"}},
				{"resources.cpus", `invalid cpus "two"`, []string{"positive whole number"}},
				{"resources.mem", `invalid mem "lots"`, []string{"bare number means megabytes"}},
				{"resources.nodes", `invalid nodes "0"`, []string{"positive whole number"}},
				{"resources.partition", `empty partition`, []string{"leave the key out"}},
				{"resources.tasks", `invalid tasks "1.5"`, []string{"positive whole number"}},
				{"resources.time", `invalid time "-1h"`, []string{"not be negative", "HH:MM:SS"}},
			},
		},
		{
			"too large",
			map[string]string{"cpus": "99999999999999999999"},
			[]diag{{"resources.cpus", `invalid cpus "99999999999999999999": too large`, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := ParseResources(tt.in, pluginKeys)
			var got []diag
			for _, d := range diags {
				if d.Severity != pluginapi.Error {
					t.Errorf("severity %v, want error", d.Severity)
				}
				g := diag{Attribute: d.Attribute, Summary: d.Summary}
				for _, want := range tt.want {
					if want.Attribute == d.Attribute {
						for _, sub := range want.DetailHas {
							if strings.Contains(d.Detail, sub) {
								g.DetailHas = append(g.DetailHas, sub)
							}
						}
					}
				}
				got = append(got, g)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\ndiagnostics: %v", diff, diags)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	type out struct {
		Canonical string
		OK        bool
	}
	tests := []struct {
		key  string
		want out
	}{
		{"cpus", out{"cpus", true}},
		{"ncpus", out{"cpus", true}},
		{"cpus_per_task", out{"cpus", true}},
		{"Memory", out{"mem", true}},
		{"q", out{"partition", true}},
		{"allocation", out{"account", true}},
		{"parallelism", out{"array_parallelism", true}},
		{"time_limit", out{"time", true}},
		{"license", out{"licenses", true}},
		{"gpus", out{"", false}},
		{"nope", out{"", false}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			c, ok := Normalize(tt.key, pluginKeys)
			if diff := cmp.Diff(tt.want, out{c, ok}); diff != "" {
				t.Errorf("Normalize(%q) (-want +got):\n%s", tt.key, diff)
			}
		})
	}
}

func TestPortableKeys(t *testing.T) {
	seen := map[string]string{}
	for _, k := range PortableKeys {
		if k.Description == "" {
			t.Errorf("%s has no description", k.Name)
		}
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if other, dup := seen[n]; dup {
				t.Errorf("%q is both %s and %s", n, other, k.Name)
			}
			seen[n] = k.Name
		}
	}
	// PortableKeysExcept copies deeply, so a plugin may change its keys.
	keys := PortableKeysExcept()
	keys[0].Aliases[0] = "changed"
	if PortableKeys[0].Aliases[0] == "changed" {
		t.Error("PortableKeysExcept shares alias slices with PortableKeys")
	}
	defer func() {
		if recover() == nil {
			t.Error("PortableKeysExcept(\"nope\") did not panic")
		}
	}()
	PortableKeysExcept("nope")
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"mem", "mem", 0}, {"mme", "mem", 1}, {"tiem", "time", 1},
		{"cpu", "cpus", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"queue", "qos", 4},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, editDistance(tt.a, tt.b)); diff != "" {
				t.Error(diff)
			}
		})
	}
}
