package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The LSF job states the double produces.
const (
	statPEND  = "PEND"
	statPSUSP = "PSUSP"
	statRUN   = "RUN"
	statDONE  = "DONE"
	statEXIT  = "EXIT"
	statUNKWN = "UNKWN"
)

// startRec is an element's .start file, written by mbatchd when it
// dispatches the element.
type startRec struct {
	Time   time.Time
	ResPID int
	Host   string
}

// endRec is an element's .end file: how it ended. Exit is -1 when the
// element never ran (killed while pending) or could not start.
type endRec struct {
	Exit   int
	Reason string // TERM_* keyword; "" for a normal exit
	Time   time.Time
}

// killRec is an element's .kill file, written by bkill.
type killRec struct {
	Reason string
	Time   time.Time
}

// elem is the state of one element as bjobs shows it.
type elem struct {
	Index  int
	Stat   string
	Exit   int // -1: no exit code
	Reason string
	Start  time.Time
	End    time.Time
}

func (e elem) ended() bool   { return e.Stat == statDONE || e.Stat == statEXIT }
func (e elem) started() bool { return !e.Start.IsZero() }

// jobView is a job with the states of its elements at one moment.
type jobView struct {
	job   *Job
	elems []elem
	pos   map[int]int // index → position in elems
}

func (v *jobView) elem(index int) (elem, bool) {
	p, ok := v.pos[index]
	if !ok {
		return elem{}, false
	}
	return v.elems[p], true
}

// finished reports whether every element ended, and when the last did.
func (v *jobView) finished() (bool, time.Time) {
	var last time.Time
	for _, e := range v.elems {
		if !e.ended() {
			return false, time.Time{}
		}
		if e.End.After(last) {
			last = e.End
		}
	}
	return true, last
}

// cluster is what one command sees of the jobs: loaded lazily, each at
// most once.
type cluster struct {
	st      *store
	cfg     config
	now     time.Time
	views   map[int64]*jobView
	missing map[int64]bool
	// cache, when set, keeps immutable job records across passes (mbatchd).
	cache map[int64]*Job
}

func newCluster(st *store, cfg config) *cluster {
	return &cluster{st: st, cfg: cfg, now: time.Now(), views: map[int64]*jobView{}, missing: map[int64]bool{}}
}

// get returns job id, unless it does not exist or finished longer than
// the history period ago (then LSF no longer knows it).
func (c *cluster) get(id int64) (*jobView, bool) {
	if v, ok := c.views[id]; ok {
		return v, true
	}
	if c.missing[id] {
		return nil, false
	}
	var j *Job
	if c.cache != nil {
		j = c.cache[id]
	}
	if j == nil {
		var ok bool
		if j, ok = c.st.load(id); !ok {
			c.missing[id] = true
			return nil, false
		}
		if c.cache != nil {
			c.cache[id] = j
		}
	}
	v := c.view(j)
	if done, last := v.finished(); done && c.now.Sub(last) > c.cfg.History {
		c.missing[id] = true
		return nil, false
	}
	c.views[id] = v
	return v, true
}

// all returns every job LSF still knows, by ascending id.
func (c *cluster) all() []*jobView {
	var out []*jobView
	for _, id := range c.st.ids() {
		if v, ok := c.get(id); ok {
			out = append(out, v)
		}
	}
	return out
}

// byName returns the jobs named name (a prefix when wildcard).
func (c *cluster) byName(name string, wildcard bool) []*jobView {
	var out []*jobView
	for _, v := range c.all() {
		if v.job.Name == name || wildcard && strings.HasPrefix(v.job.Name, name) {
			out = append(out, v)
		}
	}
	return out
}

// view reads the element files of j.
func (c *cluster) view(j *Job) *jobView {
	idx := j.indices()
	v := &jobView{job: j, elems: make([]elem, len(idx)), pos: make(map[int]int, len(idx))}
	for p, i := range idx {
		v.elems[p] = c.elem(j, i)
		v.pos[i] = p
	}
	return v
}

// elem works out one element's state from its files: ended (.end), else
// dispatched (.start: RUN, or UNKWN when its res process is gone), else
// pending (PSUSP when held).
func (c *cluster) elem(j *Job, index int) elem {
	e := elem{Index: index, Exit: -1}
	var end endRec
	if readJSON(c.st.elemFile(j.ID, index, "end"), &end) == nil {
		return c.ended(j, index, e, end)
	}
	var start startRec
	if readJSON(c.st.elemFile(j.ID, index, "start"), &start) == nil {
		e.Stat, e.Start = statRUN, start.Time
		if !alive(start.ResPID) {
			// res writes .end before it exits: look again before calling
			// the element lost.
			if readJSON(c.st.elemFile(j.ID, index, "end"), &end) == nil {
				return c.ended(j, index, e, end)
			}
			e.Stat = statUNKWN
		}
		return e
	}
	e.Stat = statPEND
	if j.Hold {
		e.Stat = statPSUSP
	}
	return e
}

func (c *cluster) ended(j *Job, index int, e elem, end endRec) elem {
	var start startRec
	if readJSON(c.st.elemFile(j.ID, index, "start"), &start) == nil {
		e.Start = start.Time
	}
	e.End, e.Exit, e.Reason = end.Time, end.Exit, end.Reason
	e.Stat = statEXIT
	if end.Exit == 0 && end.Reason == "" {
		e.Stat = statDONE
	}
	return e
}

// alive reports whether process pid exists (and is not a zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no procfs: trust kill(0)
	}
	s := string(b)
	if k := strings.LastIndexByte(s, ')'); k >= 0 && k+2 < len(s) {
		return s[k+2] != 'Z'
	}
	return true
}
