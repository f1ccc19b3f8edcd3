package main

import (
	"strconv"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// job is one submitted job as the double keeps it.
type job struct {
	Seq       int                    `json:"seq"`
	ID        string                 `json:"id"` // "1234.pbs01" or "1234[].pbs01"
	Name      string                 `json:"name"`
	Owner     string                 `json:"owner"`
	Queue     string                 `json:"queue"`
	Account   string                 `json:"account,omitempty"`
	Project   string                 `json:"project,omitempty"`
	Resources []pbssyntax.Resource   `json:"resources,omitempty"`
	Walltime  float64                `json:"walltime,omitempty"` // seconds; 0: none
	Array     *pbssyntax.ArrayRange  `json:"array,omitempty"`
	Depend    []pbssyntax.Dependency `json:"depend,omitempty"`
	DependRaw string                 `json:"depend_raw,omitempty"`
	UserHold  bool                   `json:"user_hold,omitempty"`
	Script    string                 `json:"script,omitempty"` // path of the spooled script
	Command   []string               `json:"command,omitempty"`
	Shell     string                 `json:"shell"`
	Stdout    string                 `json:"stdout"` // resolved path; may hold ^array_index^
	Stderr    string                 `json:"stderr"`
	Join      string                 `json:"join,omitempty"`
	Env       map[string]string      `json:"env"`
	WorkDir   string                 `json:"work_dir"`
	SubmitDir string                 `json:"submit_dir"`
	Args      string                 `json:"args"`
	Created   time.Time              `json:"created"`

	// Released is set once the dependencies hold (or there are none).
	Released bool `json:"released,omitempty"`
	// Deleted is set when the job was deleted before all of it ran: by
	// qdel, or by the server because a dependency can never hold.
	Deleted   bool      `json:"deleted,omitempty"`
	DeletedAt time.Time `json:"deleted_at,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	Purged    bool      `json:"purged,omitempty"` // qdel -x
	Elems     []*elem   `json:"elems"`
}

// elem is one subjob, or the job itself when it is not an array.
type elem struct {
	Index int       `json:"index"`
	PID   int       `json:"pid,omitempty"`
	Start time.Time `json:"start,omitempty"`
	End   time.Time `json:"end,omitempty"`
	// Exit is the Exit_status; nil when the element never produced one.
	Exit *int `json:"exit,omitempty"`
	// Deleted: ended without running (qdel while queued, dependency).
	Deleted bool `json:"deleted,omitempty"`
	// Kill says why the double signalled it: "qdel", "force" or "walltime".
	Kill     string    `json:"kill,omitempty"`
	TermSent time.Time `json:"term_sent,omitempty"`
	KillSent bool      `json:"kill_sent,omitempty"`
}

func (e *elem) started() bool { return !e.Start.IsZero() }

// ended: the element's process is gone or it was deleted.
func (e *elem) ended() bool { return e.Deleted || !e.End.IsZero() }

// done: ended and past the exiting window; dependencies and history see
// only done elements as finished.
func (e *elem) done(c *config, now time.Time) bool {
	return e.Deleted || !e.End.IsZero() && !now.Before(e.End.Add(c.exiting))
}

func (e *elem) running() bool { return e.started() && e.End.IsZero() }

// isArray reports whether the job is an array job.
func (j *job) isArray() bool { return j.Array != nil }

// done reports whether every element is done.
func (j *job) done(c *config, now time.Time) bool {
	for _, e := range j.Elems {
		if !e.done(c, now) {
			return false
		}
	}
	return true
}

// finishedAt is when the job became done (zero while it is not).
func (j *job) finishedAt(c *config, now time.Time) time.Time {
	if !j.done(c, now) {
		return time.Time{}
	}
	var t time.Time
	for _, e := range j.Elems {
		end := e.End
		if e.Deleted && end.IsZero() {
			end = j.DeletedAt
		} else if !end.IsZero() {
			end = end.Add(c.exiting)
		}
		if end.After(t) {
			t = end
		}
	}
	return t
}

// started reports whether any element started.
func (j *job) started() bool {
	for _, e := range j.Elems {
		if e.started() {
			return true
		}
	}
	return false
}

// exitStatus is the job's Exit_status: an element's own for a plain job;
// for an array, by default the one of the subjob that finished last (what
// OpenPBS 23.06 reports), or with arrayExit "doc" the documented 0/1/2.
// ok is false when there is none (never ran, deleted).
func (j *job) exitStatus(c *config) (int, bool) {
	if !j.isArray() {
		if e := j.Elems[0]; e.Exit != nil {
			return *e.Exit, true
		}
		return 0, false
	}
	if c.arrayExit == "doc" {
		code, any := 0, false
		for _, e := range j.Elems {
			if e.Exit == nil {
				continue
			}
			any = true
			switch {
			case *e.Exit < 0:
				code = 2
			case *e.Exit > 0 && code == 0:
				code = 1
			}
		}
		return code, any
	}
	var last *elem
	for _, e := range j.Elems {
		if e.End.IsZero() {
			continue
		}
		if last == nil || !e.End.Before(last.End) {
			last = e
		}
	}
	if last == nil || last.Exit == nil {
		return 0, false
	}
	return *last.Exit, true
}

// elemState is the state letter qstat shows for an element.
func (j *job) elemState(c *config, e *elem, now time.Time) string {
	switch {
	case e.done(c, now):
		if c.torque() {
			return "C"
		}
		if j.isArray() {
			return "X"
		}
		return "F"
	case e.ended():
		return "E"
	case e.started():
		return "R"
	case !j.Released || j.UserHold:
		return "H"
	}
	return "Q"
}

// state is the state letter qstat shows for the job (the parent, for an
// array): B once a subjob began, F when all are done.
func (j *job) state(c *config, now time.Time) string {
	if !j.isArray() {
		return j.elemState(c, j.Elems[0], now)
	}
	if j.done(c, now) {
		if c.torque() {
			return "C"
		}
		return "F"
	}
	if j.started() {
		if c.torque() {
			return "R"
		}
		return "B"
	}
	if !j.Released || j.UserHold {
		return "H"
	}
	return "Q"
}

// substate is the PBS substate number for a state letter.
func (j *job) substate(c *config, e *elem, letter string) int {
	switch letter {
	case "Q":
		return 10
	case "H":
		if !j.Released {
			return 22
		}
		return 20
	case "R", "B":
		return 42
	case "E":
		return 51
	case "F", "X", "C":
		switch {
		case e != nil && e.Deleted, e == nil && j.Deleted:
			return 91
		case e != nil && e.Kill == "walltime" && c.site.AtLeast(22, 5):
			return 93
		case e != nil && (e.Kill == "qdel" || e.Kill == "force"):
			return 91
		}
		return 92
	}
	return 0
}

// elemID is the id of element e: the job's own id, or "seq[i].server".
func (j *job) elemID(c *config, e *elem) string {
	if !j.isArray() {
		return j.ID
	}
	return strconv.Itoa(j.Seq) + "[" + strconv.Itoa(e.Index) + "]." + c.server
}

// elemByIndex finds the subjob with array index i.
func (j *job) elemByIndex(i int) *elem {
	for _, e := range j.Elems {
		if e.Index == i {
			return e
		}
	}
	return nil
}

// visible reports whether qstat still lists the job, and whether only as
// history: finished jobs stay for the history duration (OpenPBS with
// history enabled: with -x only; Torque: in state C), then vanish.
func (j *job) visible(c *config, now time.Time) (listed, historyOnly bool) {
	if j.Purged {
		return false, false
	}
	if !j.done(c, now) {
		return true, false
	}
	if c.torque() {
		return now.Before(j.finishedAt(c, now).Add(c.history)), false
	}
	if !c.historyOn {
		return false, false
	}
	return now.Before(j.finishedAt(c, now).Add(c.history)), true
}
