package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/hclconfig"
)

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check workflow files and report every problem at once",
		Long: `Check workflow files without running anything: syntax, references (with
"did you mean" hints), cycles, types, resource keys and reserved names. Params
need no values here; apply and plan check those.

Exit status is 0 when every file is valid, 2 when any is not; problems are
printed on stderr as FILE:LINE:COL with the source line underlined.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				w, diags := loadWorkflow(path, "")
				if diags.HasErrors() {
					failed = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid (%s, %s)\n", path,
					plural(len(w.Jobs), "job"), plural(len(w.Params), "param"))
			}
			if failed {
				return &silentExit{code: exitInvalid}
			}
			return nil
		},
	}
}

// loadWorkflow loads and checks a workflow file the way every command
// does, printing its diagnostics (warnings too) on stderr.
func loadWorkflow(path, executor string) (*hclconfig.Workflow, hcl.Diagnostics) {
	w, diags := hclconfig.Load(path, hclconfig.Options{
		ReservedParams: reservedParams(),
		Executor:       executor,
	})
	if len(diags) > 0 {
		_ = hclconfig.WriteDiagnostics(os.Stderr, w.Files(), diags)
	}
	return w, diags
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
