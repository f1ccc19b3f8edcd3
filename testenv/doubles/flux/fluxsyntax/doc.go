// Package fluxsyntax is the flux test double's knowledge of Flux's command
// lines: which options `flux submit`, `flux batch`, `flux jobs` and
// `flux cancel` take, what values they accept, how `{cc}` is substituted,
// how batch-script directives are found, and how job ids are written.
//
// It lives in a package of its own, apart from the double's job-running
// mechanics, so that the flux plugin's property test can feed the plugin's
// generated command lines to exactly the checks the double applies, without
// sharing any code with the plugin's generator: a mistake in one is caught
// by the other.
//
// Every rejection is a *Rejection carrying the text Flux prints on stderr and
// its exit status: 2 for an argparse usage error (unknown option, missing
// value), 1 for an error Flux raises after parsing ("flux-submit: ERROR:
// invalid Flux standard duration"). Texts come from the scheduler facts page
// (§6 of the Flux reference) where it gives them; the rest are written in
// Flux's style and marked in the double's documentation.
package fluxsyntax
