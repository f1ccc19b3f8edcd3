package lsfsyntax

import (
	"strings"
)

// BjobsRequest is a bjobs command line that LSF accepts, decoded.
type BjobsRequest struct {
	All      bool // -a
	JSON     bool // -json
	NoHeader bool // -noheader
	Wide     bool // -w
	Long     bool // -l
	// Fields is the -o field list (nil: the default table); Delimiter is
	// its delimiter='c' (empty: columns separated by a space).
	Fields    []string
	Delimiter string
	IDs       []JobIDArg
	// Filters given by option (-u, -q, -J, -P, ...): name → value.
	Filters map[string]string
}

var bjobsValueOptions = map[string]bool{
	"-o": true, "-u": true, "-q": true, "-J": true, "-P": true, "-m": true, "-G": true,
	"-g": true, "-sla": true, "-app": true, "-Lp": true, "-Jd": true,
}

var bjobsFlagOptions = map[string]bool{
	"-a": true, "-d": true, "-p": true, "-r": true, "-s": true, "-w": true, "-l": true,
	"-UF": true, "-noheader": true, "-json": true, "-A": true, "-X": true, "-W": true,
	"-WL": true, "-WP": true, "-WF": true, "-x": true, "-N": true, "-pe": true, "-pi": true,
}

// BjobsFields are the -o field names the double knows, with the column
// header each one prints (the upper-case name).
var BjobsFields = []string{
	"jobid", "jobindex", "stat", "exit_code", "exit_reason", "job_name", "user", "queue",
	"from_host", "exec_host", "submit_time", "start_time", "finish_time", "pend_reason",
	"proj_name", "slots", "nalloc_slot", "dependency", "command",
}

// fieldAliases are the short names bjobs -o also takes.
var fieldAliases = map[string]string{"id": "jobid", "name": "job_name", "st": "stat", "proj": "proj_name"}

const bjobsUsage = "Usage: bjobs [-h] [-V] [-a] [-json] [-noheader] [-w | -l] [-o \"field ... [delimiter='c']\"] [jobId | \"jobId[index_list]\" ...]"

// ParseBjobs checks a bjobs command line (args without "bjobs").
func ParseBjobs(args []string) (*BjobsRequest, *Error) {
	r := &BjobsRequest{Filters: map[string]string{}}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			break
		}
		switch {
		case bjobsValueOptions[a]:
			if i+1 >= len(args) {
				return nil, missingValue("bjobs", a, bjobsUsage)
			}
			i++
			if a == "-o" {
				f, d, err := ParseBjobsFormat(args[i])
				if err != nil {
					return nil, err
				}
				r.Fields, r.Delimiter = f, d
			} else {
				r.Filters[a] = args[i]
			}
		case bjobsFlagOptions[a]:
			switch a {
			case "-a":
				r.All = true
			case "-json":
				r.JSON = true
			case "-noheader":
				r.NoHeader = true
			case "-w":
				r.Wide = true
			case "-l", "-UF":
				r.Long = true
			}
		default:
			return nil, invalidOption("bjobs", a, bjobsUsage)
		}
	}
	if r.JSON && r.NoHeader {
		return nil, &Error{Msg: "bjobs: the -json and -noheader options cannot be used together", Code: ExitFailure}
	}
	if r.JSON && r.Long {
		return nil, &Error{Msg: "bjobs: the -json and -l options cannot be used together", Code: ExitFailure}
	}
	for _, a := range args[i:] {
		id, err := ParseJobID(a)
		if err != nil {
			return nil, err
		}
		r.IDs = append(r.IDs, id)
	}
	return r, nil
}

// ParseBjobsFormat reads a -o specification: field names (each optionally
// followed by ":[-][width]" and ":unit"), and optionally delimiter='c'.
func ParseBjobsFormat(spec string) ([]string, string, *Error) {
	var fields []string
	delim := ""
	rest := spec
	if k := strings.Index(rest, "delimiter="); k >= 0 {
		d := rest[k+len("delimiter="):]
		if len(d) < 3 || d[0] != '\'' || strings.IndexByte(d[1:], '\'') < 0 {
			return nil, "", &Error{Msg: "bjobs: bad delimiter in -o: " + spec, Code: ExitFailure}
		}
		end := strings.IndexByte(d[1:], '\'')
		delim = d[1 : 1+end]
		if delim == "" || strings.TrimSpace(d[end+2:]) != "" {
			return nil, "", &Error{Msg: "bjobs: bad delimiter in -o: " + spec, Code: ExitFailure}
		}
		rest = rest[:k]
	}
	for _, f := range strings.Fields(rest) {
		name, _, _ := strings.Cut(f, ":")
		name = strings.ToLower(name)
		if a, ok := fieldAliases[name]; ok {
			name = a
		}
		known := false
		for _, k := range BjobsFields {
			known = known || k == name
		}
		if !known {
			return nil, "", &Error{Msg: "bjobs: " + name + ": Unknown field name in -o", Code: ExitFailure}
		}
		fields = append(fields, name)
	}
	if len(fields) == 0 {
		return nil, "", &Error{Msg: "bjobs: no field names in -o", Code: ExitFailure}
	}
	return fields, delim, nil
}
