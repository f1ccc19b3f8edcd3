package main

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// runQsub is qsub: parse strictly, apply the server's checks, record the
// job, start its supervisor and print the id.
func runQsub(c *config, st *store, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sub, perr := pbssyntax.ParseQsub(args, func() []byte {
		b, _ := io.ReadAll(stdin)
		return b
	}, os.ReadFile, c.site)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Text)
		return perr.Code
	}
	if sub.Version {
		fmt.Fprintln(stdout, versionLine(c))
		return 0
	}
	queue, qerr := c.resolveQueue(sub.Queue)
	if qerr != nil {
		fmt.Fprintln(stderr, qerr.Text)
		return qerr.Code
	}
	walltime := 0.0
	if v, ok := sub.Resource("walltime"); ok {
		walltime = parseWalltime(v)
	}
	if c.maxWalltime > 0 && walltime > c.maxWalltime {
		fmt.Fprintln(stderr, "qsub: Job violates queue and/or server resource limits")
		return pbssyntax.ExitResourceLimits
	}

	var j *job
	var refused *pbssyntax.Error
	err := st.locked(func() error {
		now := time.Now()
		if c.maxQueued > 0 {
			jobs, err := st.all()
			if err != nil {
				return err
			}
			n := 0
			for _, o := range jobs {
				for _, e := range o.Elems {
					if !e.ended() {
						n++
					}
				}
			}
			want := 1
			if sub.Array != nil {
				want = len(sub.Array.Indices)
			}
			if n+want > c.maxQueued {
				refused = &pbssyntax.Error{Text: "qsub: Maximum number of jobs already in queue", Code: pbssyntax.ExitMaxQueued}
				return nil
			}
		}
		seq, err := st.nextSeq()
		if err != nil {
			return err
		}
		j, err = newJob(c, st, sub, seq, queue, walltime, args, now)
		if err != nil {
			return err
		}
		return st.save(j)
	})
	if err != nil {
		fmt.Fprintf(stderr, "qsub: (PBS test double) %v\n", err)
		return 1
	}
	if refused != nil {
		fmt.Fprintln(stderr, refused.Text)
		return refused.Code
	}
	if !j.Deleted {
		if err := startSupervisor(c, st, j.Seq); err != nil {
			fmt.Fprintf(stderr, "qsub: (PBS test double) starting the job: %v\n", err)
			return 1
		}
	}
	if !sub.Quiet {
		fmt.Fprintln(stdout, j.ID)
	}
	return 0
}

func versionLine(c *config) string {
	if c.torque() {
		return "Version: " + c.site.Version
	}
	return "pbs_version = " + c.site.Version
}

// resolveQueue checks -q against the server's queues: "q", "q@server" or
// "@server"; empty means the default queue.
func (c *config) resolveQueue(q string) (string, *pbssyntax.Error) {
	name, server, _ := strings.Cut(q, "@")
	if server != "" && server != c.server && !strings.HasPrefix(server, c.server+".") {
		return "", &pbssyntax.Error{Text: fmt.Sprintf("qsub: cannot connect to server %s (errno=15010)", server), Code: 1}
	}
	if name == "" {
		return c.queues[0], nil
	}
	for _, known := range c.queues {
		if name == known {
			return name, nil
		}
	}
	return "", &pbssyntax.Error{Text: "qsub: Unknown queue", Code: pbssyntax.ExitUnknownQueue}
}

// parseWalltime reads an accepted walltime ([[[D:]H:]M:]S[.ms]) in seconds.
func parseWalltime(v string) float64 {
	fields := strings.Split(v, ":")
	mult := []float64{1, 60, 3600, 86400}
	total := 0.0
	for i := len(fields) - 1; i >= 0; i-- {
		f, _ := strconv.ParseFloat(fields[i], 64)
		total += f * mult[len(fields)-1-i]
	}
	return total
}

// newJob builds the record of a submission; call it under the lock.
func newJob(c *config, st *store, sub *pbssyntax.Submission, seq int, queue string, walltime float64, args []string, now time.Time) (*job, error) {
	cwd, _ := os.Getwd()
	home := os.Getenv("HOME")
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		home = u.HomeDir
	}
	host, _ := os.Hostname()
	uname := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		uname = u.Username
	}
	j := &job{Seq: seq, Queue: queue, Account: sub.Account, Project: sub.Project,
		Resources: sub.Resources, Walltime: walltime, Array: sub.Array, Depend: sub.Depend,
		UserHold: sub.Hold, Command: sub.Command, Join: sub.Join, SubmitDir: cwd,
		Owner: uname + "@" + host, Created: now, Args: strings.Join(args, " ")}
	j.ID = strconv.Itoa(seq) + "." + c.server
	if sub.Array != nil {
		j.ID = strconv.Itoa(seq) + "[]." + c.server
		for _, i := range sub.Array.Indices {
			j.Elems = append(j.Elems, &elem{Index: i})
		}
	} else {
		j.Elems = []*elem{{}}
	}
	j.Name = sub.Name
	if j.Name == "" {
		j.Name = "STDIN"
		if sub.ScriptFile != "" {
			j.Name = filepath.Base(sub.ScriptFile)
		}
	}
	if sub.Command == nil {
		j.Script = st.scriptPath(seq)
		if err := os.WriteFile(j.Script, sub.Script, 0o700); err != nil {
			return nil, err
		}
	}
	j.Shell = sub.Shell
	if j.Shell == "" {
		j.Shell = "/bin/bash"
	}
	j.Stdout = resolveOutPath(sub.Stdout, cwd)
	j.Stderr = resolveOutPath(sub.Stderr, cwd)
	j.WorkDir = home
	if sub.WorkDir != "" {
		j.WorkDir = sub.WorkDir
	}
	j.Env = jobEnv(c, sub, j, home, host, uname, cwd)
	var parts []string
	for _, d := range sub.Depend {
		var ids []string
		for _, id := range d.IDs {
			ids = append(ids, id.Raw)
		}
		parts = append(parts, d.Type+":"+strings.Join(ids, ":"))
	}
	j.DependRaw = strings.Join(parts, ",")

	// Dependencies are registered with their targets now: an unknown
	// target (or one that finished and left no history) means the server
	// deletes the job right after qsub printed its id.
	j.Released = len(sub.Depend) == 0
	for _, d := range sub.Depend {
		for _, id := range d.IDs {
			t, ok, err := st.load(id.Seq)
			if err != nil {
				return nil, err
			}
			listed := false
			if ok && t.isArray() == (id.Kind == pbssyntax.ArrayJob) && serverMatches(c, id) {
				listed, _ = t.visible(c, now)
			}
			if !listed {
				j.deleteAll(now, "Job deleted: dependency on unknown job "+id.Raw)
				return j, nil
			}
		}
	}
	return j, nil
}

// serverMatches reports whether an id's server part names this server.
func serverMatches(c *config, id pbssyntax.JobID) bool {
	for _, s := range []string{id.Server, id.At} {
		if s != "" && s != c.server && !strings.HasPrefix(s, c.server+".") {
			return false
		}
	}
	return true
}

// deleteAll deletes every element that has not started.
func (j *job) deleteAll(now time.Time, comment string) {
	j.Deleted, j.DeletedAt, j.Comment = true, now, comment
	for _, e := range j.Elems {
		if !e.started() {
			e.Deleted = true
		}
	}
}

// resolveOutPath turns -o/-e into an absolute path: the host part is
// dropped (everything here is one host) and a relative path is taken from
// the submission directory. "" stays "" (the default name).
func resolveOutPath(p, cwd string) string {
	if p == "" {
		return ""
	}
	if host, path, ok := strings.Cut(p, ":"); ok && !strings.Contains(host, "/") {
		p = path
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	return p
}
