package fluxexec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/sdk"
)

// maxArgBytes bounds the ids of one flux jobs or flux cancel command line,
// far below the kernel's limit: a Poll of many thousand jobs becomes a few
// calls rather than one that cannot start.
const maxArgBytes = 128 << 10

// record is the part of a `flux jobs --json` record the plugin reads.
// Keys Flux leaves out when unset (a pending job has no result or
// returncode) stay nil or zero.
type record struct {
	ID             uint64
	Name           string
	State          string
	Result         string
	Returncode     *int
	Urgency        *int
	TRun           float64
	TInactive      float64
	Dependencies   []string
	InactiveReason string
	Exception      struct {
		Occurred bool
		Type     string
		Severity int
		Note     string
	}
}

// rawRecord decodes a record with json.Number, because Flux job ids are
// 64-bit integers that a float64 cannot hold exactly.
type rawRecord struct {
	ID             json.Number  `json:"id"`
	Name           string       `json:"name"`
	State          string       `json:"state"`
	Result         string       `json:"result"`
	Returncode     *json.Number `json:"returncode"`
	Urgency        *json.Number `json:"urgency"`
	TRun           json.Number  `json:"t_run"`
	TInactive      json.Number  `json:"t_inactive"`
	Dependencies   []string     `json:"dependencies"`
	InactiveReason string       `json:"inactive_reason"`
	Exception      *struct {
		Occurred bool        `json:"occurred"`
		Type     string      `json:"type"`
		Severity json.Number `json:"severity"`
		Note     string      `json:"note"`
	} `json:"exception"`
}

func (r rawRecord) record() (record, error) {
	id, err := strconv.ParseUint(r.ID.String(), 10, 64)
	if err != nil {
		return record{}, fmt.Errorf("record with id %q: %v", r.ID, err)
	}
	out := record{ID: id, Name: r.Name, State: r.State, Result: r.Result, Dependencies: r.Dependencies, InactiveReason: r.InactiveReason}
	num := func(n *json.Number) *int {
		if n == nil {
			return nil
		}
		v, err := strconv.Atoi(n.String())
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return nil
			}
			v = int(f)
		}
		return &v
	}
	out.Returncode, out.Urgency = num(r.Returncode), num(r.Urgency)
	out.TRun, _ = r.TRun.Float64()
	out.TInactive, _ = r.TInactive.Float64()
	if x := r.Exception; x != nil {
		out.Exception.Occurred, out.Exception.Type, out.Exception.Note = x.Occurred, x.Type, x.Note
		if s, err := strconv.Atoi(x.Severity.String()); err == nil {
			out.Exception.Severity = s
		}
	}
	return out, nil
}

// parseJobsJSON reads the output of `flux jobs --json ID...`: a bare
// record for exactly one id (nothing at all when it is unknown), else
// {"jobs":[...]}.
func parseJobsJSON(out []byte) ([]record, error) {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var probe map[string]json.RawMessage
	if err := dec.Decode(&probe); err != nil {
		return nil, fmt.Errorf("flux jobs --json: %v", err)
	}
	var raws []rawRecord
	if list, ok := probe["jobs"]; ok && probe["id"] == nil {
		d := json.NewDecoder(bytes.NewReader(list))
		d.UseNumber()
		if err := d.Decode(&raws); err != nil {
			return nil, fmt.Errorf("flux jobs --json: %v", err)
		}
	} else {
		var r rawRecord
		d := json.NewDecoder(bytes.NewReader(out))
		d.UseNumber()
		if err := d.Decode(&r); err != nil {
			return nil, fmt.Errorf("flux jobs --json: %v", err)
		}
		raws = []rawRecord{r}
	}
	recs := make([]record, 0, len(raws))
	for _, r := range raws {
		rec, err := r.record()
		if err != nil {
			return nil, fmt.Errorf("flux jobs --json: %v", err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// onlyUnknown reports whether stderr holds nothing but "JobID X unknown"
// lines, which flux jobs prints for ids it does not know (and from 0.80
// exits 1 for when it knows none of them).
func onlyUnknown(stderr []byte) bool {
	for line := range strings.SplitSeq(strings.TrimSpace(string(stderr)), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !(strings.HasPrefix(line, "JobID ") && strings.HasSuffix(line, " unknown")) {
			return false
		}
	}
	return true
}

// chunks splits ids into command-line-sized groups, keeping order.
func chunks(ids []uint64) [][]uint64 {
	var (
		out  [][]uint64
		cur  []uint64
		size int
	)
	for _, id := range ids {
		n := len(dec(id)) + 1
		if size+n > maxArgBytes && len(cur) > 0 {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, id)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// query runs `flux jobs --json ID...` for ids (one call unless the
// command line would be too long) and returns the records of the ids Flux
// knows. calls is how many commands it ran.
func (e *Executor) query(ctx context.Context, ids []uint64) ([]record, int, error) {
	var (
		recs  []record
		calls int
	)
	for _, chunk := range chunks(ids) {
		args := []string{"jobs", "--json"}
		for _, id := range chunk {
			args = append(args, dec(id))
		}
		calls++
		res, err := e.runFlux(ctx, args...)
		var ce *sdk.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.ExitCode == 1 && onlyUnknown(res.Stderr)) {
			return nil, calls, err
		}
		got, err := parseJobsJSON(res.Stdout)
		if err != nil {
			return nil, calls, err
		}
		recs = append(recs, got...)
	}
	return recs, calls, nil
}
