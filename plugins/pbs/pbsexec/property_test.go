package pbsexec

import (
	"fmt"
	"math/rand"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// TestPropertyQsubAccepts renders thousands of random valid jobs (resources,
// arrays, throttles, dependencies, native options, env) and checks that the
// PBS double's parser — written from the facts page, not from this plugin —
// accepts every command line and script, and reads back what was meant:
// the array's indices and throttle, the walltime, the dependencies.
func TestPropertyQsubAccepts(t *testing.T) {
	const rounds = 1500
	for _, dialect := range []string{dialectOpenPBS, dialectTorque} {
		t.Run(dialect, func(t *testing.T) {
			e := configured(t, map[string]any{"dialect": dialect})
			cfg, fl := e.snapshot()
			site := pbssyntax.DefaultSite()
			site.CustomResources["bigmem"] = pbssyntax.ResBool
			site.CustomResources["model"] = pbssyntax.ResString
			if dialect == dialectTorque {
				site = pbssyntax.Site{Dialect: pbssyntax.Torque, Version: "6.1.3"}
			}
			rng := rand.New(rand.NewSource(int64(len(dialect)) * 7919))
			for i := 0; i < rounds; i++ {
				spec := randomSpec(rng, dialect)
				sub, diags := buildSubmission(spec, cfg, fl, "/opt/pbs/bin/qstat")
				if diags.HasErrors() {
					t.Fatalf("round %d: the generator made a job the plugin refuses: %v\n%+v", i, diags.Err(), spec)
				}
				parsed, perr := pbssyntax.ParseQsub(sub.argv[1:], func() []byte { return []byte(sub.script) },
					func(string) ([]byte, error) { return nil, fmt.Errorf("no files") }, site)
				if perr != nil {
					t.Fatalf("round %d: qsub would refuse (exit %d):\n%s\nargv %q\n%s", i, perr.Code, perr.Text, sub.argv, sub.script)
				}
				checkMeaning(t, i, spec, parsed, dialect, sub)
				if i%25 == 0 {
					bashParses(t, i, sub.script)
				}
			}
		})
	}
}

// checkMeaning compares what qsub read with what the job asked for.
func checkMeaning(t *testing.T, round int, spec pluginapi.JobSpec, p *pbssyntax.Submission, dialect string, sub *submission) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Fatalf("round %d: %s\n%s", round, fmt.Sprintf(format, args...), sub.script)
	}
	if a := spec.Array; a != nil && !(a.Size == 1 && dialect == dialectOpenPBS) {
		if p.Array == nil {
			fail("array job without an array request")
		}
		if len(p.Array.Indices) != a.Size || p.Array.Indices[0] != a.Offset || p.Array.Indices[a.Size-1] != a.Offset+a.Size-1 {
			fail("array indices %d..%d (%d), want %d..%d", p.Array.Indices[0], p.Array.Indices[len(p.Array.Indices)-1], len(p.Array.Indices), a.Offset, a.Offset+a.Size-1)
		}
		if p.Array.Throttle != a.Parallelism {
			fail("throttle %d, want %d", p.Array.Throttle, a.Parallelism)
		}
	} else if p.Array != nil {
		fail("unexpected array request %q", p.Array.Spec)
	}
	if tm := spec.Resources["time"]; tm != "" {
		v, ok := p.Resource("walltime")
		if !ok {
			fail("no walltime for time %q", tm)
		}
		if secs := clockSeconds(v); secs < sub.state.Walltime || sub.state.Walltime == 0 {
			fail("walltime %q is %d s, below the %d s asked", v, secs, sub.state.Walltime)
		}
	}
	var got []string
	for _, d := range p.Depend {
		for _, id := range d.IDs {
			got = append(got, d.Type+":"+id.Raw)
		}
	}
	if len(got) != len(spec.Dependencies) {
		fail("dependencies %v, want %d", got, len(spec.Dependencies))
	}
	if p.Name == "" || p.Shell != "/bin/bash" {
		fail("name %q shell %q", p.Name, p.Shell)
	}
}

// bashParses checks the script is valid bash (bash -n), which catches
// quoting mistakes qsub itself would not notice.
func bashParses(t *testing.T, round int, script string) {
	t.Helper()
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("round %d: bash -n: %v\n%s\n%s", round, err, out, script)
	}
}

func clockSeconds(v string) int64 {
	var total int64
	for _, f := range strings.Split(v, ":") {
		n, _ := strconv.ParseInt(f, 10, 64)
		total = total*60 + n
	}
	return total
}

// randomSpec makes a random job the plugin must accept.
func randomSpec(rng *rand.Rand, dialect string) pluginapi.JobSpec {
	pick := func(xs ...string) string { return xs[rng.Intn(len(xs))] }
	task := pick("a", "align", "qc.left.count", "x_1", "9lives", "very-long-task-name-"+strings.Repeat("z", rng.Intn(300)), "ünïcode", "with space")
	spec := pluginapi.JobSpec{RunID: "r", Task: task, WorkDir: pick("/w/run/"+task, "/tmp/with space/x", "/w/it's"),
		Script: pick("exec /bin/true\n", "echo hi", "exit 3\n", "#PBS -N ignored\nexit 0\n")}
	spec.Stdout = pick("/w/logs/out", "/w/with space/out", "rel/out", "")
	spec.Stderr = pick("/w/logs/err", "/w/logs/err#1", "")
	res := map[string]string{}
	if rng.Intn(2) == 0 {
		res["cpus"] = strconv.Itoa(1 + rng.Intn(64))
	}
	if rng.Intn(2) == 0 {
		res[pick("mem", "memory")] = pick("1", "512M", "1.5G", "2GiB", "100K", "3T", "7")
	}
	if rng.Intn(2) == 0 {
		res[pick("time", "walltime")] = pick("1", "90s", "10m", "1h30m", "1.5h", "2d", "00:00:01", "36:00:00", "1-12:00:00", "0.4s")
	}
	nodes := 1
	if rng.Intn(3) == 0 {
		nodes = 1 + rng.Intn(8)
		res["nodes"] = strconv.Itoa(nodes)
	}
	if rng.Intn(3) == 0 {
		res["tasks"] = strconv.Itoa(nodes * (1 + rng.Intn(8)))
	}
	if rng.Intn(3) == 0 {
		res["gpus"] = strconv.Itoa(rng.Intn(9))
	}
	if rng.Intn(3) == 0 {
		res[pick("partition", "queue")] = pick("workq", "long-q", "q.1")
	}
	if rng.Intn(3) == 0 {
		res[pick("account", "project")] = pick("lab", "bio_42", "a.b-c")
	}
	if rng.Intn(3) == 0 {
		if dialect == dialectTorque {
			res["constraint"] = pick("bigmem", "ib:bigmem", "gpu.v100")
		} else {
			res["constraint"] = pick("bigmem", "model=skylake", "bigmem:model=icelake", "bigmem=false")
		}
	}
	spec.Resources = res
	if rng.Intn(2) == 0 {
		size := 1 + rng.Intn(40)
		if rng.Intn(10) == 0 {
			size = 1 + rng.Intn(10000)
		}
		a := &pluginapi.ArraySpec{Size: size, Offset: rng.Intn(3) * rng.Intn(100000)}
		if rng.Intn(2) == 0 && !(size == 1 && dialect == dialectOpenPBS) {
			a.Parallelism = 1 + rng.Intn(size+3)
		}
		spec.Array = a
		if spec.Stdout != "" {
			spec.Stdout += "." + pluginapi.IndexToken
		}
		if spec.Stderr != "" {
			spec.Stderr = pluginapi.IndexToken + "-" + spec.Stderr[1:]
		}
	}
	for n := rng.Intn(4); n > 0; n-- {
		kind := pluginapi.AfterOK
		if rng.Intn(2) == 0 {
			kind = pluginapi.AfterAny
		}
		seq := strconv.Itoa(1 + rng.Intn(1e6))
		server := pick(".pbs01", ".pbs01.example.org", "")
		h := upstream(seq+server, 0)
		if rng.Intn(2) == 0 {
			h = upstream(seq+"[]"+server, 3)
		}
		spec.Dependencies = append(spec.Dependencies, pluginapi.Dependency{Kind: kind, Handle: h})
	}
	if rng.Intn(3) == 0 {
		opts := map[string]string{}
		opts[pick("m", "-m")] = pick("abe", "n", "a")
		if rng.Intn(2) == 0 {
			opts["M"] = "alice@example.org"
		}
		if rng.Intn(2) == 0 {
			opts["V"] = ""
		}
		if rng.Intn(2) == 0 {
			opts["r"] = "y"
		}
		if rng.Intn(2) == 0 {
			opts["W"] = "group_list=lab"
		}
		if dialect == dialectOpenPBS && rng.Intn(2) == 0 {
			opts["place"] = pick("excl", "scatter:excl", "pack")
		}
		spec.Options = opts
	}
	if rng.Intn(2) == 0 {
		spec.Env = map[string]string{"A": pick("1", "two words", "q'uote", "$(x)"), "_B2": ""}
	}
	return spec
}
