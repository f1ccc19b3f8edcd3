package lsfexec

// The random jobs and settings of TestPropertyDoubleAccepts.

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// gen makes random jobs and site settings within what reflow and a site
// may give the plugin.
type gen struct{ r *rand.Rand }

func (g gen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }
func (g gen) chance(p float64) bool    { return g.r.Float64() < p }

func (g gen) word() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
	b := make([]byte, 1+g.r.Intn(12))
	for i := range b {
		b[i] = chars[g.r.Intn(len(chars))]
	}
	if b[0] == '-' || b[0] == '.' {
		b[0] = 'q'
	}
	return string(b)
}

// path is an absolute path, sometimes with blanks, quotes (of one kind),
// '#', '$' or non-ASCII.
func (g gen) path() string {
	parts := []string{""}
	for i := 0; i < 1+g.r.Intn(4); i++ {
		p := g.word()
		if g.chance(0.2) {
			p += g.pick(" x", "'s", `"q"`, "#1", "$HOME", "é", "%")
		}
		parts = append(parts, p)
	}
	s := strings.Join(parts, "/")
	if strings.Contains(s, "'") && strings.Contains(s, `"`) {
		s = strings.ReplaceAll(s, `"`, "")
	}
	return s
}

func (g gen) memory() string {
	n := 1 + g.r.Intn(4096)
	switch g.r.Intn(6) {
	case 0:
		return strconv.Itoa(n) // megabytes
	case 1:
		return fmt.Sprintf("%d.%dG", g.r.Intn(64), 1+g.r.Intn(9))
	}
	return strconv.Itoa(n) + g.pick("K", "M", "G", "KB", "MB", "GiB", "m", "g", "T")
}

func (g gen) duration() string {
	switch g.r.Intn(6) {
	case 0:
		return strconv.Itoa(1+g.r.Intn(500)) + "s"
	case 1:
		return strconv.Itoa(1+g.r.Intn(5000)) + "m"
	case 2:
		return fmt.Sprintf("%dh%dm", g.r.Intn(200), 1+g.r.Intn(59))
	case 3:
		return fmt.Sprintf("%02d:%02d:%02d", g.r.Intn(100), g.r.Intn(60), 1+g.r.Intn(59))
	case 4:
		return fmt.Sprintf("%d-%02d:%02d:%02d", g.r.Intn(14), g.r.Intn(24), g.r.Intn(60), 1+g.r.Intn(59))
	}
	return strconv.Itoa(1 + g.r.Intn(100000)) // minutes
}

// nativeOptions are options a user may pass through, each valid for bsub.
var nativeOptionChoices = []map[string]string{
	{"x": ""}, {"G": "grp"}, {"app": "myapp"}, {"sla": "fast lane"}, {"B": ""}, {"N": ""},
	{"u": "me@example.com"}, {"m": "hostA hostB"}, {"-L": "/bin/bash"}, {"rn": ""}, {"r": ""},
	{"E": "test -d /scratch"}, {"We": "30"}, {"H": ""},
}

func (g gen) settings() map[string]any {
	s := map[string]any{"flavor": "property test"}
	if g.chance(0.5) {
		s["mem_unit"] = g.pick("KB", "MB", "GB", "kb", "M")
	}
	if g.chance(0.3) {
		s["reserve_per_task"] = true
	}
	if g.chance(0.2) {
		s["mem_limit"] = false
	}
	if g.chance(0.3) {
		s["max_array_size"] = float64(g.pick2(50, 1000, 5000))
	}
	if g.chance(0.3) {
		s["queue"] = g.word()
	}
	if g.chance(0.3) {
		s["project"] = g.word()
	}
	if g.chance(0.3) {
		s["bsub_args"] = []any{"-G", g.word()}
	}
	return s
}

func (g gen) pick2(xs ...int) int { return xs[g.r.Intn(len(xs))] }

// upstream is a handle of an earlier job, as Submit returns them.
func (g gen) upstream(size, offset int) pluginapi.Handle {
	id := strconv.Itoa(101 + g.r.Intn(1_000_000))
	st := handleState{V: stateVersion, Name: "rf." + g.word() + "." + fmt.Sprintf("%08x", g.r.Uint32()), Size: size, Offset: offset, Submitted: 1}
	return pluginapi.Handle{ID: id, State: st.encode()}
}

func (g gen) job(maxArray int) pluginapi.JobSpec {
	spec := pluginapi.JobSpec{
		RunID: "run-" + g.word(), Task: g.word() + g.pick("", ".step", " with blank", "/x"),
		WorkDir: g.path(), Script: "exec /opt/reflow worker --task " + g.word() + "\n",
		Stdout: g.path() + ".out", Stderr: g.path() + ".err", Resources: map[string]string{},
	}
	if g.chance(0.1) {
		spec.Stderr = ""
	}
	res := spec.Resources
	if g.chance(0.6) {
		res[g.pick("cpus", "cpu", "ncpus", "cores")] = strconv.Itoa(1 + g.r.Intn(64))
	}
	if g.chance(0.6) {
		res[g.pick("mem", "memory")] = g.memory()
	}
	if g.chance(0.6) {
		res[g.pick("time", "walltime", "runtime")] = g.duration()
	}
	if g.chance(0.2) {
		res["gpus"] = strconv.Itoa(g.r.Intn(8))
	}
	if g.chance(0.3) {
		nodes := 1 + g.r.Intn(8)
		res["nodes"] = strconv.Itoa(nodes)
		if g.chance(0.5) {
			res["tasks"] = strconv.Itoa(nodes * (1 + g.r.Intn(8)))
		}
	} else if g.chance(0.2) {
		res["tasks"] = strconv.Itoa(1 + g.r.Intn(64))
	}
	if g.chance(0.3) {
		res[g.pick("partition", "queue", "q")] = g.word()
	}
	if g.chance(0.3) {
		res[g.pick("account", "project")] = g.word()
	}
	if g.chance(0.2) {
		res["constraint"] = g.pick("avx2", "type==X86_64", "mem>64000 && ncpus>=32", "(hname==a || hname==b)", "defined(gpu)")
	}
	if g.chance(0.3) {
		spec.Env = map[string]string{}
		for i := 0; i < 1+g.r.Intn(3); i++ {
			spec.Env["V_"+strings.ReplaceAll(strings.ReplaceAll(g.word(), ".", "_"), "-", "_")] = g.pick("plain", "with blank", "it's", `"dq"`, "$(rm -rf /)", "line\n#BSUB -q evil", "tab\there")
		}
	}
	if g.chance(0.3) {
		spec.Options = map[string]string{}
		for k, v := range nativeOptionChoices[g.r.Intn(len(nativeOptionChoices))] {
			spec.Options[k] = v
		}
	}
	if g.chance(0.5) {
		a := &pluginapi.ArraySpec{Size: 1 + g.r.Intn(maxArray), Offset: g.r.Intn(5000)}
		if g.chance(0.5) {
			a.Parallelism = g.r.Intn(20)
		}
		spec.Array = a
		spec.Stdout = strings.Replace(spec.Stdout, ".out", "."+pluginapi.IndexToken+".out", 1)
		spec.Stderr = strings.Replace(spec.Stderr, ".err", "."+pluginapi.IndexToken+".err", 1)
	}
	for i := 0; i < g.r.Intn(4); i++ {
		d := pluginapi.Dependency{Kind: pluginapi.DependencyKind(g.pick("afterok", "afterany", "elementwise"))}
		if g.chance(0.3) {
			d.Group = g.pick("a", "b")
		}
		if d.Kind == pluginapi.Elementwise {
			if spec.Array == nil {
				d.Kind = pluginapi.AfterOK
			} else {
				d.Handle = g.upstream(spec.Array.Size, spec.Array.Offset)
			}
		}
		if d.Handle.ID == "" {
			d.Handle = g.upstream(0, 0)
		}
		spec.Dependencies = append(spec.Dependencies, d)
	}
	return spec
}
