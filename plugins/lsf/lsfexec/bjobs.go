package lsfexec

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/sdk"
)

// bjobsFields are the -o fields Poll asks for: the job, the array index (0
// outside an array), the state, the exit status and LSF's termination
// reason (TERM_*).
const bjobsFields = "jobid jobindex stat exit_code exit_reason"

// bjobsDelimiter separates the fields of the delimited form; no field the
// plugin asks for contains it.
const bjobsDelimiter = "|"

// maxArgBytes bounds the job ids of one bjobs command line, far below the
// kernel's limit; more ids are split over several calls.
const maxArgBytes = 64 << 10

// bjobsRecord is one line of bjobs output: a job, or one array element.
type bjobsRecord struct {
	ID    string
	Index int // LSF array index; 0 outside an array
	Stat  string
	// ExitCode and Reason are "" when bjobs shows no value ("" or "-").
	ExitCode string
	Reason   string
}

// bjobsJob is what bjobs said about one job id.
type bjobsJob struct {
	Found   bool
	Records []bjobsRecord
}

// bjobsArgs is the bjobs command line (without the program) for ids.
func bjobsArgs(json bool, ids []string) []string {
	var args []string
	if json {
		args = []string{"-a", "-json", "-o", bjobsFields}
	} else {
		args = []string{"-a", "-noheader", "-o", bjobsFields + " delimiter='" + bjobsDelimiter + "'"}
	}
	return append(args, ids...)
}

// chunks splits ids so that no command line carries more than maxArgBytes
// of them. Nearly always there is one chunk.
func chunks(ids []string) [][]string {
	var (
		out  [][]string
		cur  []string
		size int
	)
	for _, id := range ids {
		if size+len(id)+1 > maxArgBytes && len(cur) > 0 {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, id)
		size += len(id) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// query asks bjobs about ids: one call, or one per chunk when the ids would
// make the command line too long. bjobs exits non-zero when some (or all)
// ids are unknown but still prints the others, so its output is read
// whatever its exit status; only a call that produced nothing to read is an
// error.
func query(ctx context.Context, cfg config, ids []string) (map[string]*bjobsJob, error) {
	out := make(map[string]*bjobsJob, len(ids))
	for _, chunk := range chunks(ids) {
		res, runErr := sdk.Run(ctx, sdk.Command{Path: cfg.Bjobs, Args: bjobsArgs(cfg.JSON, chunk), Env: commandEnv(), Timeout: cfg.CommandTimeout})
		var (
			recs     []bjobsRecord
			notFound []string
			err      error
		)
		if cfg.JSON {
			recs, notFound, err = parseBjobsJSON(res.Stdout)
		} else {
			recs, err = parseBjobsDelimited(res.Stdout)
		}
		notFound = append(notFound, parseNotFound(res.Stderr)...)
		if err != nil || runErr != nil && len(recs) == 0 && len(notFound) == 0 {
			if runErr != nil {
				return nil, runErr
			}
			return nil, fmt.Errorf("reading the output of bjobs: %v", err)
		}
		for _, r := range recs {
			j := out[r.ID]
			if j == nil {
				j = &bjobsJob{}
				out[r.ID] = j
			}
			j.Found = true
			j.Records = append(j.Records, r)
		}
		for _, id := range notFound {
			if out[id] == nil {
				out[id] = &bjobsJob{}
			}
		}
	}
	return out, nil
}

// commandEnv is the environment of LSF commands: the plugin's, with
// LSB_NTRIES=1 so that bsub (and the batch library under every command)
// gives up at once instead of retrying forever when mbatchd refuses or is
// unreachable.
func commandEnv() []string {
	return append(os.Environ(), "LSB_NTRIES=1")
}

// parseBjobsJSON reads bjobs -json output: {"RECORDS": [...]} with every
// value a string (numbers are tolerated), and {"ERROR": "Job <N> is not
// found"} entries for unknown ids.
func parseBjobsJSON(b []byte) ([]bjobsRecord, []string, error) {
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, nil, nil
	}
	var doc struct {
		Records []map[string]any `json:"RECORDS"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, err
	}
	var (
		recs     []bjobsRecord
		notFound []string
	)
	for _, m := range doc.Records {
		if e, ok := m["ERROR"]; ok {
			notFound = append(notFound, idsIn(str(e))...)
			continue
		}
		r, ok := newRecord(str(m["JOBID"]), str(m["JOBINDEX"]), str(m["STAT"]), str(m["EXIT_CODE"]), str(m["EXIT_REASON"]))
		if ok {
			recs = append(recs, r)
		}
	}
	return recs, notFound, nil
}

// parseBjobsDelimited reads bjobs -noheader -o "... delimiter='|'": one
// record a line, fields in bjobsFields order. A header line (upper-case
// names) is skipped in case -noheader was not honoured.
func parseBjobsDelimited(b []byte) ([]bjobsRecord, error) {
	var recs []bjobsRecord
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.SplitN(line, bjobsDelimiter, 5)
		if len(f) < 3 || f[0] == "JOBID" {
			continue
		}
		for len(f) < 5 {
			f = append(f, "")
		}
		if r, ok := newRecord(f[0], f[1], f[2], f[3], f[4]); ok {
			recs = append(recs, r)
		}
	}
	return recs, sc.Err()
}

// elementIDRe is a job id, possibly with an element index (LSF shows
// "123[4]" when LSB_BJOBS_DISPLAY_ENH=Y).
var elementIDRe = regexp.MustCompile(`^([0-9]+)(?:\[([0-9]+)\])?$`)

func newRecord(id, index, stat, exit, reason string) (bjobsRecord, bool) {
	m := elementIDRe.FindStringSubmatch(strings.TrimSpace(id))
	if m == nil {
		return bjobsRecord{}, false
	}
	r := bjobsRecord{ID: m[1], Stat: strings.ToUpper(value(stat)), ExitCode: value(exit), Reason: value(reason)}
	if n, err := strconv.Atoi(value(index)); err == nil {
		r.Index = n
	}
	if m[2] != "" {
		r.Index, _ = strconv.Atoi(m[2])
	}
	return r, true
}

// value trims a field and maps bjobs' "no value" forms ("" and "-") to "".
func value(s string) string {
	s = strings.TrimSpace(s)
	if s == "-" {
		return ""
	}
	return s
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

var (
	notFoundRe = regexp.MustCompile(`Job (?:array )?<([0-9]+)(?:\[[0-9,:-]+\])?> is not found`)
	idInRe     = regexp.MustCompile(`<([0-9]+)`)
)

// parseNotFound finds "Job <N> is not found" (and "Job array <N> ...")
// lines in bjobs' stderr.
func parseNotFound(stderr []byte) []string {
	var out []string
	for _, m := range notFoundRe.FindAllStringSubmatch(string(stderr), -1) {
		out = append(out, m[1])
	}
	return out
}

func idsIn(s string) []string {
	var out []string
	for _, m := range idInRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
