package localexec

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflow-hpc/reflow/sdk"
)

// Elements are started by runners: long-lived bash processes, one per
// element running at once, that the plugin hands elements to over a pipe.
// Starting each element from Go through a wrapper bash cost a whole bash
// start-up on top of the job script's own; a runner only forks itself (no
// exec, no start-up) and the child execs bash job.sh.
//
// The protocol is one request per element on the runner's stdin,
// "<index> <launch-unix-ns> <job dir>" ended by a NUL (a path may hold a
// newline, never a NUL), and two lines back on its stdout:
//
//	S <pid> <starttime>   the element runs as <pid>; e/<i>.pid is written
//	E <status>            it has ended and e/<i>.exit is written
//
// The runner writes both files itself, so the on-disk contract (doc.go)
// holds even if the plugin dies at any point after the request is in the
// pipe. The pid file names the runner too: a plugin following the element
// from its files sees the process gone a moment before the runner has
// written the status, and must wait for the runner rather than call the
// status lost (see gone).
//
// Runners are setsid'd, so they survive the plugin. Once the plugin is gone
// a runner's next read meets EOF, or its next report SIGPIPE (after the exit
// status is on disk), and it exits; a new plugin starts runners of its own
// and follows the old ones' elements through their files.
//
// Each element is its own process group: job control (set -m) is on while
// the element is forked, so bash puts it in a new group, and off again at
// once, so that wait returns only when the element has ended (with job
// control on, it would also return when the element is merely stopped).
// The runner is not in that group, so the SIGTERM/SIGKILL the plugin sends
// on cancel or timeout reaches the element and never the runner, which then
// records the status. Elements share the runner's session; none has a
// controlling terminal, so a session of their own would add nothing.
//
// The element is a brace group, not a bare ". run.sh &": bash loses the
// status of an errexit inside a file sourced as an asynchronous command
// itself (it reports 1 instead of the failing command's status), and not
// inside a group.
//
// The names the runner script uses are cleared again by run.sh for an
// inline job (launch.go): keep the two lists in step.
//
// run.sh (renderRunScript) does the rest in the forked child: redirections,
// work dir, environment, and exec bash job.sh, so the job script has a bash
// of its own and its $$ is its own pid, as under a scheduler.
const runnerScript = `set -f
starttime() { st=0; if read -r s <"/proc/$1/stat"; then s=${s##*) }; set -- $s; st=${20:-0}; fi 2>/dev/null; }
starttime $$
me="$$ $st"
while read -r -d '' req; do
	i=${req%% *} req=${req#* } ln=${req%% *} d=${req#* }
	set -m
	{ . "$d/run.sh" "$i"; } &
	pid=$!
	set +m
	starttime $pid
	printf '%s %s %s %s\n' "$pid" "$st" "$ln" "$me" >"$d/e/$i.pid"
	printf 'S %s %s\n' "$pid" "$st"
	wait "$pid" 2>/dev/null # no "Killed" notices: the status says it
	rc=$?
	printf '%s\n' "$rc" >"$d/e/$i.exit"
	printf 'E %s\n' "$rc"
done
`

// startTimeout bounds how long the scheduler waits for a runner to report
// the element it was handed. The pid file is written by the runner either
// way; past this the element is followed through it like one started by
// another plugin process.
const startTimeout = 5 * time.Second

// runner is one runner process. Its fields are guarded by Executor.mu,
// except started, which only the reader goroutine sends on.
type runner struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	// started carries the S reports; it is closed when the runner is gone.
	started chan pidInfo
	// el is the element the runner is running, nil while idle.
	el *elem
	// dropped: the plugin gave up on this runner (it did not report in
	// time); it is no longer handed elements.
	dropped bool
}

// startRunner starts a runner process and the goroutine that reads its
// reports. e.mu is held.
func (e *Executor) startRunner() (*runner, error) {
	cmd := exec.Command("bash", "-c", runnerScript, "reflow-local-runner")
	// Its own session: nothing sent to the plugin's session or process
	// group reaches the runner or its elements. No Pdeathsig: it must
	// outlive the plugin. What the runner itself says on stderr (an
	// element whose log file cannot be opened, say) goes to the plugin's
	// log; elements write to their own files.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/" // pin no directory; each element changes to its work dir
	cmd.Stderr = runnerLog{}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &runner{cmd: cmd, in: in, started: make(chan pidInfo, 1)}
	e.runners[r] = true
	e.runnerWG.Add(1)
	go e.readRunner(r, out)
	return r, nil
}

// readRunner handles one runner's reports until it exits.
func (e *Executor) readRunner(r *runner, out io.Reader) {
	defer e.runnerWG.Done()
	br := bufio.NewReader(out)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "S":
			pid, _ := strconv.Atoi(f[1])
			st, _ := strconv.ParseUint(f[2], 10, 64)
			select {
			case r.started <- pidInfo{pid: pid, start: st}:
			default: // nobody waits any more (see handOff)
			}
		case len(f) == 2 && f[0] == "E":
			e.mu.Lock()
			if r.el != nil {
				r.el.exited = true
				r.el = nil
			}
			if !r.dropped {
				e.idle = append(e.idle, r)
			}
			e.mu.Unlock()
			e.wake()
		}
	}
	close(r.started)
	_ = r.in.Close()
	_ = r.cmd.Wait()
	e.mu.Lock()
	delete(e.runners, r)
	for i, x := range e.idle {
		if x == r {
			e.idle = append(e.idle[:i], e.idle[i+1:]...)
			break
		}
	}
	if r.el != nil {
		// Killed from outside while its element ran: the element may
		// still run, but nobody will record its status.
		r.el.runnerGone = true
		r.el = nil
	}
	e.mu.Unlock()
	e.wake()
}

// handOff gives an element to an idle runner (starting one if none is idle)
// and waits for the runner to report its pid. The element's pid file is
// already claimed. ok is false when no runner reported in time: the element
// may or may not be running, and its pid file will tell. e.mu is held.
func (e *Executor) handOff(el *elem, dir string, launch time.Time) (pidInfo, bool, error) {
	req := fmt.Sprintf("%d %d %s\x00", el.index, launch.UnixNano(), dir)
	for attempt := 0; ; attempt++ {
		var r *runner
		if n := len(e.idle); n > 0 {
			r, e.idle = e.idle[n-1], e.idle[:n-1]
		} else {
			var err error
			if r, err = e.startRunner(); err != nil {
				return pidInfo{}, false, fmt.Errorf("cannot start a runner: %v", err)
			}
		}
		if _, err := io.WriteString(r.in, req); err != nil {
			// The runner died while idle; its reader cleans up.
			if attempt < 2 {
				continue
			}
			return pidInfo{}, false, fmt.Errorf("cannot hand the element to a runner: %v", err)
		}
		r.el = el
		select {
		case pi, ok := <-r.started:
			if ok {
				pi.launch = launch
				return pi, true, nil
			}
			// The runner died before reporting. It writes the pid file
			// before reporting, so an empty one means nothing started.
			r.el = nil
			b, _ := os.ReadFile(elemFile(dir, el.index, sufPid))
			if len(b) == 0 && attempt < 2 {
				continue
			}
			return pidInfo{}, false, nil
		case <-time.After(startTimeout):
			// Stop using this runner; it exits after its element.
			r.dropped = true
			r.el = nil
			_ = r.in.Close()
			return pidInfo{}, false, nil
		}
	}
}

// closeRunners makes every runner exit once its element (if any) has
// ended, as the plugin's death would.
func (e *Executor) closeRunners() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for r := range e.runners {
		_ = r.in.Close()
	}
	e.idle = nil
}

// runnerLog writes what a runner says on stderr to the plugin's log.
type runnerLog struct{}

func (runnerLog) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		sdk.Logger().Warn("runner: " + line)
	}
	return len(p), nil
}
