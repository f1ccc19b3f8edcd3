// Command reflow is the reflow CLI: every user command, plus the hidden
// `dispatch` and `worker` commands the engine starts itself.
//
// Exit codes (documented in docs/cli.md):
//
//	0  success
//	1  the run failed or was cancelled
//	2  invalid input: usage, validation, params
//	3  infrastructure error: store, plugin
package main
