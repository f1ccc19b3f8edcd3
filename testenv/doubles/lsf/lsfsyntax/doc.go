// Package lsfsyntax holds what the LSF test double knows about the command
// lines of bsub, bjobs and bkill: which options exist and which take a
// value, and the grammar of each value (run limits, memory limits, job
// array specifications, dependency expressions, resource requirement
// strings, job ids, bjobs -o formats). It rejects what IBM Spectrum LSF
// 10.1 rejects, with the error text and exit status the facts page
// (shared/schedulers/lsf.md, §6 "Strict test-double checklist") gives.
//
// It is a package of its own, outside the double's main package, so that
// the plugin's property test can feed every command line its generator
// produces through the double's parser. It is written separately from the
// plugin's command-building code on purpose: the strictness check must not
// share code with what it checks.
//
// Where the facts page gives no error text, the messages follow LSF's
// pattern "<context>: <reason>. Job not submitted." and exit 255; tests
// should rely only on the facts-page texts.
package lsfsyntax
