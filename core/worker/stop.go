package worker

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopper turns the first SIGTERM/SIGINT (or the context's end) into one
// closed channel that every stage of the attempt can watch. It is set up
// before anything else so that a signal arriving while the worker is still
// reading its spec is recorded rather than killing the worker.
type stopper struct {
	ch     chan struct{}
	once   sync.Once
	signal string // the signal that tripped it; "" for the context
	sigs   chan os.Signal
	done   chan struct{}
}

// stopSignals are the signals with which schedulers stop a job: SIGTERM
// (Slurm, PBS, LSF, cancels everywhere), SIGINT (Ctrl-C), SIGALRM (Flux at a
// time limit), SIGUSR1 (SGE's soft wall-clock limit s_rt) and SIGXCPU
// (CPU-time limits, SGE's s_cpu). The worker passes each on to the command
// as SIGTERM: the command runs in a process group of its own, which the
// scheduler's signal to the job does not reach.
var stopSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGALRM, syscall.SIGUSR1, syscall.SIGXCPU}

func newStopper(ctx context.Context) *stopper {
	s := &stopper{ch: make(chan struct{}), sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(s.sigs, stopSignals...)
	go func() {
		select {
		case sig := <-s.sigs:
			name := sig.String()
			if n, ok := sig.(syscall.Signal); ok {
				name = unix.SignalName(n)
			}
			s.trip(name)
		case <-ctx.Done():
			s.trip("")
		case <-s.done:
		}
	}()
	return s
}

func (s *stopper) trip(sig string) {
	s.once.Do(func() {
		s.signal = sig
		close(s.ch)
	})
}

// stopped reports whether the attempt must stop; it is cheap enough to
// poll between reads of a file being hashed.
func (s *stopper) stopped() bool {
	select {
	case <-s.ch:
		return true
	default:
		return false
	}
}

// cause names what stopped the attempt, for the result's reason.
func (s *stopper) cause() string {
	if s.signal == "" {
		return "the worker was cancelled"
	}
	return "the worker received " + s.signal + " (time limit, cancellation or preemption)"
}

func (s *stopper) close() {
	signal.Stop(s.sigs)
	close(s.done)
}
