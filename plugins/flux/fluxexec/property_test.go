package fluxexec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// TestCommandLinesPassTheDouble renders random valid jobs (resources,
// arrays, dependencies, environment, native options, settings) and feeds
// every command line and batch script to the flux double's own parser,
// package fluxsyntax, which shares no code with the plugin: each must be
// accepted, and say what the plugin meant (task counts, --cc ids, one
// dependency per upstream id, the script as the command).
func TestCommandLinesPassTheDouble(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	n := 3000
	if testing.Short() {
		n = 300
	}
	environ := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			environ[k] = v
		}
	}
	for i := range n {
		g := generate(r)
		e := configured(t, g.settings)
		resp, err := e.Render(context.Background(), &pluginapi.RenderRequest{Job: g.spec})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Diagnostics.HasErrors() {
			t.Fatalf("case %d: the plugin refused a valid job: %v\nspec %+v\nsettings %v", i, resp.Diagnostics.Err(), g.spec, g.settings)
		}
		if problem := checkWithDouble(resp, g, environ); problem != "" {
			t.Fatalf("case %d: %s\nargv %q\nscript:\n%s\nspec %+v\nsettings %v", i, problem, resp.Argv, resp.Script, g.spec, g.settings)
		}
	}
}

type generated struct {
	spec     pluginapi.JobSpec
	settings map[string]any
	version  fluxsyntax.Version
	tasks    int
	nodes    int
	depIDs   []uint64
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func word(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, 1+r.IntN(n))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

const lower = "abcdefghijklmnopqrstuvwxyz0123456789_-"

func generate(r *rand.Rand) generated {
	g := generated{settings: map[string]any{}}
	g.version = pick(r, fluxsyntax.Version{Major: 0, Minor: 50}, fluxsyntax.Version{Major: 0, Minor: 60}, fluxsyntax.Version{Major: 0, Minor: 65}, fluxsyntax.Version{Major: 0, Minor: 79})
	g.settings["flux_version"] = g.version.String()
	g.settings["submit_command"] = pick(r, "auto", "auto", "batch", "submit")
	if r.IntN(3) == 0 {
		g.settings["queue"] = word(r, lower, 8)
	}
	if r.IntN(3) == 0 {
		g.settings["bank"] = word(r, lower, 8)
	}
	if r.IntN(4) == 0 {
		g.settings["extra_args"] = []any{pick(r, "--setattr=user.tag=reflow", "-u", "--requires=host:n1", "--urgency=20", "--label-io")}
	}
	g.settings["max_array_size"] = float64(64)

	dir := "/scratch/" + word(r, lower, 6) + pick(r, "", " with space", "/it's") + "/run"
	task := word(r, lower+".", 10)
	spec := pluginapi.JobSpec{RunID: "r", Task: task, WorkDir: dir + "/" + task,
		Script: "exec /opt/reflow worker --task " + task + " --attempt " + strconv.Itoa(1+r.IntN(3)) + "\n",
		Stdout: dir + "/.reflow/logs/" + task + ".a1.job.out", Stderr: dir + "/.reflow/logs/" + task + ".a1.job.err"}
	res := map[string]string{}
	tasks := 1
	if r.IntN(2) == 0 {
		res["cpus"] = strconv.Itoa(1 + r.IntN(8))
	}
	submitOnly := g.settings["submit_command"] == "submit"
	if !submitOnly && r.IntN(3) == 0 {
		tasks = 1 + r.IntN(6)
		res[pick(r, "tasks", "ntasks")] = strconv.Itoa(tasks)
		if r.IntN(2) == 0 {
			g.nodes = 1 + r.IntN(tasks)
			res["nodes"] = strconv.Itoa(g.nodes)
		}
	} else if !submitOnly && r.IntN(5) == 0 {
		tasks = 1 + r.IntN(3)
		g.nodes = tasks
		res["nodes"] = strconv.Itoa(tasks) // one task per node by default
	} else if r.IntN(6) == 0 {
		g.nodes = 1
		res["nodes"] = "1"
	}
	if r.IntN(4) == 0 {
		res["gpus"] = strconv.Itoa(tasks * (1 + r.IntN(2)))
	}
	if r.IntN(2) == 0 {
		res[pick(r, "time", "walltime")] = pick(r, "90s", "10m", "1h30m", "2h", "1d", "00:05:00", "1-12:00:00", "45", "1.5h", "3600s", "7s")
	}
	if r.IntN(3) == 0 {
		res["mem"] = pick(r, "512M", "1G", "2GiB", "100")
	}
	if r.IntN(3) == 0 {
		res[pick(r, "partition", "queue")] = word(r, lower, 8)
	}
	if r.IntN(3) == 0 {
		res[pick(r, "account", "bank", "project")] = word(r, lower, 8)
	}
	spec.Resources = res
	g.tasks = tasks

	if r.IntN(2) == 0 {
		size := 1 + r.IntN(20)
		spec.Array = &pluginapi.ArraySpec{Size: size, Offset: r.IntN(100), Parallelism: r.IntN(3)}
		spec.Stdout = strings.Replace(spec.Stdout, ".a1.", "."+pluginapi.IndexToken+".a1.", 1)
		spec.Stderr = strings.Replace(spec.Stderr, ".a1.", "."+pluginapi.IndexToken+".a1.", 1)
	}
	for range r.IntN(4) {
		n := 1
		if r.IntN(2) == 0 {
			n = 1 + r.IntN(5)
		}
		ids := make([]uint64, n)
		for k := range ids {
			ids[k] = r.Uint64N(1 << 62)
		}
		g.depIDs = append(g.depIDs, ids...)
		spec.Dependencies = append(spec.Dependencies, pluginapi.Dependency{
			Kind: pick(r, pluginapi.AfterOK, pluginapi.AfterAny), Handle: newHandle(tracked{ids: ids, array: n > 1})})
	}
	if r.IntN(2) == 0 {
		spec.Env = map[string]string{}
		for range 1 + r.IntN(3) {
			spec.Env["V_"+strings.ToUpper(word(r, "abc", 4))] = pick(r, "plain", "with space", "quote'd", "$HOME and ${X}", `back\slash`, "{braces}", "")
		}
	}
	if r.IntN(3) == 0 {
		spec.Options = map[string]string{}
		for range 1 + r.IntN(2) {
			kv := pick(r,
				[2]string{"requires", "host:n[1-2]"}, [2]string{"setattr", "user.note=" + word(r, lower, 6)},
				[2]string{"setopt", "cpu-affinity=off"}, [2]string{"urgency", strconv.Itoa(r.IntN(32))},
				[2]string{"unbuffered", ""}, [2]string{"label-io", ""}, [2]string{"signal", "SIGUSR1@60"},
				[2]string{"u", ""}, [2]string{"o", "verbose=1"}, [2]string{"rlimit", "core=0"})
			spec.Options[kv[0]] = kv[1]
		}
		if spec.Array != nil && g.settings["submit_command"] != "batch" {
			delete(spec.Options, "requires") // braces in an idset would meet --cc formatting
		}
	}
	g.spec = spec
	return g
}

// checkWithDouble runs what Render produced through the double's parser.
func checkWithDouble(resp *pluginapi.RenderResponse, g generated, environ map[string]string) string {
	argv, spec := resp.Argv, g.spec
	if len(argv) < 3 || argv[0] != "flux" {
		return "argv does not start with flux"
	}
	batch := argv[1] == "batch"
	if !batch && argv[1] != "submit" {
		return "argv[1] is neither submit nor batch"
	}
	indices := []int{-1}
	if spec.Array != nil && batch {
		indices = spec.Array.Indices()
	}
	wantTasks := 1
	if batch {
		wantTasks = g.tasks
	}
	var all []fluxsyntax.Job
	for _, idx := range indices {
		args := slices.Clone(argv[2:])
		if idx >= 0 {
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], pluginapi.IndexToken, strconv.Itoa(idx))
			}
		}
		var (
			sub *fluxsyntax.Submission
			rej *fluxsyntax.Rejection
		)
		scriptPath := args[len(args)-1]
		if batch {
			if idx >= 0 {
				scriptPath = args[len(args)-2]
			}
			sub, rej = fluxsyntax.ParseBatch(args, g.version, func(name string) (string, error) {
				if name != scriptPath {
					return "", fmt.Errorf("read %q, not the script %q", name, scriptPath)
				}
				return resp.Script, nil
			})
		} else {
			sub, rej = fluxsyntax.ParseSubmit(args, g.version)
			if ds, err := fluxsyntax.ParseDirectives(resp.Script); err != nil || len(ds) > 0 {
				return fmt.Sprintf("a flux submit script has directives flux submit would ignore: %v %v", ds, err)
			}
		}
		if rej != nil {
			return "the double rejects the command line: " + rej.Stderr
		}
		jobs, rej := sub.Jobs()
		if rej != nil {
			return "the double rejects the submission: " + rej.Stderr
		}
		for _, j := range jobs {
			if batch {
				if idx >= 0 && !slices.Equal(j.Command, []string{strconv.Itoa(idx)}) {
					return fmt.Sprintf("element %d: script arguments %q, want its index", idx, j.Command)
				}
			} else if !slices.Equal(j.Command, []string{"bash", scriptPath}) {
				return fmt.Sprintf("command %q, want bash and the script", j.Command)
			}
			if _, err := fluxsyntax.BuildEnvironment(j.EnvRules, environ); err != nil {
				return "environment rules: " + err.Error()
			}
			if j.NTasks != wantTasks || j.Nodes != g.nodes {
				return fmt.Sprintf("the double sees %d tasks on %d nodes, want %d on %d", j.NTasks, j.Nodes, wantTasks, g.nodes)
			}
			var depIDs []uint64
			for _, d := range j.Dependencies {
				id, err := fluxsyntax.CheckDependency(d)
				if err != nil {
					return "dependency refused by the instance: " + err.Error()
				}
				depIDs = append(depIDs, id)
			}
			want := slices.Compact(slices.Clone(g.depIDs))
			if !slices.Equal(slices.Compact(depIDs), want) {
				return fmt.Sprintf("dependencies on %v, want one per upstream id %v", depIDs, want)
			}
			if spec.Array != nil && !strings.Contains(j.Output, strconv.Itoa(j.CC)) && !batch {
				return fmt.Sprintf("element %d writes %q", j.CC, j.Output)
			}
		}
		all = append(all, jobs...)
	}
	if spec.Array != nil && !batch {
		var ccs []int
		for _, j := range all {
			if !j.HasCC || !j.CCEnv {
				return "an array was submitted without --cc"
			}
			ccs = append(ccs, j.CC)
		}
		if !slices.Equal(ccs, spec.Array.Indices()) {
			return fmt.Sprintf("--cc ids %v, want the engine indices %v", ccs, spec.Array.Indices())
		}
	}
	if spec.Array != nil && len(all) != spec.Array.Size {
		return fmt.Sprintf("%d jobs for an array of %d", len(all), spec.Array.Size)
	}
	if !strings.Contains(resp.Script, spec.Script) {
		return "the script lost the job's script"
	}
	return ""
}
