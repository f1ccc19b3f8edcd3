package pbssyntax

import (
	"regexp"
	"strconv"
	"strings"
)

// apply folds one option into the submission, checking its value.
func (s *Submission) apply(o opt, site Site, usage string) *Error {
	illegal := func() *Error { return usageError("qsub: illegal -"+string(o.flag)+" value", usage) }
	if o.set && o.value == "" && o.flag != 'C' {
		return illegal()
	}
	v := o.value
	switch o.flag {
	case 'N':
		if !validName(v, site.Dialect) {
			return illegal()
		}
		s.Name = v
	case 'o':
		s.Stdout = v
	case 'e':
		s.Stderr = v
	case 'j':
		if v != "oe" && v != "eo" && v != "n" {
			return illegal()
		}
		s.Join = v
	case 'k':
		if !keepRE.MatchString(v) {
			return illegal()
		}
		s.Keep = v
	case 'l':
		res, ok := splitResources(v)
		if !ok {
			return illegal()
		}
		for _, r := range res {
			s.setResource(r)
		}
	case 'q':
		if !queueRE.MatchString(v) {
			return illegal()
		}
		s.Queue = v
	case 'A':
		s.Account = v
	case 'P':
		s.Project = v
	case 'J':
		r, ok := parseJ(v, site.ThrottleOK())
		if !ok {
			return illegal()
		}
		s.Array = r
	case 't':
		r, ok := parseT(v)
		if !ok {
			return illegal()
		}
		s.Array = r
	case 'W':
		name, val, ok := strings.Cut(v, "=")
		if !ok || name == "" || val == "" {
			return illegal()
		}
		if name == "depend" {
			deps, err := parseDepend(val, site.Dialect, usage)
			if err != nil {
				return err
			}
			s.Depend = deps
			return nil
		}
		if !knownWAttr(name, val, site.Dialect) {
			return illegal()
		}
		s.Attrs[name] = val
	case 'v':
		items, ok := splitVars(v)
		if !ok {
			return illegal()
		}
		for _, it := range items {
			name, val, has := strings.Cut(it, "=")
			if !varNameRE.MatchString(name) {
				return illegal()
			}
			s.Vars = append(s.Vars, Var{Name: name, Value: val, HasValue: has})
		}
	case 'V':
		s.ExportAll = true
	case 'S':
		s.Shell = v
	case 'h':
		s.Hold = true
	case 'r':
		if v != "y" && v != "n" {
			return illegal()
		}
		s.Rerun = v
	case 'z':
		s.Quiet = true
	case 'd', 'w':
		s.WorkDir = v
	case 'p':
		n, err := strconv.Atoi(v)
		if err != nil || n < -1024 || n > 1023 {
			return illegal()
		}
		s.Priority = n
	case 'm':
		if !mailOptsRE.MatchString(v) {
			return illegal()
		}
	case 'a':
		if !execTimeRE.MatchString(v) {
			return illegal()
		}
	case 'c':
		if !regexp.MustCompile(`^(n|s|c|c=\d+|w|w=\d+|u|\d+)$`).MatchString(v) {
			return illegal()
		}
	case 'R':
		if v != "o" && v != "e" && v != "oe" && v != "eo" {
			return illegal()
		}
	case 'I':
		s.Attrs["interactive"] = "true"
	}
	return nil
}

func (s *Submission) setResource(r Resource) {
	for i := range s.Resources {
		if s.Resources[i].Name == r.Name {
			s.Resources[i].Value = r.Value
			return
		}
	}
	s.Resources = append(s.Resources, r)
}

// knownWAttr reports whether -W name=value is an attribute qsub takes.
func knownWAttr(name, val string, d Dialect) bool {
	switch name {
	case "group_list", "stagein", "stageout", "umask", "x":
		return true
	case "block", "release_nodes_on_stageout", "create_resv_from_job":
		return d == OpenPBS && (val == "true" || val == "false")
	case "sandbox":
		return d == OpenPBS && (val == "HOME" || val == "PRIVATE")
	case "run_count":
		_, err := strconv.Atoi(val)
		return d == OpenPBS && err == nil
	case "tolerate_node_failures":
		return d == OpenPBS && (val == "all" || val == "job_start" || val == "none")
	case "fault_tolerant", "interactive":
		return d == Torque
	}
	return false
}
