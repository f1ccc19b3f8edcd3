package fluxsyntax

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a flux-core release, e.g. 0.79.0. Options and exit statuses
// that changed within the supported range depend on it.
type Version struct{ Major, Minor, Patch int }

// DefaultVersion is the release the double emulates unless told otherwise:
// the newest one the facts page checked.
var DefaultVersion = Version{0, 79, 0}

// BankOptionSince is the first release with `-B/--bank`.
var BankOptionSince = Version{0, 65, 0}

// JobsExitSince is the first release where `flux jobs ID...` exits 1 when
// none of the ids was found.
var JobsExitSince = Version{0, 80, 0}

// ParseVersion reads "0.79.0" (a leading "v" and a "-suffix" are ignored).
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "-+ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("invalid flux-core version %q (want MAJOR.MINOR.PATCH)", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("invalid flux-core version %q (want MAJOR.MINOR.PATCH)", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool {
	if v.Major != o.Major {
		return v.Major > o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor > o.Minor
	}
	return v.Patch >= o.Patch
}
