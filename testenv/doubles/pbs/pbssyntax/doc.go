// Package pbssyntax is the PBS test double's reading of qsub, qstat and qdel
// command lines: which options exist, which values they accept, how
// directives are scanned from a job script, and the exact error text and
// exit status the real commands give when they refuse something.
//
// It is a package of its own, apart from the double's job-running code, for
// two reasons. The scheduler-specific rules live in one place, written from
// the PBS facts page (its §6 "strict test-double checklist"), and nowhere
// else. And the PBS plugin's property test imports it to check that every
// command line the plugin builds is one a real qsub accepts; the checks here
// are written independently of the plugin's generator, so the two cannot
// agree by sharing a bug.
//
// Two dialects are understood: OpenPBS (PBS Pro shares its code) and Torque,
// whose qsub takes -t arrays, -d/-w work directories and the *array
// dependency types, and whose qstat has no JSON and no job history.
package pbssyntax
