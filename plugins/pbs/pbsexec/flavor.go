package pbsexec

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/sdk"
)

// flavor is the scheduler the plugin talks to: its dialect and version, as
// configured or as `qstat --version` reported them.
type flavor struct {
	Dialect string
	Version string // "" when not known
}

func (f flavor) String() string {
	if f.Version == "" {
		return f.Dialect + " (version unknown)"
	}
	return f.Dialect + " " + f.Version
}

var (
	openpbsVersionRE = regexp.MustCompile(`(?m)^\s*pbs_version\s*=\s*(\S+)`)
	torqueVersionRE  = regexp.MustCompile(`(?mi)^\s*version:\s*(\S+)`)
)

// parseVersion reads `qstat --version`: OpenPBS and PBS Pro print
// "pbs_version = 22.05.11", Torque "Version: 6.1.3". ok is false for
// anything else.
func parseVersion(out string) (flavor, bool) {
	if m := openpbsVersionRE.FindStringSubmatch(out); m != nil {
		return flavor{Dialect: dialectOpenPBS, Version: m[1]}, true
	}
	if m := torqueVersionRE.FindStringSubmatch(out); m != nil {
		return flavor{Dialect: dialectTorque, Version: m[1]}, true
	}
	return flavor{}, false
}

// detectFlavor asks qstat --version, with a short timeout: a site where it
// hangs still gets a working plugin with the configured dialect.
func detectFlavor(ctx context.Context, qstat string) (flavor, string) {
	res, err := sdk.Run(ctx, sdk.Command{Path: qstat, Args: []string{"--version"}, Timeout: 10 * time.Second})
	if err != nil {
		return flavor{}, err.Error()
	}
	f, ok := parseVersion(string(res.Stdout) + "\n" + string(res.Stderr))
	if !ok {
		return flavor{}, "qstat --version printed " + strconvQuote(strings.TrimSpace(string(res.Stdout)))
	}
	return f, ""
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strconv.Quote(s)
}

// atLeast reports whether the flavor's version is at least major.minor;
// an unknown version counts as new.
func (f flavor) atLeast(major, minor int) bool {
	if f.Version == "" {
		return true
	}
	parts := strings.SplitN(f.Version, ".", 3)
	ma, err := strconv.Atoi(parts[0])
	if err != nil {
		return true
	}
	mi := 0
	if len(parts) > 1 {
		mi, _ = strconv.Atoi(parts[1]) // "05" is 5
	}
	return ma > major || ma == major && mi >= minor
}

// throttle says whether the scheduler takes an array throttle: Torque's
// slot limit, OpenPBS's %N from 22.05.
func (f flavor) throttle() bool {
	return f.Dialect == dialectTorque || f.atLeast(22, 5)
}
