package sgeexec

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// acctRecord is how one job or array task ended, from the accounting file
// or from qacct.
type acctRecord struct {
	Job  int
	Task int // 0 for a job that is not an array
	// Failed is Grid Engine's failure code (sge_status(5)); FailedText is
	// qacct's words for it, empty when read from the file.
	Failed     int
	FailedText string
	Exit       int
	Submit     time.Time
	Start, End time.Time // zero when the job never started
	Wallclock  float64   // seconds
	MaxVMem    int64     // bytes; 0 when not known
}

// taskKey names one task of one job; Task 0 is a job that is not an array.
type taskKey struct{ Job, Task int }

func (r acctRecord) key() taskKey { return taskKey{r.Job, r.Task} }

// Fields of an accounting line (sge_accounting(5), 1-based there).
const (
	acctJobNumber  = 5
	acctSubmit     = 8
	acctStart      = 9
	acctEnd        = 10
	acctFailed     = 11
	acctExit       = 12
	acctWallclock  = 13
	acctTaskNumber = 35
	acctMinFields  = 36
	// maxvmem is the third field from the end: it follows the category
	// field, the one free-form field that may itself contain colons.
	acctMaxVMemFromEnd = 3
	acctFullFields     = 45
)

// parseAccountingLine reads one line of the accounting file. Comment lines
// and lines too short to be records are not records.
func parseAccountingLine(line string) (acctRecord, bool) {
	if strings.HasPrefix(line, "#") {
		return acctRecord{}, false
	}
	f := strings.Split(line, ":")
	if len(f) < acctMinFields {
		return acctRecord{}, false
	}
	num := func(i int) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(f[i]))
		return n, err == nil
	}
	var r acctRecord
	var ok1, ok2, ok3, ok4 bool
	r.Job, ok1 = num(acctJobNumber)
	r.Failed, ok2 = num(acctFailed)
	r.Exit, ok3 = num(acctExit)
	r.Task, ok4 = num(acctTaskNumber)
	if !ok1 || !ok2 || !ok3 || !ok4 || r.Job <= 0 {
		return acctRecord{}, false
	}
	r.Submit = epoch(f[acctSubmit])
	r.Start = epoch(f[acctStart])
	r.End = epoch(f[acctEnd])
	r.Wallclock, _ = strconv.ParseFloat(strings.TrimSpace(f[acctWallclock]), 64)
	if len(f) >= acctFullFields {
		if v, err := strconv.ParseFloat(strings.TrimSpace(f[len(f)-acctMaxVMemFromEnd]), 64); err == nil && v > 0 {
			r.MaxVMem = int64(v)
		}
	}
	return r, true
}

// epoch reads a time of the accounting file: seconds since the epoch, or
// milliseconds in the Univa/Altair versions that write them; 0 is "never".
func epoch(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	if n > 1e11 { // no second count reaches this before the year 5000
		return time.UnixMilli(n)
	}
	return time.Unix(n, 0)
}

// accountingChunk is how much of the file one read takes, from the end.
const accountingChunk = 256 << 10

// scanAccounting reads the accounting file from its end backwards and
// returns the newest record of every wanted task. Records are appended as
// jobs end, so the scan stops once it has them all, or at the first record
// of a job that ended before notBefore: anything older cannot be one of
// the wanted jobs. A last line without its newline is being written and is
// left for the next scan.
func scanAccounting(path string, want map[taskKey]bool, notBefore time.Time) (map[taskKey]acctRecord, error) {
	found := map[taskKey]acctRecord{}
	if len(want) == 0 {
		return found, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pos := fi.Size()
	var carry []byte // the start of a line whose beginning is not read yet
	first := true
	buf := make([]byte, accountingChunk)
	for pos > 0 {
		n := int64(len(buf))
		if pos < n {
			n = pos
		}
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil && err != io.EOF {
			return nil, err
		}
		data := append(append([]byte(nil), buf[:n]...), carry...)
		lines := bytes.Split(data, []byte("\n"))
		if first {
			// The piece after the last newline is a line still being
			// written (or empty).
			lines = lines[:len(lines)-1]
			first = false
		}
		carry = nil
		if pos > 0 && len(lines) > 0 {
			carry, lines = lines[0], lines[1:]
		}
		for i := len(lines) - 1; i >= 0; i-- {
			r, ok := parseAccountingLine(string(lines[i]))
			if !ok {
				continue
			}
			k := r.key()
			if want[k] {
				if _, seen := found[k]; !seen {
					found[k] = r
					if len(found) == len(want) {
						return found, nil
					}
				}
			}
			if !r.End.IsZero() && r.End.Before(notBefore) {
				return found, nil
			}
		}
	}
	return found, nil
}
