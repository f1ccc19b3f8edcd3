package sgeexec

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

var (
	jobNumberLine   = regexp.MustCompile(`^job_number:\s+(\d+)\s*$`)
	errorReasonLine = regexp.MustCompile(`^error reason\s+(\d+):\s+(.*)$`)
	// "11/26/2026 05:43:32 [0:23892]: error: can't open ..." → the text
	// after the time stamp and [uid:pid].
	reasonStamp = regexp.MustCompile(`^\S+\s+\S+\s+\[\d+:\d+\]:\s*`)
)

// parseErrorReasons reads the "error reason" lines of `qstat -j ID[,ID...]`
// for jobs in an error state (Eqw): job number → task number → reason.
// Grid Engine numbers the task 1 for a job that is not an array.
func parseErrorReasons(out []byte) map[int]map[int]string {
	reasons := map[int]map[int]string{}
	job := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := jobNumberLine.FindStringSubmatch(line); m != nil {
			job, _ = strconv.Atoi(m[1])
			continue
		}
		m := errorReasonLine.FindStringSubmatch(line)
		if m == nil || job == 0 {
			continue
		}
		task, _ := strconv.Atoi(m[1])
		text := strings.TrimSpace(reasonStamp.ReplaceAllString(m[2], ""))
		if reasons[job] == nil {
			reasons[job] = map[int]string{}
		}
		reasons[job][task] = text
	}
	return reasons
}

// errorReason picks the reason of one task from parseErrorReasons: the
// task's own, else (for a job that is not an array, task 0) any of the
// job's.
func errorReason(reasons map[int]map[int]string, job, task int) string {
	byTask := reasons[job]
	if r, ok := byTask[task]; ok {
		return r
	}
	if task == 0 {
		for _, r := range byTask {
			return r
		}
	}
	return ""
}
