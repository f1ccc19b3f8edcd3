package engine

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/reflow-hpc/reflow/core/cache"
	"github.com/reflow-hpc/reflow/core/parallel"
	"github.com/reflow-hpc/reflow/core/runspec"
)

// partsLine is one line of a parts file (runspec.PartsPath): the parts of
// one instance's identity and the identity they hashed to. It has its own
// JSON names so that renaming a Go field in core/cache cannot silently
// change a format older runs wrote.
type partsLine struct {
	Identity string            `json:"identity"`
	Task     string            `json:"task"`
	Index    int               `json:"index"`
	Command  string            `json:"command"`
	Env      map[string]string `json:"env,omitempty"`
	Version  string            `json:"version,omitempty"`
	Outputs  []string          `json:"outputs,omitempty"`
	Inputs   map[string]string `json:"inputs,omitempty"`
	Upstream []upstreamLine    `json:"upstream,omitempty"`
}

type upstreamLine struct {
	Task     string `json:"task"`
	Index    int    `json:"index"`
	Identity string `json:"identity"`
}

// partsRecord is an identity computed in this round, to record.
type partsRecord struct {
	p  *cache.Parts
	id string
}

// recordParts appends the parts of the identities computed in a round to
// their tasks' parts files (ready instances come in job order, so each
// file is opened once), so `reflow explain` can show them later. Explain
// is a diagnostic: a failed write is logged and never fails the run. No
// fsync: a crash costs only an explanation.
func (d *dispatcher) recordParts(recs []partsRecord) {
	for len(recs) > 0 {
		n := 1
		for n < len(recs) && recs[n].p.Task == recs[0].p.Task {
			n++
		}
		if err := appendParts(d.m.run.RunDir, recs[:n]); err != nil {
			d.cfg.logger().Warn("cannot record cache identity parts", "task", recs[0].p.Task, "error", err)
		}
		recs = recs[n:]
	}
}

// appendParts appends one task's records: a reader may see an incomplete
// last line meanwhile, and ReadParts ignores it.
func appendParts(runDir string, recs []partsRecord) error {
	path := runspec.PartsPath(runDir, recs[0].p.Task)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if errors.Is(err, fs.ErrNotExist) {
		// Made on first use rather than checked for every round.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	}
	if err != nil {
		return err
	}
	// The first round of a 100,000-element array records 100,000 lines:
	// encoded on every core, block by block, and written in order.
	blocks := make([]bytes.Buffer, (len(recs)+partsBlock-1)/partsBlock)
	errs := make([]error, len(blocks))
	parallel.Blocks(len(blocks), 2, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			errs[b] = encodeParts(&blocks[b], recs[b*partsBlock:min((b+1)*partsBlock, len(recs))])
		}
	})
	for b := range blocks {
		if err = errs[b]; err != nil {
			break
		}
		if _, err = f.Write(blocks[b].Bytes()); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// partsBlock is how many parts lines one goroutine encodes at a time.
const partsBlock = 4096

// encodeParts writes one parts line per record to buf.
func encodeParts(buf *bytes.Buffer, recs []partsRecord) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // commands are full of < and >
	for _, r := range recs {
		l := partsLine{Identity: r.id, Task: r.p.Task, Index: r.p.Index, Command: r.p.Command, Env: r.p.Env,
			Version: r.p.Version, Outputs: r.p.Outputs, Inputs: r.p.Inputs}
		for _, u := range r.p.Upstream {
			l.Upstream = append(l.Upstream, upstreamLine{Task: u.Task, Index: u.Index, Identity: u.Identity})
		}
		if err := enc.Encode(l); err != nil { // Encode ends the line
			return err
		}
	}
	return nil
}

// ReadParts returns the identity parts the dispatcher last recorded for an
// instance (index -1 for a singleton), and the identity they hashed to. An
// instance with no record wraps fs.ErrNotExist: its identity was never
// computed, or the run predates recording.
func ReadParts(runDir, task string, index int) (cache.Parts, string, error) {
	all, err := ReadTaskParts(runDir, task)
	if err != nil {
		return cache.Parts{}, "", err
	}
	rec, ok := all[index]
	if !ok {
		return cache.Parts{}, "", fmt.Errorf("%s has no record of index %d: %w", runspec.PartsPath(runDir, task), index, fs.ErrNotExist)
	}
	return rec.Parts, rec.Identity, nil
}

// RecordedParts are an instance's identity parts and the identity.
type RecordedParts struct {
	Parts    cache.Parts
	Identity string
}

// ReadTaskParts reads every instance's latest recorded parts of one task,
// by index, in one pass over its parts file.
func ReadTaskParts(runDir, task string) (map[int]RecordedParts, error) {
	path := runspec.PartsPath(runDir, task)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[int]RecordedParts{}
	var (
		line    int
		badLine error // only an error if another line follows it
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20) // commands may be long
	for sc.Scan() {
		line++
		if badLine != nil {
			return nil, badLine
		}
		var l partsLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			// The last line may be one the dispatcher is still writing.
			badLine = fmt.Errorf("%s:%d: %w", path, line, err)
			continue
		}
		p := cache.Parts{Task: l.Task, Index: l.Index, Command: l.Command, Env: l.Env,
			Version: l.Version, Outputs: l.Outputs, Inputs: l.Inputs}
		for _, u := range l.Upstream {
			p.Upstream = append(p.Upstream, cache.Upstream{Task: u.Task, Index: u.Index, Identity: u.Identity})
		}
		// The last record wins: it is the latest computation.
		out[l.Index] = RecordedParts{Parts: p, Identity: l.Identity}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
