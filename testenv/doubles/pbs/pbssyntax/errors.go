package pbssyntax

import "fmt"

// Exit statuses the PBS commands use. Server rejections exit with the PBS
// error number & 0xFF (facts §1); usage problems with 2.
const (
	ExitUsage          = 2
	ExitArrayTooBig    = 3   // "Array job exceeds server or queue size limit"
	ExitFinished       = 35  // qstat/qdel: the job has finished (history on)
	ExitNoHistory      = 36  // qstat -x with job history disabled
	ExitUnknownJob     = 153 // PBSE_UNKJOBID & 0xFF
	ExitBadAttrValue   = 166 // PBSE_BADATVAL & 0xFF
	ExitInvalidState   = 168 // qdel in a transitional state
	ExitUnknownQueue   = 170 // PBSE_UNKQUE & 0xFF
	ExitUnknownResc    = 186 // PBSE_UNKRESC & 0xFF (number unverified)
	ExitMaxQueued      = 187 // PBSE_MAXQUED & 0xFF (number unverified)
	ExitResourceLimits = 188 // PBSE_EXCQRESC & 0xFF
	ExitBadJobID       = 1   // qstat/qdel: an operand that is no job id
)

// Error is a refusal as the real command prints it: Text goes to stderr
// (without a final newline) and the command exits with Code.
type Error struct {
	Text string
	Code int
}

func (e *Error) Error() string { return fmt.Sprintf("%s (exit %d)", e.Text, e.Code) }

// qsubUsage is the usage text qsub prints after a usage error, in the
// double's words; only its presence matters to callers.
const qsubUsage = `usage: qsub [-a date_time] [-A account_string] [-c interval] [-C directive_prefix]
	[-e path] [-f] [-h] [-I [-X]] [-j oe|eo|n] [-J X-Y[:Z][%N]] [-k keep]
	[-l resource_list] [-m mail_options] [-M user_list] [-N jobname]
	[-o path] [-p priority] [-P project] [-q queue] [-r y|n] [-R o|e|oe]
	[-S path] [-u user_list] [-W otherattributes=value...]
	[-v variable_list] [-V] [-z] [script | -- command [arg1 ...]]
       qsub --version`

// torqueQsubUsage is Torque's qsub usage text, in the double's words.
const torqueQsubUsage = `usage: qsub [-a date_time] [-A account_string] [-b secs] [-c interval]
	[-C directive_prefix] [-d path] [-D path] [-e path] [-f] [-F arguments]
	[-h] [-I] [-j oe|eo|n] [-k keep] [-K kill_delay] [-l resource_list]
	[-L NUMA_resource_list] [-m mail_options] [-M user_list] [-n] [-N name]
	[-o path] [-p priority] [-P proxy_user] [-q queue] [-r y|n] [-S path]
	[-t number_to_submit] [-T type] [-u user_list] [-v variable_list] [-V]
	[-w path] [-W otherattributes=value...] [-x] [-X] [-z] [script]`

const qstatUsage = `usage: 
	qstat [-f] [-J] [-p] [-t] [-x] [-E] [-F json|dsv] [-D delim] [ job_identifier... | destination... ]
	qstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]
		[ job_identifier... | destination... ]
	qstat -Q [-f] [-F json|dsv] [-D delim] [ destination... ]
	qstat -q [-G|-M] [ destination... ]
	qstat -B [-f] [-F json|dsv] [-D delim] [ server_name... ]
	qstat --version`

const qdelUsage = `usage: qdel [-W force|suppress_email=X] [-x] job_identifier...
       qdel --version`

// usageError is a usage problem of cmd: the complaint, then the usage text.
func usageError(complaint, usage string) *Error {
	if complaint == "" {
		return &Error{Text: usage, Code: ExitUsage}
	}
	return &Error{Text: complaint + "\n" + usage, Code: ExitUsage}
}
