package sgeexec

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"time"
)

// parseQacct reads `qacct -j ID` output: one block per job or array task,
// each starting with a line of '=' and made of "key value" lines. Blocks
// come in the order of the accounting file, so a later block of the same
// task (a job that was rescheduled) is the newer one; the caller keeps the
// last.
func parseQacct(out []byte) []acctRecord {
	var (
		recs []acctRecord
		cur  *acctRecord
		have bool // cur has a job number
	)
	flush := func() {
		if cur != nil && have {
			recs = append(recs, *cur)
		}
		cur, have = &acctRecord{}, false
	}
	flush()
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "====") {
			flush()
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		val = strings.TrimSpace(val)
		switch key {
		case "jobnumber":
			if n, err := strconv.Atoi(val); err == nil {
				cur.Job, have = n, true
			}
		case "taskid":
			cur.Task, _ = strconv.Atoi(val) // "undefined" → 0
		case "failed":
			// "0", or "37  : qmaster enforced h_rt, h_cpu, or h_vmem limit"
			code, text, _ := strings.Cut(val, ":")
			cur.Failed, _ = strconv.Atoi(strings.TrimSpace(code))
			cur.FailedText = strings.TrimSpace(text)
		case "exit_status":
			// "0", or "137                  (Killed)"
			f := strings.Fields(val)
			if len(f) > 0 {
				cur.Exit, _ = strconv.Atoi(f[0])
			}
		case "qsub_time":
			cur.Submit = qacctTime(val)
		case "start_time":
			cur.Start = qacctTime(val)
		case "end_time":
			cur.End = qacctTime(val)
		case "ru_wallclock":
			cur.Wallclock, _ = strconv.ParseFloat(strings.TrimSuffix(val, "s"), 64)
		case "maxvmem":
			cur.MaxVMem = qacctBytes(val)
		}
	}
	flush()
	return recs
}

// qacctTime reads qacct's "Thu Nov 26 05:40:17 2026" (local time); "-/-"
// and anything else unreadable is zero.
func qacctTime(s string) time.Time {
	t, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", strings.Join(strings.Fields(s), " "), time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// qacctBytes reads qacct's sizes: "8.551MB", "301.990KB", "0.000B"
// (binary units).
func qacctBytes(s string) int64 {
	units := []struct {
		suffix string
		mult   float64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0
			}
			return int64(v * u.mult)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return int64(v)
}
