package fluxsyntax

import (
	"fmt"
	"strconv"
	"strings"
)

// DependencySchemes are the schemes Flux's dependency plugins accept.
var DependencySchemes = []string{"after", "afterany", "afterok", "afternotok", "begin-time"}

// CheckDependency is the instance's check of one dependency at submission
// (what flux-core's job manager does, not the command-line tool): a known
// scheme and, for the after* schemes, exactly one valid job id. It returns
// the id, or the message the submission is rejected with
// ("dependency: after: \"bar\" is not a valid jobid").
func CheckDependency(d Dependency) (uint64, error) {
	switch d.Scheme {
	case "after", "afterany", "afterok", "afternotok":
		id, err := ParseJobID(d.Value)
		if err != nil {
			return 0, fmt.Errorf("dependency: %s: %q is not a valid jobid", d.Scheme, d.Value)
		}
		return id, nil
	case "begin-time":
		v := strings.TrimPrefix(d.Value, "+")
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return 0, fmt.Errorf("dependency: begin-time: %q is not a valid timestamp", d.Value)
		}
		return 0, nil
	}
	return 0, fmt.Errorf("dependency: unknown scheme %q (known: %s)", d.Scheme, strings.Join(DependencySchemes, ", "))
}

// DependencyListing is how `flux jobs` lists an unresolved dependency:
// "after-success=ƒX" for afterok and so on.
func DependencyListing(scheme string, id uint64, ascii bool) string {
	name := map[string]string{
		"after": "after-start", "afterany": "after-finish", "afterok": "after-success", "afternotok": "after-failure",
	}[scheme]
	if name == "" {
		name = scheme
	}
	return name + "=" + EncodeF58(id, ascii)
}
