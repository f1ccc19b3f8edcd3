package pbssyntax

import (
	"fmt"
	"strconv"
	"strings"
)

// QstatRequest is a parsed qstat command line.
type QstatRequest struct {
	Full     bool   // -f
	Format   string // -F: "json", "dsv" or "" for text
	Delim    string // -D
	History  bool   // -x (OpenPBS: include finished jobs; Torque: XML output)
	Subjobs  bool   // -t
	OneReq   bool   // -E
	Alt      bool   // -a, -i, -r, -n, -s, -u: the alternative format
	Users    []string
	Operands []string // job ids or destinations, in order
	// Version is set for "qstat --version", which does nothing else.
	Version bool
	// Other is set for the queue and server forms (-Q, -q, -B), which the
	// double does not emulate.
	Other string
}

const openpbsQstatOpts = "aBD:EfF:GHiJMnpqQrsTtu:wx1"
const torqueQstatOpts = "aBefGilMnqQrRstu:W:x1"

// ParseQstat reads a qstat command line (args without the program name).
func ParseQstat(args []string, site Site) (*QstatRequest, *Error) {
	if len(args) == 1 && args[0] == "--version" {
		return &QstatRequest{Version: true}, nil
	}
	spec := openpbsQstatOpts
	if site.Dialect == Torque {
		spec = torqueQstatOpts
	}
	opts, operands, after, _, err := getopt("qstat", args, spec, qstatUsage)
	if err != nil {
		return nil, err
	}
	req := &QstatRequest{Operands: append(operands, after...)}
	conflict := &Error{Text: "qstat: conflicting options.", Code: ExitUsage}
	altSeen := false
	for _, o := range opts {
		switch o.flag {
		case 'f':
			req.Full = true
		case 'F':
			switch strings.ToLower(o.value) {
			case "json", "dsv":
				req.Format = strings.ToLower(o.value)
			default:
				return nil, usageError("", qstatUsage)
			}
		case 'D':
			req.Delim = o.value
		case 'x':
			req.History = true
		case 't':
			req.Subjobs = true
		case 'E':
			req.OneReq = true
		case 'a', 'i', 'r', 'n', 's', 'H', 'T', 'e', 'R':
			req.Alt, altSeen = true, true
		case 'u':
			req.Alt, altSeen = true, true
			req.Users = strings.Split(o.value, ",")
		case 'Q', 'q', 'B':
			req.Other = "-" + string(o.flag)
		}
	}
	if req.Format != "" && (!req.Full || altSeen) {
		return nil, conflict
	}
	if req.Full && altSeen {
		return nil, conflict
	}
	if req.Delim != "" && req.Format != "dsv" {
		return nil, conflict
	}
	if req.Other == "" {
		for _, op := range req.Operands {
			if op != "" && op[0] >= '0' && op[0] <= '9' {
				if _, ok := ParseJobID(op); !ok {
					return nil, &Error{Text: "qstat: illegally formed job identifier: " + op, Code: ExitBadJobID}
				}
			}
		}
	}
	return req, nil
}

// QdelRequest is a parsed qdel command line.
type QdelRequest struct {
	IDs     []JobID
	Force   bool // -W force (OpenPBS), -p (Torque purge)
	History bool // -x: also delete the job's history
	Version bool
}

const openpbsQdelOpts = "W:x"
const torqueQdelOpts = "ab:cm:pt:W:"

// ParseQdel reads a qdel command line (args without the program name).
func ParseQdel(args []string, site Site) (*QdelRequest, *Error) {
	if len(args) == 1 && args[0] == "--version" {
		return &QdelRequest{Version: true}, nil
	}
	spec := openpbsQdelOpts
	if site.Dialect == Torque {
		spec = torqueQdelOpts
	}
	opts, operands, after, _, err := getopt("qdel", args, spec, qdelUsage)
	if err != nil {
		return nil, err
	}
	req := &QdelRequest{}
	for _, o := range opts {
		switch o.flag {
		case 'W':
			v := o.value
			switch {
			case site.Dialect == OpenPBS && strings.EqualFold(v, "force"):
				req.Force = true
			case site.Dialect == OpenPBS && strings.HasPrefix(v, "suppress_email="):
				if _, e := strconv.Atoi(strings.TrimPrefix(v, "suppress_email=")); e != nil {
					return nil, usageError("qdel: illegal -W value", qdelUsage)
				}
			case site.Dialect == Torque:
				if _, e := strconv.Atoi(v); e != nil {
					return nil, usageError("qdel: illegal -W value", qdelUsage)
				}
			default:
				return nil, usageError("qdel: illegal -W value", qdelUsage)
			}
		case 'x':
			req.History = true
		case 'p':
			req.Force = true
		}
	}
	ops := append(operands, after...)
	if len(ops) == 0 {
		return nil, usageError("", qdelUsage)
	}
	for _, op := range ops {
		id, ok := ParseJobID(op)
		if !ok {
			return nil, &Error{Text: fmt.Sprintf("qdel: illegally formed job identifier: %s", op), Code: ExitBadJobID}
		}
		req.IDs = append(req.IDs, id)
	}
	return req, nil
}
