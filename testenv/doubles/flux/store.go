package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// store is the double's state directory.
type store struct {
	dir     string
	lockf   *os.File
	history time.Duration // 0: inactive jobs are kept
}

const stateEnv = "REFLOW_DOUBLE_STATE"

func openStore() (*store, error) {
	dir := os.Getenv(stateEnv)
	if dir == "" {
		return nil, fmt.Errorf("%s is not set: the flux test double keeps its jobs in that directory", stateEnv)
	}
	for _, sub := range []string{"jobs", "new", "cancel", "out"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	s := &store{dir: dir, lockf: f}
	if h := os.Getenv("REFLOW_DOUBLE_HISTORY"); h != "" {
		d, err := time.ParseDuration(h)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("REFLOW_DOUBLE_HISTORY=%q is not a positive duration such as 2s", h)
		}
		s.history = d
	}
	return s, nil
}

// lock takes the state lock; every command holds it while it reads or
// writes job records, so concurrent invocations see consistent state.
func (s *store) lock() func() {
	for {
		err := syscall.Flock(int(s.lockf.Fd()), syscall.LOCK_EX)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EINTR) {
			panic(fmt.Sprintf("flock %s: %v", s.lockf.Name(), err))
		}
	}
	return func() { syscall.Flock(int(s.lockf.Fd()), syscall.LOCK_UN) }
}

func (s *store) path(parts ...string) string {
	return filepath.Join(append([]string{s.dir}, parts...)...)
}

func jobFile(id uint64) string { return strconv.FormatUint(id, 10) + ".json" }

// writeFile writes atomically: a reader sees the old or the new content.
func writeFile(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (s *store) put(j *job) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return writeFile(s.path("jobs", jobFile(j.ID)), data)
}

// get reads a job; nil when the instance does not know it (never
// submitted, or purged). Call with the lock held.
func (s *store) get(id uint64) (*job, error) {
	data, err := os.ReadFile(s.path("jobs", jobFile(id)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var j job
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("job record %d: %v", id, err)
	}
	if s.expired(&j, time.Now()) {
		os.Remove(s.path("jobs", jobFile(id)))
		return nil, nil
	}
	return &j, nil
}

// expired reports whether an inactive job is past the history limit and
// so purged, as [job-manager] inactive-age-limit does.
func (s *store) expired(j *job, now time.Time) bool {
	return s.history > 0 && j.State == stateInactive && j.TInact > 0 &&
		now.Sub(fromEpoch(j.TInact)) > s.history
}

// all returns every job the instance still knows, oldest first.
func (s *store) all() ([]*job, error) {
	ents, err := os.ReadDir(s.path("jobs"))
	if err != nil {
		return nil, err
	}
	var out []*job
	for _, e := range ents {
		n, ok := cutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		id, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			continue
		}
		j, err := s.get(id)
		if err != nil {
			return nil, err
		}
		if j != nil {
			out = append(out, j)
		}
	}
	sortJobs(out)
	return out, nil
}

func cutSuffix(s, suf string) (string, bool) {
	if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
		return s[:len(s)-len(suf)], true
	}
	return s, false
}

// instance is the instance's persistent identity.
type instance struct {
	StartMS int64  `json:"start_ms"`
	LastID  uint64 `json:"last_id"`
}

// nextID issues a job id shaped like a Flux FLUID: milliseconds since the
// instance started in the upper 40 bits, a sequence number below. The
// instance pretends to have started a year ago so ids exceed 2^53 and a
// client that reads them as JSON floats is caught. Call with the lock held.
func (s *store) nextID() (uint64, error) {
	var in instance
	path := s.path("instance.json")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		in.StartMS = time.Now().Add(-365 * 24 * time.Hour).UnixMilli()
	case err != nil:
		return 0, err
	default:
		if err := json.Unmarshal(data, &in); err != nil {
			return 0, fmt.Errorf("instance.json: %v", err)
		}
	}
	id := uint64(time.Now().UnixMilli()-in.StartMS) << 24
	if id <= in.LastID {
		id = in.LastID + 1
	}
	in.LastID = id
	data, _ = json.Marshal(in)
	return id, writeFile(path, data)
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func fromEpoch(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9))
}
