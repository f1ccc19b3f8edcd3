package localexec

import (
	"context"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Version is the plugin's own version.
const Version = "0.1.0"

// maxArraySize bounds one array job: large enough for any real fan-out,
// small enough that a typo cannot make the plugin allocate itself to death.
const maxArraySize = 1_000_000

// tick is how often the scheduler loop looks at running processes it cannot
// wait for (reattached ones), time limits and kill escalation. Submissions,
// cancels and the runners' reports of ended elements wake it up at once.
const tick = 50 * time.Millisecond

// Executor is the local executor. Create it with New; the zero value is not
// usable. All methods are safe for concurrent use.
type Executor struct {
	mu  sync.Mutex
	cfg config
	// configured is set by Configure; methods that need settings before
	// that use the defaults.
	configured bool
	// jobs holds every job this process knows, by id: submitted here,
	// reattached by Poll/Cancel, or followed as an upstream dependency.
	jobs map[string]*job
	// active lists the jobs that still have unfinished elements, in
	// submission order: the scheduler's FIFO queue.
	active []*job
	// used is the number of slots taken by running elements.
	used int
	// blocked and slotsWhy are per-round scheduler state: the queue is
	// waiting for slots, and the reason pending jobs then show.
	blocked  bool
	slotsWhy string
	// unknown remembers handles that are not ours, with the reason.
	unknown map[string]string
	// runners are the runner processes alive (runner.go), idle those
	// waiting for an element.
	runners  map[*runner]bool
	idle     []*runner
	runnerWG sync.WaitGroup // one per runner's reader goroutine

	kick     chan struct{}
	stop     chan struct{}
	loopOnce sync.Once
	stopOnce sync.Once
	loopDone chan struct{}

	// now is the clock; tests do not replace it, it keeps the time source
	// in one place.
	now func() time.Time
}

// New returns an executor with default settings; Configure changes them.
func New() *Executor {
	return &Executor{
		cfg:      defaultConfig(),
		jobs:     make(map[string]*job),
		unknown:  make(map[string]string),
		runners:  make(map[*runner]bool),
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		loopDone: make(chan struct{}),
		now:      time.Now,
	}
}

var _ pluginapi.Executor = (*Executor)(nil)

// Close stops the scheduler loop and tells the runners to exit once their
// elements have ended. Running jobs are left running and pending ones stay
// on disk for the next plugin to reattach, exactly as when the plugin
// process dies; Close only exists so tests can simulate that.
func (e *Executor) Close() {
	e.stopOnce.Do(func() { close(e.stop) })
	e.loopOnce.Do(func() { close(e.loopDone) }) // never started: nothing to wait for
	<-e.loopDone
	e.closeRunners()
}

// start runs the scheduler loop once there is something to schedule.
func (e *Executor) start() {
	e.loopOnce.Do(func() { go e.loop() })
}

// wake asks the loop for a round now rather than at the next tick.
func (e *Executor) wake() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Info describes the plugin. It needs no settings.
func (e *Executor) Info(ctx context.Context, req *pluginapi.InfoRequest) (*pluginapi.InfoResponse, error) {
	return &pluginapi.InfoResponse{
		Name:            "local",
		Version:         Version,
		ProtocolVersion: pluginapi.ProtocolVersion,
		Capabilities: pluginapi.Capabilities{
			Arrays:         true,
			MaxArraySize:   maxArraySize,
			ArrayIndexBase: 0,
			Throttle:       true,
			Dependencies:   []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise},
			AnyOf:          true,
		},
		ResourceKeys: resourceKeys(),
		Settings:     settingsSchema(),
	}, nil
}

// Configure applies the site settings. Bad settings leave the previous
// configuration in place and are reported as diagnostics.
func (e *Executor) Configure(ctx context.Context, req *pluginapi.ConfigureRequest) (*pluginapi.ConfigureResponse, error) {
	var settings map[string]any
	if req != nil {
		settings = req.Settings
	}
	cfg, diags := decodeConfig(settings)
	if diags.HasErrors() {
		return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
	}
	e.mu.Lock()
	e.cfg = cfg
	e.configured = true
	e.mu.Unlock()
	e.wake() // more slots may mean more work can start
	return &pluginapi.ConfigureResponse{Diagnostics: diags}, nil
}
