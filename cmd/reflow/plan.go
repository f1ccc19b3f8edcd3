package main

import (
	"github.com/spf13/cobra"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/zclconf/go-cty/cty"
)

func newPlanCmd() *cobra.Command {
	return newRunCmd("plan", "Show what apply would run, job by job",
		`Show what reflow apply would do: every job in dependency order, array sizes
(or "sized at run time" for dynamic fan-outs), and the rendered commands with
each interpolation shell-quoted; values only known once upstream jobs finish
are shown as the expression that produces them.

`+planNote+`

Params are flags, as for apply: reflow plan FILE --help lists them.`, true)
}

// ctyJSON renders a value as compact JSON, for defaults and params.
func ctyJSON(v cty.Value) (string, error) {
	b, err := ctyjson.Marshal(v, v.Type())
	return string(b), err
}
