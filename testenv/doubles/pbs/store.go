package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// store is the state directory. Every change to it happens under an
// exclusive flock of <state>/lock; records are written to a temporary file
// and renamed, so a reader without the lock never sees half a record.
type store struct {
	dir  string
	lock *os.File
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o755); err != nil {
		return nil, err
	}
	return &store{dir: dir}, nil
}

// locked runs fn holding the exclusive lock.
func (s *store) locked(fn func() error) error {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// nextSeq allocates a job sequence number; call it under the lock.
func (s *store) nextSeq() (int, error) {
	p := filepath.Join(s.dir, "seq")
	b, err := os.ReadFile(p)
	n := 1000
	if err == nil {
		if n, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			return 0, fmt.Errorf("corrupt %s: %v", p, err)
		}
	} else if !os.IsNotExist(err) {
		return 0, err
	}
	n++
	return n, writeAtomic(p, []byte(strconv.Itoa(n)+"\n"))
}

func (s *store) jobPath(seq int) string {
	return filepath.Join(s.dir, "jobs", strconv.Itoa(seq)+".json")
}

// scriptPath is where qsub keeps a job's script (PBS spools it too).
func (s *store) scriptPath(seq int) string {
	return filepath.Join(s.dir, "jobs", strconv.Itoa(seq)+".sh")
}

// load reads one job; ok is false when there is no such job.
func (s *store) load(seq int) (*job, bool, error) {
	b, err := os.ReadFile(s.jobPath(seq))
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var j job
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, false, fmt.Errorf("corrupt job record %s: %v", s.jobPath(seq), err)
	}
	return &j, true, nil
}

// save writes one job; call it under the lock.
func (s *store) save(j *job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return writeAtomic(s.jobPath(j.Seq), b)
}

// all reads every job, in sequence order.
func (s *store) all() ([]*job, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "jobs"))
	if err != nil {
		return nil, err
	}
	var seqs []int
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			if seq, err := strconv.Atoi(n); err == nil {
				seqs = append(seqs, seq)
			}
		}
	}
	sort.Ints(seqs)
	var out []*job
	for _, seq := range seqs {
		j, ok, err := s.load(seq)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, j)
		}
	}
	return out, nil
}

// update re-reads job seq under the lock, lets fn change it, and saves it
// when fn reports a change.
func (s *store) update(seq int, fn func(j *job) bool) (*job, error) {
	var out *job
	err := s.locked(func() error {
		j, ok, err := s.load(seq)
		if err != nil || !ok {
			return err
		}
		out = j
		if fn(j) {
			return s.save(j)
		}
		return nil
	})
	return out, err
}

func writeAtomic(path string, b []byte) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
