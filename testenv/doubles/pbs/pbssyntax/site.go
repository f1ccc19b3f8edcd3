package pbssyntax

import (
	"strconv"
	"strings"
)

// Dialect is the PBS family member a command line is read for.
type Dialect int

const (
	OpenPBS Dialect = iota // OpenPBS and PBS Pro
	Torque
)

func (d Dialect) String() string {
	if d == Torque {
		return "torque"
	}
	return "openpbs"
}

// Site is what the server-side rules depend on: the dialect, the version
// (OpenPBS takes a -J throttle only from 22.05), the array size limit and
// the resources the site defined.
type Site struct {
	Dialect Dialect
	// Version is the server's version, e.g. "23.06.06"; empty means the
	// newest behaviour.
	Version string
	// MaxArraySize is the server's max_array_size (OpenPBS) or
	// max_job_array_size (Torque); 0 means no limit.
	MaxArraySize int
	// CustomResources are resources the site defined (ngpus, say).
	CustomResources map[string]ResKind
	// Env is the submitter's environment, for PBS_DPREFIX.
	Env map[string]string
}

// DefaultSite is an OpenPBS 23.06 server with default limits and the ngpus
// resource a cgroups hook defines.
func DefaultSite() Site {
	return Site{Dialect: OpenPBS, Version: "23.06.06", MaxArraySize: 10000,
		CustomResources: map[string]ResKind{"ngpus": ResLong}}
}

// AtLeast reports whether the site's version is at least major.minor; an
// empty or unreadable version counts as new.
func (s *Site) AtLeast(major, minor int) bool {
	if s.Version == "" {
		return true
	}
	parts := strings.SplitN(s.Version, ".", 3)
	ma, err := strconv.Atoi(parts[0])
	if err != nil {
		return true
	}
	mi := 0
	if len(parts) > 1 {
		mi, _ = strconv.Atoi(parts[1])
	}
	return ma > major || ma == major && mi >= minor
}

// ThrottleOK says whether -J takes a %N suffix (OpenPBS 22.05 and later).
func (s *Site) ThrottleOK() bool { return s.Dialect == Torque || s.AtLeast(22, 5) }
