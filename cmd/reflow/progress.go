package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/core/store"
)

// newProgress shows a run's progress: on a terminal a live bar (done of
// total, with the counts of the other states beside it); elsewhere — a
// batch job's log, a pipe — a plain line whenever the counts change. Events
// (failures, retries) are printed as lines either way.
func newProgress(w io.Writer) func(engine.Summary) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb" {
		return barProgress(f)
	}
	return lineProgress(w)
}

// barProgress drives a progress bar.
func barProgress(w io.Writer) func(engine.Summary) {
	bar := progressbar.NewOptions(1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
	)
	return func(s engine.Summary) {
		for _, e := range s.Events {
			progressbar.Bprintln(bar, "  "+e)
		}
		done := s.Counts[store.InstanceSucceeded] + s.Counts[store.InstanceCached]
		bar.ChangeMax(max(s.Total, 1))
		bar.Describe(strings.TrimSpace(strings.TrimPrefix(progressLine(s), fmt.Sprintf("[%d/%d done]", done, s.Total))))
		bar.Set(done)
		if s.Done {
			bar.Finish()
			fmt.Fprintln(w)
		}
	}
}

// lineProgress prints a line whenever the counts change.
func lineProgress(w io.Writer) func(engine.Summary) {
	last := ""
	return func(s engine.Summary) {
		for _, e := range s.Events {
			fmt.Fprintf(w, "  %s\n", e)
		}
		line := progressLine(s)
		if line != last {
			fmt.Fprintln(w, line)
			last = line
		}
	}
}

func progressLine(s engine.Summary) string {
	done := s.Counts[store.InstanceSucceeded] + s.Counts[store.InstanceCached]
	var parts []string
	for _, st := range []store.InstanceState{store.InstanceCached, store.InstanceRunning, store.InstanceSubmitted,
		store.InstancePending, store.InstanceFailed, store.InstanceSkipped, store.InstanceCancelled} {
		if n := s.Counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	line := fmt.Sprintf("[%d/%d done]", done, s.Total)
	if len(parts) > 0 {
		line += " " + strings.Join(parts, ", ")
	}
	if len(s.Unsized) > 0 {
		line += fmt.Sprintf("; sized later: %s", strings.Join(s.Unsized, ", "))
	}
	return line
}
