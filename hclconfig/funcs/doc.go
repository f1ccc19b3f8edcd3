// Package funcs holds the functions a workflow file may call: a selection of
// go-cty's stdlib plus reflow's own (file, basename, dirname, args, raw,
// range, length).
//
// args and raw return a shell fragment: a capsule value that only a command
// interpolation knows how to insert. Making it a distinct type, not a marked
// string, means a fragment cannot be silently mixed into other strings (where
// it would smuggle a param past the quoting); it must be the outermost call of
// an interpolation, as in ${args(job.a.outputs)}.
package funcs
