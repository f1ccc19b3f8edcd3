package localexec

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// This file talks to the kernel about processes the plugin did not
// necessarily start itself: after a reattach, the only link to a running
// element is the pid in its pid file, and pids get reused.

// procStartTime returns field 22 of /proc/<pid>/stat (the start time in
// clock ticks since boot), or ok=false when the process does not exist.
// Together with the pid it names a process uniquely across pid reuse.
func procStartTime(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	return parseStatStart(b)
}

// parseStatStart extracts the start time from a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may itself contain spaces and
// parentheses, so fields are counted after the last ')'.
func parseStatStart(b []byte) (uint64, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return 0, false
	}
	// A zombie has exited already: its status is final, only the reaping
	// is missing (its parent may be a dead plugin's init successor).
	if string(f[0]) == "Z" || string(f[0]) == "X" {
		return 0, false
	}
	v, err := strconv.ParseUint(string(f[19]), 10, 64)
	return v, err == nil
}

// alive reports whether the process recorded as (pid, start) still runs.
// start 0 means unknown; then any process with that pid counts.
func alive(pid int, start uint64) bool {
	st, ok := procStartTime(pid)
	if !ok {
		return false
	}
	return start == 0 || st == start
}

// gone reports whether an element someone else's runner started has ended
// for good: its process is gone, and its status is on disk or will never
// be, because the runner that would write it is gone too. The runner
// writes the status just after the element exits, so without this a
// follower could find the process gone and the status not yet there.
func gone(dir string, index int, pi pidInfo) bool {
	if alive(pi.pid, pi.start) {
		return false
	}
	if pi.runner == 0 || exists(elemFile(dir, index, sufExit)) {
		return true
	}
	return !alive(pi.runner, pi.runnerStart)
}

// signalGroup sends sig to the process group led by pid (each element is
// started with setsid, so its pid is its group id), but only if the leader
// is still the process we started: signalling a reused pid's group would
// hit a stranger. Errors are ignored because the group may have gone by
// itself in the meantime.
func signalGroup(pid int, start uint64, sig syscall.Signal) {
	if pid <= 1 || !alive(pid, start) {
		return
	}
	_ = syscall.Kill(-pid, sig)
}
