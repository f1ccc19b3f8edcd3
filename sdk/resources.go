package sdk

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// The portable resource key names. Plugins that accept a key must understand
// it with this meaning, so that one workflow file runs on any scheduler.
const (
	KeyCPUs             = "cpus"
	KeyMem              = "mem"
	KeyTime             = "time"
	KeyGPUs             = "gpus"
	KeyNodes            = "nodes"
	KeyTasks            = "tasks"
	KeyPartition        = "partition"
	KeyAccount          = "account"
	KeyQOS              = "qos"
	KeyConstraint       = "constraint"
	KeyArrayParallelism = "array_parallelism"
)

// PortableKeys are reflow's portable resource keys with their standard
// aliases, in the order they are listed to users. A plugin returns the ones it
// supports from Info (see PortableKeysExcept) and appends its own keys.
// Treat it as read-only: PortableKeysExcept returns a copy to modify.
var PortableKeys = []pluginapi.ResourceKey{
	{Name: KeyCPUs, Aliases: []string{"cpu", "ncpus", "cores", "cpus_per_task"},
		Description: "CPU cores for each task of the job (a positive whole number)."},
	{Name: KeyMem, Aliases: []string{"memory"},
		Description: `Memory for the job, e.g. "512M", "1.5G", "2GiB"; units are binary and a bare number means megabytes.`},
	{Name: KeyTime, Aliases: []string{"walltime", "time_limit", "runtime"},
		Description: `Wall-clock time limit, e.g. "90s", "10m", "1h30m", "1d", "HH:MM:SS", "D-HH:MM:SS"; a bare number means minutes.`},
	{Name: KeyGPUs, Aliases: []string{"gpu", "ngpus"},
		Description: "GPUs for the job (a whole number; 0 means none)."},
	{Name: KeyNodes, Aliases: []string{"node", "nnodes"},
		Description: "Number of nodes (a positive whole number)."},
	{Name: KeyTasks, Aliases: []string{"ntasks"},
		Description: "Number of tasks, e.g. MPI ranks (a positive whole number)."},
	{Name: KeyPartition, Aliases: []string{"queue", "q"},
		Description: "Partition or queue to submit to."},
	{Name: KeyAccount, Aliases: []string{"project", "allocation"},
		Description: "Account, project or bank charged for the job."},
	{Name: KeyQOS, Aliases: nil,
		Description: "Quality of service."},
	{Name: KeyConstraint, Aliases: []string{"constraints", "features"},
		Description: "Node features the job needs, in the scheduler's own syntax."},
	{Name: KeyArrayParallelism, Aliases: []string{"parallelism", "throttle"},
		Description: "Most elements of an array job running at once (a whole number; 0 means no cap)."},
}

// PortableKeysExcept returns a deep copy of PortableKeys without the named
// keys, for a plugin that cannot honour some of them (Flux has no memory
// option, for example): PortableKeysExcept("mem"). Naming a key that is not
// portable panics, because that is a bug in the plugin, not a user error.
func PortableKeysExcept(names ...string) []pluginapi.ResourceKey {
	for _, n := range names {
		if !slices.ContainsFunc(PortableKeys, func(k pluginapi.ResourceKey) bool { return k.Name == n }) {
			panic(fmt.Sprintf("sdk.PortableKeysExcept: %q is not a portable resource key", n))
		}
	}
	var out []pluginapi.ResourceKey
	for _, k := range PortableKeys {
		if !slices.Contains(names, k.Name) {
			k.Aliases = slices.Clone(k.Aliases)
			out = append(out, k)
		}
	}
	return out
}

// Resources are a job's resources after ParseResources: aliases resolved,
// values parsed and checked. A zero field means the user did not set it (or,
// for GPUs and ArrayParallelism, set it to 0, which means the same), so the
// plugin leaves the scheduler's default.
type Resources struct {
	CPUs  int
	GPUs  int
	Nodes int
	Tasks int
	// Memory is in bytes, rounded up from what the user wrote.
	Memory Memory
	Time   time.Duration
	// Partition, Account, QOS and Constraint are passed on as written
	// (trimmed of surrounding space).
	Partition  string
	Account    string
	QOS        string
	Constraint string
	// ArrayParallelism caps how many array elements run at once; 0: no cap.
	ArrayParallelism int
	// Extra holds the plugin's own keys (those in the accepted keys that are
	// not portable), by canonical name, with their values as written. Nil when
	// there are none.
	Extra map[string]string
}

// Normalize maps a resource key as written (a name or an alias, in any case)
// to its canonical name among keys. ok is false when keys do not accept it.
func Normalize(key string, keys []pluginapi.ResourceKey) (canonical string, ok bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	for _, rk := range keys {
		if strings.ToLower(rk.Name) == k {
			return rk.Name, true
		}
		for _, a := range rk.Aliases {
			if strings.ToLower(a) == k {
				return rk.Name, true
			}
		}
	}
	return "", false
}

// ParseResources normalises a job's resources (pluginapi.JobSpec.Resources)
// against the keys a plugin accepts and parses their values. It reports every
// problem at once, each as an error diagnostic whose Attribute is
// "resources.<key>": a key the plugin does not accept (with a "did you mean"
// hint and the accepted keys), a key given twice under different names
// (partition and queue), and a value of the wrong form (saying which form is
// accepted). Keys absent from keys are rejected even when portable, so a
// plugin that cannot provide GPUs simply leaves gpus out of its keys.
func ParseResources(in map[string]string, keys []pluginapi.ResourceKey) (Resources, pluginapi.Diagnostics) {
	var (
		res   Resources
		diags pluginapi.Diagnostics
		seen  = map[string]string{} // canonical → key as written
	)
	written := make([]string, 0, len(in))
	for k := range in {
		written = append(written, k)
	}
	slices.Sort(written) // deterministic diagnostics
	for _, key := range written {
		canon, ok := Normalize(key, keys)
		if !ok {
			diags = append(diags, unknownKeyDiag(key, keys))
			continue
		}
		if prev, dup := seen[canon]; dup {
			diags = append(diags, pluginapi.Diagnostic{
				Severity:  pluginapi.Error,
				Attribute: "resources." + key,
				Summary:   fmt.Sprintf("resource %q is given twice, as %q and %q", canon, prev, key),
				Detail:    fmt.Sprintf("%q and %q name the same resource; keep only one of them.", prev, key),
			})
			continue
		}
		seen[canon] = key
		if d, bad := res.set(canon, strings.TrimSpace(in[key])); bad {
			d.Attribute = "resources." + canon
			diags = append(diags, d)
		}
	}
	return res, diags
}

// set parses one value into r. It returns a diagnostic (without Attribute)
// and true when the value is bad.
func (r *Resources) set(canon, v string) (pluginapi.Diagnostic, bool) {
	bad := func(summary, detail string) (pluginapi.Diagnostic, bool) {
		return pluginapi.Diagnostic{Severity: pluginapi.Error, Summary: summary, Detail: detail}, true
	}
	count := func(dst *int, zeroOK bool) (pluginapi.Diagnostic, bool) {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil && isDigits(v):
			return bad(fmt.Sprintf("invalid %s %q: too large", canon, v), "")
		case err != nil || n < 0 || n == 0 && !zeroOK:
			want := "a positive whole number, e.g. \"2\""
			if zeroOK {
				want = "a whole number, 0 or more, e.g. \"2\""
			}
			return bad(fmt.Sprintf("invalid %s %q", canon, v), "Want "+want+".")
		}
		*dst = n
		return pluginapi.Diagnostic{}, false
	}
	text := func(dst *string) (pluginapi.Diagnostic, bool) {
		if v == "" {
			return bad(fmt.Sprintf("empty %s", canon), "Give a value or leave the key out.")
		}
		*dst = v
		return pluginapi.Diagnostic{}, false
	}
	switch canon {
	case KeyCPUs:
		return count(&r.CPUs, false)
	case KeyGPUs:
		return count(&r.GPUs, true)
	case KeyNodes:
		return count(&r.Nodes, false)
	case KeyTasks:
		return count(&r.Tasks, false)
	case KeyArrayParallelism:
		return count(&r.ArrayParallelism, true)
	case KeyMem:
		m, err := ParseMemory(v)
		if err != nil {
			return bad(fmt.Sprintf("invalid mem %q", v), reason(err))
		}
		r.Memory = m
	case KeyTime:
		d, err := ParseDuration(v)
		if err != nil {
			return bad(fmt.Sprintf("invalid time %q", v), reason(err))
		}
		r.Time = d
	case KeyPartition:
		return text(&r.Partition)
	case KeyAccount:
		return text(&r.Account)
	case KeyQOS:
		return text(&r.QOS)
	case KeyConstraint:
		return text(&r.Constraint)
	default:
		if r.Extra == nil {
			r.Extra = map[string]string{}
		}
		r.Extra[canon] = v
	}
	return pluginapi.Diagnostic{}, false
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// reason turns a parse error into a diagnostic detail: the reason alone,
// since the summary already quotes the value, as a sentence.
func reason(err error) string {
	s := err.Error()
	var pe *parseError
	if errors.As(err, &pe) {
		s = pe.reason
	}
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// unknownKeyDiag explains an unknown resource key: the closest accepted name
// and the full list, so the user can fix the file without reading docs.
func unknownKeyDiag(key string, keys []pluginapi.ResourceKey) pluginapi.Diagnostic {
	var names, all []string
	for _, k := range keys {
		names = append(names, k.Name)
		all = append(all, k.Name)
		all = append(all, k.Aliases...)
	}
	var detail strings.Builder
	if s := suggest(key, all); s != "" {
		fmt.Fprintf(&detail, "Did you mean %q? ", s)
	}
	if len(names) == 0 {
		detail.WriteString("This executor accepts no resource keys.")
	} else {
		fmt.Fprintf(&detail, "This executor accepts: %s.", describeKeys(keys))
	}
	return pluginapi.Diagnostic{
		Severity:  pluginapi.Error,
		Attribute: "resources." + key,
		Summary:   fmt.Sprintf("unknown resource key %q", key),
		Detail:    detail.String(),
	}
}

// describeKeys lists keys with their aliases: "cpus (or cpu, ncpus), mem".
func describeKeys(keys []pluginapi.ResourceKey) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if len(k.Aliases) == 0 {
			parts = append(parts, k.Name)
		} else {
			parts = append(parts, fmt.Sprintf("%s (or %s)", k.Name, strings.Join(k.Aliases, ", ")))
		}
	}
	return strings.Join(parts, ", ")
}

// suggest returns the candidate closest to s by edit distance, or "" when
// none is close enough to be a plausible typo. The allowance grows with the
// length of s so that short keys do not match everything.
func suggest(s string, candidates []string) string {
	s = strings.ToLower(s)
	limit := 1
	switch {
	case len(s) > 6:
		limit = 3
	case len(s) > 3:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(s, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters each
// cost one, so "tiem" is one edit from "time".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
