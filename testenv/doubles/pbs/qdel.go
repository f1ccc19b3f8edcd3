package main

import (
	"fmt"
	"io"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// runQdel is qdel: one call, many ids. Queued elements are deleted at once;
// running ones are marked for their supervisor, which sends SIGTERM and,
// after the kill delay, SIGKILL (-W force: SIGKILL at once). It prints
// nothing on success and one line per failed id otherwise; the exit status
// is the last failure's (facts §5).
func runQdel(c *config, st *store, args []string, stderr io.Writer) int {
	req, perr := pbssyntax.ParseQdel(args, c.site)
	if perr != nil {
		fmt.Fprintln(stderr, perr.Text)
		return perr.Code
	}
	if req.Version {
		fmt.Fprintln(stderr, versionLine(c))
		return 0
	}
	code := 0
	fail := func(text string, c int) {
		fmt.Fprintln(stderr, text)
		code = c
	}
	unknown := "qdel: Unknown Job Id "
	if c.torque() {
		unknown = "qdel: Unknown Job Id Error "
	}
	for _, id := range req.IDs {
		var outcome string
		err := st.locked(func() error {
			now := time.Now()
			j, ok, err := st.load(id.Seq)
			if err != nil {
				return err
			}
			if !ok || !serverMatches(c, id) || j.isArray() != (id.Kind != pbssyntax.PlainJob) {
				outcome = "unknown"
				return nil
			}
			listed, _ := j.visible(c, now)
			if !listed {
				outcome = "unknown"
				return nil
			}
			elems := j.Elems
			if id.Kind == pbssyntax.SubJob || id.Kind == pbssyntax.SubRange {
				elems = nil
				for _, e := range j.Elems {
					if e.Index >= id.Lo && e.Index <= id.Hi {
						elems = append(elems, e)
					}
				}
				if len(elems) == 0 {
					outcome = "unknown"
					return nil
				}
			}
			if j.done(c, now) || allDone(c, elems, now) {
				if req.History {
					j.Purged = true
					return st.save(j)
				}
				outcome = "finished"
				return nil
			}
			for _, e := range elems {
				if e.ended() && !e.done(c, now) {
					outcome = "exiting" // only qdel of a job in E itself
				}
			}
			if outcome == "exiting" && len(elems) == 1 {
				return nil
			}
			outcome = ""
			kill := "qdel"
			if req.Force {
				kill = "force"
			}
			whole := len(elems) == len(j.Elems)
			for _, e := range elems {
				switch {
				case e.ended():
				case !e.started():
					e.Deleted = true
				case e.Kill == "" || kill == "force":
					e.Kill, e.TermSent = kill, now
				}
			}
			if whole {
				j.Deleted, j.DeletedAt = true, now
				if j.Comment == "" {
					j.Comment = "Job deleted by qdel"
				}
			}
			return st.save(j)
		})
		if err != nil {
			fail(fmt.Sprintf("qdel: (PBS test double) %v", err), 1)
			continue
		}
		switch outcome {
		case "unknown":
			fail(unknown+id.Raw, pbssyntax.ExitUnknownJob)
		case "finished":
			if c.torque() {
				fail("qdel: Request invalid for state of job "+id.Raw, pbssyntax.ExitInvalidState)
			} else {
				fail("qdel: Job has finished "+id.Raw, pbssyntax.ExitFinished)
			}
		case "exiting":
			fail("qdel: Request invalid for state of job "+id.Raw, pbssyntax.ExitInvalidState)
		}
	}
	return code
}

func allDone(c *config, elems []*elem, now time.Time) bool {
	for _, e := range elems {
		if !e.done(c, now) {
			return false
		}
	}
	return true
}
