// Package shell quotes values for bash so that an interpolation into a job's
// command is always exactly one word, whatever it contains.
//
// Quoting is minimal on purpose: a value made only of characters bash never
// treats specially ([A-Za-z0-9_@%+=:,./-]) is left as it is, so rendered
// commands stay readable in `reflow plan`; anything else is wrapped in single
// quotes, the one bash quoting form inside which no character is special.
package shell
