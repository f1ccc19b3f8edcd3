package pluginapi

// IndexToken may appear in JobSpec.Stdout and JobSpec.Stderr of an array job.
// The plugin replaces it, per element, with the element's 0-based engine
// index (Array.Offset included).
const IndexToken = "{index}"

// IndexEnv is the environment variable through which every element of an
// array job learns its 0-based engine index (Array.Offset included). Plugins
// translate from their scheduler's native variable (SLURM_ARRAY_TASK_ID,
// SGE_TASK_ID, ...) so scripts never need to know the native index base.
const IndexEnv = "REFLOW_INDEX"

// JobSpec is one job, or one array job, as the engine hands it to a plugin.
type JobSpec struct {
	// RunID and Task identify the job within reflow; plugins use them to name
	// native jobs.
	RunID string
	Task  string
	// WorkDir is the directory the job starts in. It exists.
	WorkDir string
	// WorkerArgv is the `reflow worker` command line the job runs. Script
	// already contains it, and Script is what a plugin runs; WorkerArgv is
	// informational (shown in logs, usable by a plugin that must name the
	// program it starts).
	WorkerArgv []string
	// Script is the body of the job script, a bash script without scheduler
	// directives. The plugin adds its directives and runs it with bash.
	Script string
	// Stdout and Stderr are where the scheduler writes the job's own output.
	// For arrays they contain IndexToken.
	Stdout string
	Stderr string
	// Env is added to the job's environment.
	Env map[string]string
	// Resources are portable resource keys (or aliases) with their values as
	// written by the user: {"cpus": "2", "mem": "1G", "time": "10m"}. Plugins
	// normalise and validate them with sdk.ParseResources.
	//
	// Meanings every plugin keeps: cpus are per task; mem is the memory of
	// the whole job on each node (Slurm's --mem), so a scheduler that counts
	// memory per slot divides it by the slots it asks for; time is the wall
	// time limit. Numbers are whole numbers written without a decimal point.
	// An array's throttle arrives in Array.Parallelism, not here: the engine
	// moves array_parallelism there.
	Resources map[string]string
	// Options are native scheduler options passed through as they are,
	// e.g. {"exclusive": "", "gres": "gpu:2"} for Slurm.
	Options map[string]string
	// Array, when set, makes this an array job. A job without Array has no
	// Elements in its JobStatus and no REFLOW_INDEX in its environment.
	Array *ArraySpec
	// Dependencies are conditions on earlier jobs. Dependencies that share a
	// non-empty Group form an any-of group; groups and ungrouped
	// dependencies must all hold.
	Dependencies []Dependency
}

// ArraySpec describes an array job of Size elements with engine indices
// Offset .. Offset+Size-1.
type ArraySpec struct {
	Size   int
	Offset int
	// Parallelism caps how many elements run at once; 0 means no cap.
	Parallelism int
}

// Indices returns the engine indices of the array's elements.
func (a *ArraySpec) Indices() []int {
	if a == nil {
		return nil
	}
	out := make([]int, a.Size)
	for i := range out {
		out[i] = a.Offset + i
	}
	return out
}

// DependencyKind is how a job depends on an earlier one.
type DependencyKind string

const (
	// AfterOK: start after the upstream job (every element) completed
	// successfully. When the upstream ends any other way the dependent can
	// never start: the plugin must end it as StateFailed with a Reason that
	// says so, never leave it pending.
	AfterOK DependencyKind = "afterok"
	// AfterAny: start after the upstream job (every element) ended, however.
	AfterAny DependencyKind = "afterany"
	// Elementwise: element i starts after upstream element i completed
	// successfully (Slurm's aftercorr). Both jobs are arrays of equal shape.
	Elementwise DependencyKind = "elementwise"
)

// Dependency is a condition on an earlier job.
type Dependency struct {
	Kind   DependencyKind
	Handle Handle
	// Group, when not empty, puts the dependency into an any-of group with
	// every other dependency of the same Group.
	Group string
}

// Handle identifies a submitted job. The engine persists it and hands it
// back, possibly to a new plugin process, which must be able to reattach
// from it alone.
type Handle struct {
	// ID is the native job id ("12345", "12345.server").
	ID string
	// State is opaque plugin state, at most a few KiB.
	State []byte
}

// RenderRequest asks for the native submission of a job.
type RenderRequest struct {
	Job JobSpec
}

// RenderResponse is the exact native submission.
type RenderResponse struct {
	// Argv is the submission command line (e.g. ["sbatch", "--parsable"]).
	Argv []string
	// Script is the complete job script including scheduler directives.
	Script      string
	Diagnostics Diagnostics
}

// SubmitRequest submits a job.
type SubmitRequest struct {
	Job JobSpec
}

// SubmitResponse returns the handle of a submitted job.
type SubmitResponse struct {
	Handle Handle
	// RetryLater is set when the scheduler refused the job for a limit
	// (queue full, QOS or association limit): nothing was submitted and the
	// engine should try again in a later round rather than fail the task.
	RetryLater  bool
	Diagnostics Diagnostics
}
