package engine

import (
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// Config is what a dispatcher needs besides the run itself.
type Config struct {
	Store *store.Store
	Host  *pluginhost.Host
	Site  *hclconfig.SiteConfig
	// Reflow is the absolute path of the reflow binary the workers run.
	Reflow string
	// VerifyContent re-digests cached outputs instead of comparing size and
	// mtime (--verify=content).
	VerifyContent bool
	// Force bypasses the cache for every task; ForceTasks for these.
	Force      bool
	ForceTasks map[string]bool
	// FailFast stops the run at the first failure.
	FailFast bool
	// Progress, when set, is told about every round.
	Progress func(Summary)
	Logger   hclog.Logger
	// Holder identifies this dispatcher in the run's lease.
	Holder string
	// Mode is the dispatch mode recorded in the lease.
	Mode string
	// Detach is set in a dispatcher that runs as a scheduler job (chain or
	// resident mode): how to make its successor, and that a signal stops
	// the dispatcher, not the run (a scheduler's SIGTERM at a time limit,
	// scancel of the dispatcher job): its jobs keep running for the next
	// dispatcher to reattach to.
	Detach *Detach
	// PollMin and PollMax bound the adaptive poll interval; zero means the
	// defaults (see pollBounds).
	PollMin, PollMax time.Duration
	// Seed, when set, is a snapshot the caller already evaluated (to
	// validate) against an empty state with this run's id and directory;
	// the first round reuses it instead of evaluating everything again.
	Seed *hclconfig.Snapshot
}

// leaseTTL is how long a dispatcher's lease outlives its last heartbeat.
// A dispatcher heartbeats every heartbeatEvery; one that stops for longer
// than leaseTTL is presumed dead and its run may be resumed.
const leaseTTL = 2 * time.Minute

// heartbeatEvery spaces heartbeats: each is a write transaction (an fsync),
// and rounds come every 100 ms on a busy local run. Every commit checks the
// lease as well, so a takeover is noticed at the next commit regardless.
const heartbeatEvery = 10 * time.Second

func (c *Config) logger() hclog.Logger {
	if c.Logger == nil {
		return hclog.NewNullLogger()
	}
	return c.Logger
}
