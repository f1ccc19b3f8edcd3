package lsfexec

import (
	"flag"
	"fmt"
	"math/rand"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

var (
	propSeed  = flag.Int64("lsf.seed", 0, "seed of TestPropertyDoubleAccepts (0: from the clock)")
	propCount = flag.Int("lsf.count", 3000, "jobs TestPropertyDoubleAccepts generates")
)

// TestPropertyDoubleAccepts renders random jobs under random site settings
// and feeds each bsub command line and script to the LSF double's parser
// (testenv/doubles/lsf/lsfsyntax, written apart from this package): every
// submission the plugin produces must be one LSF accepts, and mean what
// the job asked for.
func TestPropertyDoubleAccepts(t *testing.T) {
	seed := *propSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -lsf.seed=%d)", seed, seed)
	g := gen{rand.New(rand.NewSource(seed))}
	built := 0
	for n := 0; n < *propCount; n++ {
		cfg, diags := decodeConfig(g.settings())
		if diags.HasErrors() {
			t.Fatalf("generated settings rejected: %v", diags.Err())
		}
		spec := g.job(cfg.MaxArraySize)
		sub, diags := build(spec, cfg)
		if diags.HasErrors() {
			// Only jobs the generator may make invalid on purpose.
			t.Logf("job %d refused (fine when the input is invalid): %v", n, diags.Err())
			continue
		}
		built++
		syn := lsfsyntax.Config{MaxArraySize: cfg.MaxArraySize, UnitForLimits: cfg.MemUnit.String()}
		parsed, perr := lsfsyntax.ParseBsub(sub.argv[1:], []byte(sub.script), syn)
		if perr != nil {
			t.Fatalf("job %d: the double rejects the plugin's submission: %s\nspec: %+v\nargv: %q\nscript:\n%s", n, perr.Msg, spec, sub.argv, sub.script)
		}
		if problems := meaning(spec, cfg, parsed); len(problems) > 0 {
			t.Fatalf("job %d: the submission does not mean what the job asked:\n  %s\nspec: %+v\nscript:\n%s", n, strings.Join(problems, "\n  "), spec, sub.script)
		}
	}
	if built < *propCount*9/10 {
		t.Errorf("only %d of %d generated jobs were accepted by the plugin: the generator is off", built, *propCount)
	}
}

// meaning checks what the double read against what the job asked for.
func meaning(spec pluginapi.JobSpec, cfg config, s *lsfsyntax.Submission) []string {
	var bad []string
	res, _ := sdk.ParseResources(spec.Resources, resourceKeys())
	if a := spec.Array; a != nil {
		if s.Array == nil || len(s.Array.Indices) != a.Size || s.Array.Indices[0] != 1 || s.Array.End() != a.Size {
			bad = append(bad, fmt.Sprintf("array of %d: LSF indices %v", a.Size, s.Array))
		} else if s.Array.Limit != a.Parallelism {
			bad = append(bad, fmt.Sprintf("parallelism %d, LSF limit %d", a.Parallelism, s.Array.Limit))
		}
	} else if s.Array != nil {
		bad = append(bad, "a plain job became an array")
	}
	if res.Memory > 0 {
		wantKB := res.Memory.In(sdk.Kilobyte)
		if cfg.MemLimit && s.MemLimitKB < wantKB {
			bad = append(bad, fmt.Sprintf("-M is %d KB, the job asked %d KB", s.MemLimitKB, wantKB))
		}
		if s.RusageMemKB == 0 {
			bad = append(bad, "no rusage[mem=]")
		}
	}
	if res.Time > 0 && time.Duration(s.RunLimitMinutes)*time.Minute < res.Time {
		bad = append(bad, fmt.Sprintf("-W is %d minutes, the job asked %v", s.RunLimitMinutes, res.Time))
	}
	tasks := max(res.Tasks, 1)
	if res.Nodes > 1 && res.Tasks == 0 {
		tasks = res.Nodes
	}
	if want := tasks * max(res.CPUs, 1); s.MinSlots != want {
		bad = append(bad, fmt.Sprintf("-n %d, want %d slots", s.MinSlots, want))
	}
	wantQ := firstNonEmpty(res.Partition, cfg.Queue)
	if q, _ := s.Value("-q"); q != wantQ {
		bad = append(bad, fmt.Sprintf("queue %q, want %q", q, wantQ))
	}
	var wantIDs, gotIDs []string
	for _, d := range spec.Dependencies {
		wantIDs = append(wantIDs, d.Handle.ID)
	}
	if s.Depend != nil {
		for _, r := range lsfsyntax.Refs(s.Depend) {
			if r.ID != 0 {
				gotIDs = append(gotIDs, strconv.FormatInt(r.ID, 10))
			} else if r.AllIndex {
				gotIDs = append(gotIDs, "name")
			}
		}
	}
	if len(wantIDs) != len(gotIDs) {
		bad = append(bad, fmt.Sprintf("dependencies on %v, -w names %v", wantIDs, gotIDs))
	}
	if o, _ := s.Value("-o"); spec.Array == nil && o != spec.Stdout {
		bad = append(bad, fmt.Sprintf("-o %q, want %q", o, spec.Stdout))
	}
	for k := range spec.Options {
		if !s.Has("-" + strings.TrimPrefix(k, "-")) {
			bad = append(bad, "native option "+k+" is lost")
		}
	}
	for _, d := range s.ScriptDirectives {
		if d.Name == "-q" && d.Value == "evil" {
			bad = append(bad, "an env value smuggled a #BSUB line into the script")
		}
	}
	return bad
}

// TestArrayPrologueRuns runs the lines that give an element its index and
// its output files with bash, for several offsets, as LSF would start
// element k.
func TestArrayPrologueRuns(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	for _, offset := range []int{0, 1, 7, 1000} {
		spec := pluginapi.JobSpec{Task: "p", WorkDir: dir, Script: "echo \"out $REFLOW_INDEX\"; echo \"err $REFLOW_INDEX\" >&2\n",
			Stdout: dir + "/o it's." + pluginapi.IndexToken, Stderr: dir + "/e." + pluginapi.IndexToken,
			Array: &pluginapi.ArraySpec{Size: 3, Offset: offset}, Env: map[string]string{"X": "a\nb"}}
		sub, diags := build(spec, defaultConfig())
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		for k := 1; k <= 3; k++ {
			cmd := exec.Command("bash", "-c", sub.script)
			cmd.Env = []string{"LSB_JOBINDEX=" + strconv.Itoa(k), "PATH=/usr/bin:/bin"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("element %d: %v %s", k, err, out)
			}
			i := offset + k - 1
			for _, f := range []struct{ path, want string }{
				{fmt.Sprintf("%s/o it's.%d", dir, i), fmt.Sprintf("out %d\n", i)},
				{fmt.Sprintf("%s/e.%d", dir, i), fmt.Sprintf("err %d\n", i)},
			} {
				if got := readFile(t, f.path); got != f.want {
					t.Errorf("offset %d, LSF element %d: %s holds %q, want %q", offset, k, f.path, got, f.want)
				}
			}
		}
		// Outside an array element the script refuses to guess.
		cmd := exec.Command("bash", "-c", sub.script)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if err := cmd.Run(); err == nil {
			t.Errorf("offset %d: the script ran without LSB_JOBINDEX", offset)
		}
	}
}
