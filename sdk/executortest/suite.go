package executortest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Config says which plugin to test and how.
type Config struct {
	// Plugin is the plugin binary, typically from Build.
	Plugin string
	// Settings are passed to Configure, as a site's `executor "NAME" {}`
	// block would pass them. Every plugin process the suite starts gets the
	// same settings.
	Settings map[string]any
	// Resources are added to every job, e.g. {"partition": "debug"} for a
	// cluster where jobs need one.
	Resources map[string]string
	// WorkRoot is the directory under which each job gets its own work
	// directory. On a cluster it must be on a filesystem the compute nodes
	// see. Default: a fresh directory under os.TempDir(), removed afterwards.
	WorkRoot string
	// JobTimeout is how long one job may take from Submit to a terminal
	// state (queueing included). Default 60s.
	JobTimeout time.Duration
	// ManyJobs is how many jobs the big-Poll test submits and then polls in
	// single calls. Default 1000.
	ManyJobs int
	// PollInterval is the pause between polls while waiting. Default 100ms;
	// raise it for a real scheduler.
	PollInterval time.Duration
}

func (c *Config) setDefaults() {
	if c.JobTimeout <= 0 {
		c.JobTimeout = 60 * time.Second
	}
	if c.ManyJobs <= 0 {
		c.ManyJobs = 1000
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
}

// suite is the state shared by the subtests of one Run.
type suite struct {
	cfg    Config
	root   string // where job work dirs go
	main   *pluginapi.Client
	ex     pluginapi.Executor
	info   *pluginapi.InfoResponse // as answered before Configure
	config pluginapi.Diagnostics   // what the main process's Configure said
	logs   *logSink
	mu     sync.Mutex
	checks int
	skips  []string
	seq    int
}

// Run runs the conformance suite against cfg.Plugin as subtests of t. It
// starts one long-lived plugin process (Info, then Configure with
// cfg.Settings) that most subtests share, as reflow's dispatcher would, and
// starts extra processes where a test needs a fresh or a doomed one.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	cfg.setDefaults()
	if cfg.Plugin == "" {
		t.Fatal("executortest.Run: Config.Plugin is empty; build the plugin with executortest.Build")
	}
	s := &suite{cfg: cfg, logs: &logSink{}}
	if s.root = cfg.WorkRoot; s.root == "" {
		dir, err := os.MkdirTemp("", "rxw")
		if err != nil {
			t.Fatal(err)
		}
		s.root = dir
		// Not t.TempDir: a job the plugin failed to stop may still write
		// there, and that must not turn into a confusing cleanup failure.
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last plugin log lines:\n%s", s.logs.tail(80))
		}
	})

	s.main = s.launch(t, "main")
	s.ex = s.main.Executor()
	// Info must work before Configure: `reflow plugins list` never
	// configures a plugin.
	info, err := s.ex.Info(ctx(t, 30*time.Second), &pluginapi.InfoRequest{})
	if err != nil {
		t.Fatalf("Info before Configure: %v", err)
	}
	s.info = info
	resp, err := s.ex.Configure(ctx(t, 30*time.Second), &pluginapi.ConfigureRequest{Settings: cfg.Settings})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("Configure with Config.Settings %v: %v", cfg.Settings, resp.Diagnostics.Err())
	}
	s.config = resp.Diagnostics

	s.sub(t, "Info", s.testInfo)
	s.sub(t, "Configure", s.testConfigure)
	s.sub(t, "Render", s.testRender)
	s.sub(t, "BadInput", s.testBadInput)
	s.sub(t, "Submit", s.testSubmit)
	s.sub(t, "Array", s.testArray)
	s.sub(t, "Throttle", s.testThrottle)
	for _, kind := range []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise} {
		s.sub(t, "Dependency/"+string(kind), func(c *tc) { s.testDependency(c, kind) })
	}
	s.sub(t, "AnyOf", s.testAnyOf)
	s.sub(t, "ManyHandles", s.testManyHandles)
	s.sub(t, "UnknownHandles", s.testUnknownHandles)
	s.sub(t, "Cancel", s.testCancel)
	s.sub(t, "Reattach", s.testReattach)

	if s.main.Exited() {
		t.Errorf("the main plugin process exited during the suite")
	}
	t.Logf("executortest: plugin %s: %d checks made; skipped: %s",
		s.info.Name, s.checks, orNone(s.skips))
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return "\n  " + strings.Join(ss, "\n  ")
}

// tc is one subtest's view: a *testing.T that counts the checks made through
// it, so a subtest that checked nothing fails instead of passing.
type tc struct {
	*testing.T
	n int
}

// check records one check; it reports ok and fails the subtest when !ok.
func (c *tc) check(ok bool, format string, args ...any) bool {
	c.Helper()
	c.n++
	if !ok {
		c.Errorf(format, args...)
	}
	return ok
}

// must fails the subtest at once on a Go error from an RPC: the contract
// reserves those for transport failures and plugin bugs.
func (c *tc) must(err error, what string) {
	c.Helper()
	c.n++
	if err != nil {
		c.Fatalf("%s returned a Go error (the contract reserves these for transport failures and bugs; user problems travel as diagnostics): %v", what, err)
	}
}

// noErrorDiags checks that ds holds no error diagnostics.
func (c *tc) noErrorDiags(ds pluginapi.Diagnostics, what string) bool {
	c.Helper()
	return c.check(!ds.HasErrors(), "%s: unexpected error diagnostics: %v", what, ds.Err())
}

// skip skips the subtest with a visible reason, also listed in Run's summary.
func (s *suite) skip(c *tc, format string, args ...any) {
	c.Helper()
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.skips = append(s.skips, c.Name()+": "+msg)
	s.mu.Unlock()
	c.n = -1 // a skipped subtest is not vacuous
	c.Skip("executortest: " + msg)
}

func (s *suite) sub(t *testing.T, name string, fn func(*tc)) {
	t.Run(name, func(t *testing.T) {
		c := &tc{T: t}
		defer func() {
			if c.n == 0 && !t.Failed() && !t.Skipped() {
				t.Errorf("executortest: subtest %s made no checks: it would have passed vacuously", name)
			}
			if c.n > 0 {
				s.mu.Lock()
				s.checks += c.n
				s.mu.Unlock()
			}
		}()
		fn(c)
	})
}

// launch starts a plugin process that is killed when t ends.
func (s *suite) launch(t testing.TB, role string) *pluginapi.Client {
	t.Helper()
	cl, err := pluginapi.Launch(ctx(t, 60*time.Second), pluginapi.LaunchConfig{
		Name: "executortest-" + role,
		Path: s.cfg.Plugin,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: "plugin", Level: hclog.Debug, Output: s.logs, DisableTime: true,
		}),
	})
	if err != nil {
		t.Fatalf("launching %s: %v", s.cfg.Plugin, err)
	}
	t.Cleanup(cl.Kill)
	return cl
}

// configure sends cfg.Settings to a freshly launched plugin process.
func (s *suite) configure(c *tc, ex pluginapi.Executor) {
	c.Helper()
	resp, err := ex.Configure(ctx(c, 30*time.Second), &pluginapi.ConfigureRequest{Settings: maps.Clone(s.cfg.Settings)})
	c.must(err, "Configure")
	if !c.noErrorDiags(resp.Diagnostics, "Configure") {
		c.FailNow()
	}
}

// ctx returns a context bounded by d and by the test's lifetime.
func ctx(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// logSink keeps the plugin's recent log lines. They go to the test log only
// when something failed: a passing suite stays quiet, a failing one shows
// what the plugin said. It never writes to a testing.T directly, because
// the plugin may log after the test that launched it has ended.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.lines = append(l.lines, line)
	}
	if len(l.lines) > 1000 {
		l.lines = append([]string(nil), l.lines[len(l.lines)-500:]...)
	}
	return len(p), nil
}

func (l *logSink) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := max(0, len(l.lines)-n)
	return strings.Join(l.lines[from:], "\n")
}
