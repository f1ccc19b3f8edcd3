package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// torqueAttrs lists a row's attributes the way Torque's qstat -f shows
// them: lower-case exit_status, start_time and comp_time in epoch seconds,
// job_array_id for subjobs.
func torqueAttrs(c *config, r row, now time.Time) []attr {
	j := r.j
	el := r.e
	if el == nil && !j.isArray() {
		el = j.Elems[0]
	}
	host, _ := os.Hostname()
	letter := j.state(c, now)
	if el != nil {
		letter = j.elemState(c, el, now)
	}
	var out []attr
	add := func(name, val string) { out = append(out, attr{name: name, val: val}) }
	add("Job_Name", j.Name)
	add("Job_Owner", j.Owner)
	if el != nil && el.started() {
		end := now
		if el.ended() {
			end = el.End
		}
		out = append(out, attr{name: "resources_used", sub: []attr{
			{name: "cput", val: "00:00:00"}, {name: "mem", val: "0kb"}, {name: "vmem", val: "0kb"},
			{name: "walltime", val: clock(end.Sub(el.Start))}}})
	}
	add("job_state", letter)
	add("queue", j.Queue)
	add("server", c.server)
	if j.Account != "" {
		add("Account_Name", j.Account)
	}
	add("Checkpoint", "u")
	add("ctime", j.Created.Format(asctime))
	if j.DependRaw != "" {
		add("depend", j.DependRaw)
	}
	errPath, outP := j.Stderr, j.Stdout
	if errPath == "" {
		errPath = fmt.Sprintf("%s/%s.e%d", j.SubmitDir, j.Name, j.Seq)
	}
	if outP == "" {
		outP = fmt.Sprintf("%s/%s.o%d", j.SubmitDir, j.Name, j.Seq)
	}
	add("Error_Path", host+":"+errPath)
	if el != nil && el.started() {
		add("exec_host", host+"/0")
	}
	hold := "n"
	if !j.Released {
		hold = "s"
	} else if j.UserHold {
		hold = "u"
	}
	add("Hold_Types", hold)
	add("Join_Path", map[bool]string{true: j.Join, false: "n"}[j.Join != ""])
	add("Keep_Files", "n")
	add("Mail_Points", "a")
	add("mtime", now.Format(asctime))
	add("Output_Path", host+":"+outP)
	add("Priority", "0")
	add("qtime", j.Created.Format(asctime))
	add("Rerunable", "True")
	out = append(out, attr{name: "Resource_List", sub: resourceList(j, ncpusOf(j))})
	if el != nil && el.running() {
		add("session_id", strconv.Itoa(el.PID))
	}
	out = append(out, attr{name: "Variable_List", sub: variableList(j)})
	if j.Comment != "" && (el == nil || el.Deleted) {
		add("comment", j.Comment)
	}
	add("etime", j.Created.Format(asctime))
	if letter == "C" && el != nil && el.Exit != nil {
		add("exit_status", strconv.Itoa(*el.Exit))
	}
	add("submit_args", j.Args)
	if el != nil && el.started() {
		add("start_time", strconv.FormatInt(el.Start.Unix(), 10))
		add("start_count", "1")
		if el.done(c, now) {
			add("comp_time", strconv.FormatInt(el.End.Unix(), 10))
		}
	}
	if j.isArray() && r.e == nil {
		add("job_array_request", j.Array.Spec)
	}
	if r.e != nil {
		add("job_array_id", strconv.Itoa(r.e.Index))
	}
	add("fault_tolerant", "False")
	add("submit_host", host)
	return out
}
