package pbssyntax

import (
	"fmt"
	"strings"
)

// ResKind is the value type of a resource, which decides what the server
// accepts for it.
type ResKind int

const (
	ResString ResKind = iota
	ResLong           // a whole number
	ResSize           // a size value: 8gb, 512mb
	ResTime           // a duration: walltime, cput
	ResBool           // true/false
)

// openpbsResources are the resources an OpenPBS server knows without site
// configuration. ngpus is not among them: a site (its cgroups hook) defines
// it, so the double's site config adds it.
var openpbsResources = map[string]ResKind{
	"ncpus": ResLong, "mpiprocs": ResLong, "ompthreads": ResLong, "nodect": ResLong,
	"naccelerators": ResLong, "accelerator_memory": ResSize, "accelerator_model": ResString,
	"accelerator": ResBool,
	"mem":         ResSize, "vmem": ResSize, "pmem": ResSize, "pvmem": ResSize, "file": ResSize,
	"walltime": ResTime, "cput": ResTime, "pcput": ResTime, "min_walltime": ResTime,
	"max_walltime": ResTime, "soft_walltime": ResTime,
	"arch": ResString, "host": ResString, "vnode": ResString, "software": ResString,
	"preempt_targets": ResString, "site": ResString, "nodes": ResString,
	"select": ResString, "place": ResString,
}

// torqueResources are the -l names a Torque server takes.
var torqueResources = map[string]ResKind{
	"nodes": ResString, "ppn": ResLong, "procs": ResLong, "ncpus": ResLong,
	"mem": ResSize, "pmem": ResSize, "vmem": ResSize, "pvmem": ResSize, "file": ResSize,
	"walltime": ResTime, "cput": ResTime, "pcput": ResTime,
	"host": ResString, "arch": ResString, "software": ResString, "feature": ResString,
	"naccesspolicy": ResString, "gres": ResString, "other": ResString, "opsys": ResString,
	"epilogue": ResString, "prologue": ResString, "nice": ResLong, "gpus": ResLong,
}

// Resource is one name=value of -l.
type Resource struct {
	Name, Value string
}

// splitResources splits a -l value at the commas between resources:
// "select=2:ncpus=4+1:ncpus=2,walltime=01:00:00". ok is false for an item
// without '=' or with an empty name or value.
func splitResources(s string) ([]Resource, bool) {
	if s == "" {
		return nil, false
	}
	var out []Resource
	for _, item := range strings.Split(s, ",") {
		name, value, found := strings.Cut(item, "=")
		if !found || name == "" || value == "" || !resNameRE.MatchString(name) {
			return nil, false
		}
		out = append(out, Resource{Name: name, Value: value})
	}
	return out, true
}

// checkValue checks one resource value against its kind; it returns the
// server's refusal or nil.
func (s *Site) checkValue(name, value string) *Error {
	kind, ok := s.resourceKind(name)
	if !ok {
		return &Error{Text: "qsub: Unknown resource Resource_List." + name, Code: ExitUnknownResc}
	}
	bad := &Error{Text: "qsub: Illegal attribute or resource value Resource_List." + name, Code: ExitBadAttrValue}
	switch kind {
	case ResLong:
		if !intRE.MatchString(value) {
			return bad
		}
	case ResSize:
		if !ValidSize(value) {
			return bad
		}
	case ResTime:
		if !ValidWalltime(value, s.Dialect) {
			return bad
		}
	case ResBool:
		switch strings.ToLower(value) {
		case "true", "false", "t", "f", "y", "n", "1", "0":
		default:
			return bad
		}
	}
	return nil
}

func (s *Site) resourceKind(name string) (ResKind, bool) {
	table := openpbsResources
	if s.Dialect == Torque {
		table = torqueResources
	}
	if k, ok := table[name]; ok {
		return k, true
	}
	k, ok := s.CustomResources[name]
	return k, ok
}

// checkSelect checks a select statement: chunks joined by '+', each an
// optional count and key=value pairs joined by ':'.
func (s *Site) checkSelect(value string) *Error {
	bad := &Error{Text: "qsub: Illegal attribute or resource value Resource_List.select", Code: ExitBadAttrValue}
	for _, chunk := range strings.Split(value, "+") {
		parts := strings.Split(chunk, ":")
		if len(parts) == 0 || chunk == "" {
			return bad
		}
		if intRE.MatchString(parts[0]) {
			if parts[0][0] == '-' || parts[0][0] == '+' || parts[0] == "0" {
				return bad
			}
			parts = parts[1:]
		}
		for _, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" || v == "" || !resNameRE.MatchString(k) {
				return bad
			}
			if k == "select" || k == "place" || k == "nodes" || k == "walltime" {
				return bad // job-wide only
			}
			if err := s.checkValue(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTorqueNodes checks Torque's nodes=N[:ppn=P][:gpus=G][:feature]...,
// with '+' between node specs.
func (s *Site) checkTorqueNodes(value string) *Error {
	bad := &Error{Text: "qsub: Illegal attribute or resource value Resource_List.nodes", Code: ExitBadAttrValue}
	for _, spec := range strings.Split(value, "+") {
		parts := strings.Split(spec, ":")
		if parts[0] == "" {
			return bad
		}
		if !intRE.MatchString(parts[0]) && !nameRE.MatchString(parts[0]) {
			return bad // neither a count nor a host name
		}
		if intRE.MatchString(parts[0]) && (parts[0][0] == '-' || parts[0][0] == '+' || parts[0] == "0") {
			return bad
		}
		for _, p := range parts[1:] {
			k, v, isKV := strings.Cut(p, "=")
			switch {
			case !isKV && nameRE.MatchString(p):
				// a node feature
			case isKV && (k == "ppn" || k == "gpus" || k == "mics") && intRE.MatchString(v) && v[0] != '-' && v[0] != '+':
			default:
				return bad
			}
		}
	}
	return nil
}

// checkResources applies the server's rules to the folded -l list.
func (s *Site) checkResources(res []Resource) *Error {
	have := map[string]bool{}
	for _, r := range res {
		have[r.Name] = true
	}
	if s.Dialect == OpenPBS && have["select"] {
		for _, old := range []string{"nodes", "ncpus"} {
			if have[old] {
				return &Error{Text: fmt.Sprintf(`qsub: "-lresource=" cannot be used with "select" or "place", resource is: %s`, old), Code: ExitUsage}
			}
		}
	}
	for _, r := range res {
		var err *Error
		switch {
		case s.Dialect == OpenPBS && r.Name == "select":
			err = s.checkSelect(r.Value)
		case s.Dialect == OpenPBS && r.Name == "place":
			if !placeRE.MatchString(r.Value) {
				err = &Error{Text: "qsub: Illegal attribute or resource value Resource_List.place", Code: ExitBadAttrValue}
			}
		case r.Name == "nodes":
			err = s.checkTorqueNodes(r.Value) // the old form reads the same on both
		default:
			err = s.checkValue(r.Name, r.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
