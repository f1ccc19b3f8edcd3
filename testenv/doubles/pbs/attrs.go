package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// attr is one job attribute as qstat -f shows it; sub holds the entries of
// a resource list (Resource_List.ncpus) or of Variable_List.
type attr struct {
	name string
	val  string
	sub  []attr
}

// asctime is the time format of qstat's ctime, stime and friends.
const asctime = "Mon Jan _2 15:04:05 2006"

func clock(d time.Duration) string {
	s := int64(d.Seconds())
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// ncpusOf sums ncpus over the select chunks (1 when unset).
func ncpusOf(j *job) int {
	for _, r := range j.Resources {
		switch r.Name {
		case "select":
			total := 0
			for _, chunk := range strings.Split(r.Value, "+") {
				n, per := 1, 1
				for i, p := range strings.Split(chunk, ":") {
					if v, err := strconv.Atoi(p); err == nil && i == 0 {
						n = v
					} else if v, ok := strings.CutPrefix(p, "ncpus="); ok {
						per, _ = strconv.Atoi(v)
					}
				}
				total += n * per
			}
			return total
		case "ncpus":
			n, _ := strconv.Atoi(r.Value)
			return n
		}
	}
	return 1
}

// attrs lists the attributes of a row in qstat's order.
func attrs(c *config, r row, now time.Time) []attr {
	if c.torque() {
		return torqueAttrs(c, r, now)
	}
	j := r.j
	el := r.e
	if el == nil && !j.isArray() {
		el = j.Elems[0]
	}
	host, _ := os.Hostname()
	var letter string
	var sub int
	if el != nil {
		letter = j.elemState(c, el, now)
		sub = j.substate(c, el, letter)
	} else {
		letter = j.state(c, now)
		sub = j.substate(c, nil, letter)
	}
	ncpus := ncpusOf(j)
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
			{name: "cpupercent", val: "0"}, {name: "cput", val: "00:00:00"}, {name: "mem", val: "0kb"},
			{name: "ncpus", val: strconv.Itoa(ncpus)}, {name: "vmem", val: "0kb"},
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
	errPath := j.Stderr
	outPathV := j.Stdout
	if errPath == "" {
		errPath = fmt.Sprintf("%s/%s.e%d", j.SubmitDir, j.Name, j.Seq)
	}
	if outPathV == "" {
		outPathV = fmt.Sprintf("%s/%s.o%d", j.SubmitDir, j.Name, j.Seq)
	}
	add("Error_Path", host+":"+errPath)
	if el != nil && el.started() {
		add("exec_host", fmt.Sprintf("%s/0*%d", host, ncpus))
		add("exec_vnode", fmt.Sprintf("(%s:ncpus=%d)", host, ncpus))
	}
	hold := "n"
	switch {
	case !j.Released:
		hold = "s"
	case j.UserHold:
		hold = "u"
	}
	add("Hold_Types", hold)
	join := "n"
	if j.Join != "" {
		join = j.Join
	}
	add("Join_Path", join)
	add("Keep_Files", "n")
	add("Mail_Points", "a")
	add("mtime", now.Format(asctime))
	add("Output_Path", host+":"+outPathV)
	add("Priority", "0")
	add("qtime", j.Created.Format(asctime))
	add("Rerunable", "True")
	out = append(out, attr{name: "Resource_List", sub: resourceList(j, ncpus)})
	if el != nil && el.started() {
		add("stime", el.Start.Format(asctime))
		if el.running() {
			add("session_id", strconv.Itoa(el.PID))
		}
		if el.done(c, now) {
			add("obittime", el.End.Format(asctime))
		}
	}
	add("jobdir", j.WorkDir)
	add("substate", strconv.Itoa(sub))
	out = append(out, attr{name: "Variable_List", sub: variableList(j)})
	if cm := comment(c, j, el, letter); cm != "" {
		add("comment", cm)
	}
	add("etime", j.Created.Format(asctime))
	runCount := "0"
	if el != nil && el.started() || el == nil && j.started() {
		runCount = "1"
	}
	add("run_count", runCount)
	if letter == "F" || letter == "X" {
		if el != nil && el.Exit != nil {
			add("Exit_status", strconv.Itoa(*el.Exit))
		} else if el == nil {
			if code, ok := j.exitStatus(c); ok {
				add("Exit_status", strconv.Itoa(code))
			}
		}
	}
	add("Submit_arguments", j.Args)
	project := j.Project
	if project == "" {
		project = "_pbs_project_default"
	}
	add("project", project)
	if j.isArray() && r.e == nil {
		add("array", "True")
		add("array_indices_submitted", j.Array.Spec)
		var remaining []string
		q, run, ex, done := 0, 0, 0, 0
		for _, e := range j.Elems {
			switch {
			case e.done(c, now):
				done++
			case e.ended():
				ex++
			case e.started():
				run++
			default:
				q++
				remaining = append(remaining, strconv.Itoa(e.Index))
			}
		}
		if len(remaining) > 0 {
			add("array_indices_remaining", strings.Join(remaining, ","))
		} else {
			add("array_indices_remaining", "-")
		}
		add("array_state_count", fmt.Sprintf("Queued:%d Running:%d Exiting:%d Expired:%d", q, run, ex, done))
	}
	if r.e != nil {
		add("array_id", j.ID)
		add("array_index", strconv.Itoa(r.e.Index))
	}
	return out
}

// resourceList is Resource_List: what was asked, plus ncpus and nodect.
func resourceList(j *job, ncpus int) []attr {
	var out []attr
	seen := map[string]bool{}
	for _, r := range j.Resources {
		v := r.Value
		if r.Name == "walltime" {
			v = clock(time.Duration(parseWalltime(v) * float64(time.Second)))
		}
		out = append(out, attr{name: r.Name, val: v})
		seen[r.Name] = true
	}
	if !seen["ncpus"] {
		out = append(out, attr{name: "ncpus", val: strconv.Itoa(ncpus)})
	}
	if !seen["nodect"] {
		out = append(out, attr{name: "nodect", val: "1"})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].name < out[b].name })
	return out
}

// variableList is Variable_List: the PBS_O_* variables and -v/-V ones,
// not the variables PBS sets at run time.
func variableList(j *job) []attr {
	runtime := map[string]bool{"HOME": true, "LOGNAME": true, "USER": true, "SHELL": true, "PATH": true,
		"PBS_ENVIRONMENT": true, "PBS_JOBNAME": true, "PBS_QUEUE": true, "PBS_JOBDIR": true,
		"NCPUS": true, "OMP_NUM_THREADS": true, "PBS_NUM_NODES": true, "PBS_NUM_PPN": true, "PBS_NP": true}
	var keys []string
	for k := range j.Env {
		if !runtime[k] && !strings.HasPrefix(k, "REFLOW_DOUBLE_") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []attr
	for _, k := range keys {
		out = append(out, attr{name: k, val: j.Env[k]})
	}
	return out
}

func comment(c *config, j *job, el *elem, letter string) string {
	switch {
	case j.Comment != "" && (el == nil || el.Deleted):
		return j.Comment
	case el == nil:
		return ""
	case el.started() && el.done(c, now()) && el.Kill == "walltime":
		return "Job run at " + el.Start.Format(asctime) + " and exceeded resource walltime"
	case el.started() && el.ended():
		return "Job run at " + el.Start.Format(asctime) + " and finished"
	case el.started():
		return "Job run at " + el.Start.Format(asctime)
	case letter == "H" && !j.Released:
		return "Not Running: Job held for dependencies"
	}
	return ""
}

func now() time.Time { return time.Now() }
