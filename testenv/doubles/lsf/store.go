package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// store is the double's state directory. Every change happens under an
// exclusive flock on dir/lock; readers take it shared. Files are written
// whole to a temporary name and renamed, so a reader never sees half of one.
type store struct {
	dir string
}

func (s *store) jobsDir() string            { return filepath.Join(s.dir, "jobs") }
func (s *store) jobDir(id int64) string     { return filepath.Join(s.jobsDir(), strconv.FormatInt(id, 10)) }
func (s *store) elemDir(id int64) string    { return filepath.Join(s.jobDir(id), "e") }
func (s *store) scriptPath(id int64) string { return filepath.Join(s.jobDir(id), "script") }

// elemFile is the path of an element's file of the given kind ("start",
// "pid", "kill", "end").
func (s *store) elemFile(id int64, index int, kind string) string {
	return filepath.Join(s.elemDir(id), strconv.Itoa(index)+"."+kind)
}

// lock takes the state lock, exclusive or shared, and returns its release.
func (s *store) lock(exclusive bool) (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// nextID hands out the next job id; the caller holds the exclusive lock.
// A fresh cluster starts at 101, as OpenLava does.
func (s *store) nextID() (int64, error) {
	path := filepath.Join(s.dir, "seq")
	last := int64(100)
	if b, err := os.ReadFile(path); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			last = n
		}
	}
	id := last + 1
	return id, writeAtomic(path, []byte(strconv.FormatInt(id, 10)+"\n"))
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// createJSON writes v to path unless path exists: the first account of an
// element's end wins (bkill -r against res, say).
func createJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeAtomic(path, b)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// create writes a new job: its directory is built under a temporary name
// and renamed into place, so it appears complete or not at all.
func (s *store) create(j *Job, script []byte) error {
	if err := os.MkdirAll(s.jobsDir(), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(s.jobsDir(), fmt.Sprintf(".new%d", j.ID))
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "e"), 0o755); err != nil {
		return err
	}
	if script != nil {
		if err := os.WriteFile(filepath.Join(tmp, "script"), script, 0o755); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(tmp, "job.json"), j); err != nil {
		return err
	}
	return os.Rename(tmp, s.jobDir(j.ID))
}

// load reads a job record; ok is false when there is no such job.
func (s *store) load(id int64) (*Job, bool) {
	var j Job
	if err := readJSON(filepath.Join(s.jobDir(id), "job.json"), &j); err != nil {
		return nil, false
	}
	return &j, true
}

// ids lists every job id in the store, ascending.
func (s *store) ids() []int64 {
	ents, _ := os.ReadDir(s.jobsDir())
	var out []int64
	for _, e := range ents {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
