package lsfsyntax

import "strings"

// BkillRequest is a bkill command line the double accepts, decoded.
type BkillRequest struct {
	// Signal is -s SIG ("" for the default kill sequence).
	Signal string
	// Remove is -r: remove the job from LSF without waiting for it.
	Remove bool
	IDs    []JobIDArg
}

const bkillUsage = "Usage: bkill [-h] [-V] [-l] [-r | -s signal] [jobId | \"jobId[index_list]\" ...]"

// ParseBkill checks a bkill command line (args without "bkill"). Besides
// LSF's own checks it refuses what the facts page forbids a client to run
// (checklist item 9): bkill without a job id, which kills the most recent
// job, and bkill 0, which kills every job of the user.
func ParseBkill(args []string) (*BkillRequest, *Error) {
	r := &BkillRequest{}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			break
		}
		switch a {
		case "-s":
			if i+1 >= len(args) {
				return nil, missingValue("bkill", a, bkillUsage)
			}
			i++
			r.Signal = args[i]
		case "-r":
			r.Remove = true
		case "-b", "-d":
		default:
			return nil, invalidOption("bkill", a, bkillUsage)
		}
	}
	if r.Remove && r.Signal != "" {
		return nil, &Error{Msg: "bkill: -r and -s cannot be used together\n" + bkillUsage, Code: ExitFailure}
	}
	if i == len(args) {
		return nil, &Error{Msg: "bkill: refusing to run without a job id (it would kill your most recent job)", Code: ExitFailure}
	}
	for _, a := range args[i:] {
		id, err := ParseJobID(a)
		if err != nil {
			return nil, err
		}
		if id.ID == 0 {
			return nil, &Error{Msg: "bkill: refusing job id 0 (it would kill all of your jobs)", Code: ExitFailure}
		}
		r.IDs = append(r.IDs, id)
	}
	return r, nil
}
