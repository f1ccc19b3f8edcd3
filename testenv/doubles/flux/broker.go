package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The broker is the double's instance: one detached process per state
// directory, started by the first command that needs it, that holds the
// queue in memory, starts jobs, waits for their tasks, enforces time
// limits and carries out cancels. Commands talk to it through files
// (new/, cancel/) and read what it writes (jobs/). It exits once it has
// had nothing to do for idleExit.

const (
	tick     = 20 * time.Millisecond
	idleExit = 3 * time.Second
)

// resources is the emulated instance's size.
type resources struct {
	nodes, coresPerNode, gpusPerNode int
}

func (r resources) cores() int { return r.nodes * r.coresPerNode }
func (r resources) gpus() int  { return r.nodes * r.gpusPerNode }

type broker struct {
	st        *store
	res       resources
	killGrace time.Duration
	log       *log.Logger

	active map[uint64]*job
	order  []uint64 // active jobs in submission order
	procs  map[uint64]*proc
	// exited collects task ends from the waiting goroutines; wake tells
	// the loop there are some.
	exitMu sync.Mutex
	exited []taskExit
	wake   chan struct{}
	dirty  map[uint64]bool
	used   int // cores held by running jobs
	usedG  int // GPUs held
	idle   time.Time
}

// taskExit is one task process's end.
type taskExit struct {
	id    uint64
	task  int
	state *os.ProcessState
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return n, nil
}

// ensureBroker starts the broker unless one is running, and returns once
// a broker holds broker.lock, as flux submit returns only once the broker
// has the job. (Returning at once let a test's shutdown find no broker,
// and the broker then start on a state directory the test was removing.)
// The running broker holds broker.lock for its whole life; it lets go of
// it (under the state lock) only when it is about to exit with nothing
// left to do.
func ensureBroker(st *store) error {
	f, err := os.OpenFile(st.path("broker.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	deadline := time.Now().Add(10 * time.Second)
	// A broker that starts while this probes the lock takes the probe for
	// another broker and exits: then look again, and start another.
	for attempt := 0; attempt < 3; attempt++ {
		if brokerHolds(f) {
			return nil
		}
		exited, err := startBroker(st)
		if err != nil {
			return err
		}
		if held, err := waitForBroker(st, f, exited, deadline); held || err != nil {
			return err
		}
	}
	return fmt.Errorf("the double's broker keeps exiting at start; see %s", st.path("broker.log"))
}

// waitForBroker waits until a broker holds f, or the one started exits.
func waitForBroker(st *store, f *os.File, exited <-chan struct{}, deadline time.Time) (bool, error) {
	for !brokerHolds(f) {
		if time.Now().After(deadline) {
			return false, fmt.Errorf("the double's broker did not start within 10s; see %s", st.path("broker.log"))
		}
		select {
		case <-exited:
			return brokerHolds(f), nil
		case <-time.After(2 * time.Millisecond):
		}
	}
	return true, nil
}

// brokerHolds reports whether a broker holds the lock file f.
func brokerHolds(f *os.File) bool {
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// startBroker starts a broker process and returns a channel closed when
// it exits.
func startBroker(st *store) (<-chan struct{}, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(st.path("broker.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(exe)
	cmd.Args = []string{"flux"}
	cmd.Env = append(os.Environ(), "REFLOW_DOUBLE_ROLE=broker")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = "/"
	// A session of its own: the plugin's process-group kill on a timeout
	// never reaches it, and it outlives the command that started it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	return exited, nil
}

func runBroker(st *store) error {
	lf, err := os.OpenFile(st.path("broker.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil // another broker won the race
	}
	b := &broker{
		st: st, log: log.New(os.Stderr, fmt.Sprintf("broker[%d] ", os.Getpid()), log.LstdFlags|log.Lmicroseconds),
		active: map[uint64]*job{}, procs: map[uint64]*proc{}, wake: make(chan struct{}, 1),
		dirty: map[uint64]bool{}, idle: time.Now(),
	}
	if b.res.nodes, err = envInt("REFLOW_DOUBLE_NODES", 4); err != nil {
		return err
	}
	if b.res.coresPerNode, err = envInt("REFLOW_DOUBLE_CORES_PER_NODE", 4); err != nil {
		return err
	}
	if b.res.gpusPerNode, err = envInt("REFLOW_DOUBLE_GPUS_PER_NODE", 0); err != nil {
		return err
	}
	b.killGrace = 5 * time.Second
	if v := os.Getenv("REFLOW_DOUBLE_KILL_GRACE"); v != "" {
		if b.killGrace, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("REFLOW_DOUBLE_KILL_GRACE: %v", err)
		}
	}
	b.log.Printf("started: %d nodes x %d cores, %d GPUs per node", b.res.nodes, b.res.coresPerNode, b.res.gpusPerNode)

	unlock := st.lock()
	err = b.recover()
	unlock()
	if err != nil {
		return err
	}
	timer := time.NewTicker(tick)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
		case <-b.wake: // tasks ended; handled in the round, with the lock held
		}
		if _, err := os.Stat(st.path("shutdown")); err == nil || b.stateGone() {
			b.killAll()
			b.log.Printf("shutting down")
			return nil
		}
		unlock := st.lock()
		err := b.round(time.Now())
		if err == nil && len(b.active) == 0 && time.Since(b.idle) > idleExit {
			// Let go of broker.lock while still holding the state lock:
			// a submitter that enqueues after this finds no broker and
			// starts one.
			syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
			unlock()
			b.log.Printf("idle; exiting")
			return nil
		}
		unlock()
		if err != nil {
			b.log.Printf("round: %v", err)
		}
	}
}

func (b *broker) stateGone() bool {
	_, err := os.Stat(b.st.path("jobs"))
	return errors.Is(err, os.ErrNotExist)
}

// recover loads the active jobs a previous broker left. Jobs it was
// running have lost their job shell: their processes are killed and the
// jobs fail the way Flux fails a job whose shell it lost contact with.
func (b *broker) recover() error {
	all, err := b.st.all()
	if err != nil {
		return err
	}
	now := time.Now()
	for _, j := range all {
		if !j.active() {
			continue
		}
		b.add(j)
		if j.State == stateRun || j.State == stateCleanup {
			for _, pid := range j.Pids {
				syscall.Kill(-pid, syscall.SIGKILL)
			}
			j.Exception = &exception{Type: "exec", Severity: 0, Note: "lost contact with job shell on broker double (rank 0)"}
			b.finish(j, now, nil)
		}
	}
	ents, _ := os.ReadDir(b.st.path("new"))
	for _, e := range ents {
		os.Remove(b.st.path("new", e.Name()))
	}
	return b.flush()
}

func (b *broker) add(j *job) {
	if _, ok := b.active[j.ID]; ok {
		return
	}
	b.active[j.ID] = j
	b.order = append(b.order, j.ID)
}

// killAll ends every running job's processes; the broker is going away.
func (b *broker) killAll() {
	for _, p := range b.procs {
		p.signal(syscall.SIGKILL)
	}
}

// shutdown kills every job and the broker (tests call it before they
// remove the state directory), then waits for the broker to exit.
func shutdown(st *store, stderr io.Writer) int {
	if err := writeFile(st.path("shutdown"), nil); err != nil {
		fmt.Fprintf(stderr, "flux: %v\n", err)
		return 1
	}
	defer os.Remove(st.path("shutdown"))
	f, err := os.OpenFile(st.path("broker.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		fmt.Fprintf(stderr, "flux: %v\n", err)
		return 1
	}
	defer f.Close()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		if time.Now().After(deadline) {
			fmt.Fprintln(stderr, "flux: the double's broker did not exit")
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
	// No broker: jobs a dead broker left running are killed here.
	unlock := st.lock()
	defer unlock()
	all, _ := st.all()
	for _, j := range all {
		for _, pid := range j.Pids {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	return 0
}
