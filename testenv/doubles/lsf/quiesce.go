package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// quiesceName is the role tests start the double as, when they are done
// with it, to stop it before its state directory is removed.
const quiesceName = "lsf-quiesce"

// quiesce ends every job still pending or running (as bkill -r would),
// tells mbatchd to exit, and waits until no res or mbatchd process is left
// to write into the state directory.
func quiesce(st *store, cfg config, stderr io.Writer) int {
	if err := os.WriteFile(filepath.Join(st.dir, "shutdown"), nil, 0o644); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var pids []int
	if unlock, err := st.lock(true); err == nil {
		c := newCluster(st, cfg)
		for _, v := range c.all() {
			for _, e := range v.elems {
				var start startRec
				if readJSON(st.elemFile(v.job.ID, e.Index, "start"), &start) == nil {
					pids = append(pids, start.ResPID)
				}
				if !e.ended() {
					terminate(st, v.job, e, 0, true)
				}
			}
		}
		unlock()
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		busy := false
		for _, p := range pids {
			busy = busy || alive(p)
		}
		if f, err := os.OpenFile(filepath.Join(st.dir, "daemon.lock"), os.O_RDWR, 0); err == nil {
			if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
				busy = true
			}
			f.Close()
		}
		if !busy {
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintln(stderr, "lsf-quiesce: the double's processes did not stop within 10s")
	return 1
}
