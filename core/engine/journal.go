package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/reflow-hpc/reflow/core/runspec"
	"github.com/reflow-hpc/reflow/core/store"
	"github.com/reflow-hpc/reflow/pluginapi"
)

// The submission journal closes the one gap between the scheduler and the
// store: a round submits jobs first and commits their handles at its end,
// so a dispatcher killed in between (SIGKILL, a dispatcher job hitting its
// time limit) would leave jobs running that the store knows nothing of, and
// the next dispatcher would submit them again. Each submission is therefore
// appended to <run>/.reflow/submissions.jsonl the moment Submit returns,
// before anything else happens; a dispatcher that loads the run replays the
// lines the store has not caught up with, so it reattaches to those jobs
// instead of submitting them twice. The journal is emptied after every
// commit, since the store then holds everything in it.
//
// No fsync: the journal guards against the dispatcher process dying, and
// what a process wrote survives its death in the page cache. A whole-node
// crash loses the lines, and with them, at worst, one round's submissions.

// journalLine is one submission.
type journalLine struct {
	Task    string           `json:"task"`
	Attempt int              `json:"attempt"`
	Indices []int            `json:"indices"` // store indices; -1 for a singleton
	Handle  pluginapi.Handle `json:"handle"`
	At      time.Time        `json:"at"`
}

// journal appends submissions to a run's journal file.
type journal struct {
	path    string
	f       *os.File
	written bool
}

func (jl *journal) append(l journalLine) error {
	if jl.f == nil {
		if err := os.MkdirAll(filepath.Dir(jl.path), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(jl.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		jl.f = f
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if _, err := jl.f.Write(append(b, '\n')); err != nil {
		return err
	}
	jl.written = true
	return nil
}

// reset empties the journal once a commit holds its lines.
func (jl *journal) reset() error {
	if !jl.written {
		return nil
	}
	jl.written = false
	return jl.f.Truncate(0)
}

func (jl *journal) close() {
	if jl.f != nil {
		jl.f.Close()
		jl.f = nil
	}
}

// replayJournal applies the submissions a dead dispatcher made but did not
// commit: an instance the store still has pending at an earlier attempt is
// out with the journal's handle. It returns how many instances it moved.
func replayJournal(m *model) (int, error) {
	f, err := os.Open(runspec.SubmissionsPath(m.run.RunDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var l journalLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // a line cut short by the kill: that submission's Submit had not returned
		}
		j := m.jobs[l.Task]
		if j == nil {
			continue
		}
		for _, idx := range l.Indices {
			in := j.at(idx)
			if in == nil || in.placeholder || in.State != store.InstancePending || in.Attempt >= l.Attempt {
				continue
			}
			in.markSubmitted(l.Attempt, l.Handle, l.At)
			n++
		}
	}
	return n, sc.Err()
}
