package main

// job is one job record as the double stores it in jobs/<id>.json.
type job struct {
	ID       uint64  `json:"id"`
	Name     string  `json:"name"`
	UserID   int     `json:"userid"`
	Username string  `json:"username"`
	Urgency  int     `json:"urgency"`
	State    string  `json:"state"`
	TSubmit  float64 `json:"t_submit"`
	TDepend  float64 `json:"t_depend,omitempty"`
	TSched   float64 `json:"t_sched,omitempty"`
	TRun     float64 `json:"t_run,omitempty"`
	TCleanup float64 `json:"t_cleanup,omitempty"`
	TInact   float64 `json:"t_inactive,omitempty"`
	// Result, Returncode and Waitstatus are set once the job is inactive
	// (Waitstatus only when it ran).
	Result     string     `json:"result,omitempty"`
	Returncode *int       `json:"returncode,omitempty"`
	Waitstatus *int       `json:"waitstatus,omitempty"`
	Exception  *exception `json:"exception,omitempty"`
	// Deps are the dependencies still to be resolved.
	Deps []dep `json:"deps,omitempty"`

	Batch     bool     `json:"batch,omitempty"`
	Command   []string `json:"command,omitempty"`
	Script    string   `json:"script,omitempty"`
	NTasks    int      `json:"ntasks"`
	Cores     int      `json:"cores_per_task"`
	GPUs      int      `json:"gpus_per_task,omitempty"`
	Nodes     int      `json:"nodes,omitempty"`
	Exclusive bool     `json:"exclusive,omitempty"`
	// TimeLimit is in seconds; 0 means none.
	TimeLimit float64  `json:"time_limit,omitempty"`
	Queue     string   `json:"queue,omitempty"`
	Bank      string   `json:"bank,omitempty"`
	Cwd       string   `json:"cwd"`
	Output    string   `json:"output,omitempty"`
	Error     string   `json:"error,omitempty"`
	Input     string   `json:"input,omitempty"`
	Env       []string `json:"env"`
	CC        int      `json:"cc,omitempty"`
	CCEnv     bool     `json:"cc_env,omitempty"`
	// ASCII is whether F58 ids in this job's templates use the ASCII prefix.
	ASCII bool `json:"ascii,omitempty"`
	// Pids are the process groups of the job's running tasks.
	Pids []int `json:"pids,omitempty"`
	// Allocated is set while the job holds cores (RUN).
	Allocated int    `json:"allocated,omitempty"`
	Nodelist  string `json:"nodelist,omitempty"`
}

// exception is a job exception as Flux records it.
type exception struct {
	Type     string `json:"type"`
	Severity int    `json:"severity"`
	Note     string `json:"note"`
}

// dep is an unresolved dependency.
type dep struct {
	Scheme string  `json:"scheme"`
	ID     uint64  `json:"id,omitempty"`
	Time   float64 `json:"time,omitempty"` // begin-time
}

// Flux's job states (RFC 21) and results.
const (
	stateDepend   = "DEPEND"
	statePriority = "PRIORITY"
	stateSched    = "SCHED"
	stateRun      = "RUN"
	stateCleanup  = "CLEANUP"
	stateInactive = "INACTIVE"

	resultCompleted = "COMPLETED"
	resultFailed    = "FAILED"
	resultCanceled  = "CANCELED"
	resultTimeout   = "TIMEOUT"
)

func (j *job) active() bool { return j.State != stateInactive }

func (j *job) pending() bool {
	return j.State == stateDepend || j.State == statePriority || j.State == stateSched
}

func intp(n int) *int { return &n }
