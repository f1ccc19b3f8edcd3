package fluxexec

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/sdk"
)

// version is a flux-core release.
type version struct{ major, minor, patch int }

// bankSince is the first release with `--bank`; earlier ones take the bank
// as a job attribute (--setattr=bank=NAME).
var bankSince = version{0, 65, 0}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

func (v version) atLeast(o version) bool {
	if v.major != o.major {
		return v.major > o.major
	}
	if v.minor != o.minor {
		return v.minor > o.minor
	}
	return v.patch >= o.patch
}

func parseVersion(s string) (version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "-+ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return version{}, fmt.Errorf("%q is not a flux-core version such as \"0.60.0\"", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return version{}, fmt.Errorf("%q is not a flux-core version such as \"0.60.0\"", s)
		}
		n[i] = v
	}
	return version{n[0], n[1], n[2]}, nil
}

// detectVersion asks `flux version`, whose first line is
// "commands:    \t\t0.60.0".
func detectVersion(ctx context.Context, fluxCmd string) (version, error) {
	res, err := sdk.Run(ctx, sdk.Command{Path: fluxCmd, Args: []string{"version"}, Env: fluxEnv(), Timeout: 20 * time.Second})
	if err != nil {
		return version{}, err
	}
	for line := range strings.SplitSeq(string(res.Stdout), "\n") {
		if rest, ok := strings.CutPrefix(line, "commands:"); ok {
			return parseVersion(rest)
		}
	}
	return version{}, fmt.Errorf("`%s version` printed no \"commands:\" line", fluxCmd)
}
