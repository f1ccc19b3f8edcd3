package sgeexec

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestBuildRequest(t *testing.T) {
	cases := []struct {
		name string
		res  map[string]string
		edit func(*config)
		want [][]string
		time int64
		mem  int64
		warn string
	}{
		{name: "nothing", res: nil},
		{name: "one cpu", res: map[string]string{"cpus": "1", "nodes": "1"}},
		{name: "mem per slot", res: map[string]string{"cpus": "4", "mem": "8G"},
			want: [][]string{{"-pe", "smp", "4"}, {"-l", "mem_free=2G"}}, mem: 8 << 30},
		{name: "mem rounds up per slot", res: map[string]string{"ncpus": "3", "memory": "1G"},
			want: [][]string{{"-pe", "smp", "3"}, {"-l", "mem_free=349526K"}}, mem: 1 << 30},
		{name: "time", res: map[string]string{"walltime": "90s"},
			want: [][]string{{"-l", "h_rt=00:01:30"}}, time: 90},
		{name: "long time", res: map[string]string{"time": "2d"},
			want: [][]string{{"-l", "h_rt=48:00:00"}}, time: 172800},
		{name: "mpi", res: map[string]string{"tasks": "4", "cpus": "2", "mem": "16G"}, edit: func(c *config) { c.MPIPE = "mpi" },
			want: [][]string{{"-pe", "mpi", "8"}, {"-l", "mem_free=2G"}}, mem: 16 << 30},
		{name: "gpus", res: map[string]string{"gpus": "2"}, edit: func(c *config) { c.GPURes = "gpu" },
			want: [][]string{{"-l", "gpu=2"}}},
		{name: "no gpus", res: map[string]string{"gpus": "0"}},
		{name: "h_vmem", res: map[string]string{"mem": "8G", "cpus": "2"}, edit: func(c *config) { c.MemRes = "h_vmem" },
			want: [][]string{{"-pe", "smp", "2"}, {"-l", "h_vmem=4G"}}, mem: 8 << 30},
		{name: "small h_vmem", res: map[string]string{"mem": "512M"}, edit: func(c *config) { c.MemRes = "h_vmem" },
			want: [][]string{{"-l", "h_vmem=512M"}}, mem: 512 << 20, warn: "resources.mem"},
		{name: "memory not requested", res: map[string]string{"mem": "512M"}, edit: func(c *config) { c.MemRes = "" },
			mem: 512 << 20, warn: "resources.mem"},
		{name: "queue, project, constraint", res: map[string]string{"partition": "long.q", "allocation": "p1", "features": "arch=lx-amd64"},
			want: [][]string{{"-l", "arch=lx-amd64"}, {"-q", "long.q"}, {"-P", "p1"}}},
		{name: "site defaults", res: nil, edit: func(c *config) { c.Queue, c.Project = "all.q", "site" },
			want: [][]string{{"-q", "all.q"}, {"-P", "site"}}},
		{name: "job beats site", res: map[string]string{"q": "fast.q"}, edit: func(c *config) { c.Queue = "all.q" },
			want: [][]string{{"-q", "fast.q"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			req, diags := buildRequest(&cfg, &pluginapi.JobSpec{Resources: tc.res})
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			if d := cmp.Diff(tc.want, req.directives); d != "" {
				t.Errorf("directives (-want +got):\n%s", d)
			}
			if req.timeLimit != tc.time || req.memLimit != tc.mem {
				t.Errorf("limits: time %d mem %d, want %d and %d", req.timeLimit, req.memLimit, tc.time, tc.mem)
			}
			if tc.warn != "" && (len(diags) != 1 || diags[0].Attribute != tc.warn || diags[0].Severity != pluginapi.Warning) {
				t.Errorf("want one warning about %s, got %v", tc.warn, diags)
			}
			if tc.warn == "" && len(diags) != 0 {
				t.Errorf("unexpected diagnostics %v", diags)
			}
		})
	}
}

func TestResourceKeys(t *testing.T) {
	keys := resourceKeys()
	names := map[string]bool{}
	for _, k := range keys {
		names[k.Name] = true
		if k.Description == "" {
			t.Errorf("%s has no description", k.Name)
		}
	}
	for _, want := range []string{"cpus", "mem", "time", "gpus", "nodes", "tasks", "partition", "account", "constraint", "array_parallelism"} {
		if !names[want] {
			t.Errorf("key %s missing", want)
		}
	}
	if names["qos"] {
		t.Error("qos is offered, but Grid Engine has none")
	}
}
