package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/zclconf/go-cty/cty"

	"github.com/reflow-hpc/reflow/core/engine"
	"github.com/reflow-hpc/reflow/hclconfig"
)

// runFlags are the built-in flags of apply and plan. Every workflow param
// becomes a flag beside them, so their names are reserved for params.
type runFlags struct {
	executor  string
	vars      []string
	varFiles  []string
	detach    bool
	mode      string
	force     bool
	forceTask []string
	verify    string
	store     string
	config    string
	runRoot   string
	failFast  bool
	native    bool
	detailed  bool
	help      bool

	// The run to be: its id and directory, and the evaluation made for it.
	runID, runDir string
	seed          *hclconfig.Snapshot
}

func (f *runFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.executor, "executor", "", "executor for jobs without their own (overrides the workflow and site config)")
	fs.StringArrayVar(&f.vars, "var", nil, "set a param: NAME=VALUE (repeatable)")
	fs.StringArrayVar(&f.varFiles, "var-file", nil, "read params from an HCL or JSON file (repeatable)")
	fs.BoolVar(&f.detach, "detach", false, "run the dispatcher as a scheduler job and return")
	fs.StringVar(&f.mode, "mode", "", "detached dispatch mode: chain or resident")
	fs.BoolVar(&f.force, "force", false, "run every job, ignoring the cache")
	fs.StringArrayVar(&f.forceTask, "force-task", nil, "run this job even if cached (repeatable)")
	fs.StringVar(&f.verify, "verify", "", "cache check of recorded outputs: mtime (default) or content")
	fs.StringVar(&f.store, "store", "", "manifest store path (default $REFLOW_STORE or the site config)")
	fs.StringVar(&f.config, "config", "", "site config file (default $REFLOW_CONFIG or $XDG_CONFIG_HOME/reflow/config.hcl)")
	fs.StringVar(&f.runRoot, "run-root", "", "directory run directories are made in (default ./reflow-runs)")
	fs.BoolVar(&f.failFast, "fail-fast", false, "stop the run at the first failure instead of finishing independent branches")
	fs.BoolVar(&f.native, "show-native", false, "plan: print the native submission (script and command line) of each job that would run")
	fs.BoolVar(&f.detailed, "detailed-exitcode", false, "plan: exit 0 when everything is cached, 4 when some task would run")
	fs.BoolVarP(&f.help, "help", "h", false, "show help, with the workflow's params when FILE is given")
}

// root is the directory run directories are made in.
func (f *runFlags) root() string {
	if f.runRoot == "" {
		return "reflow-runs"
	}
	return f.runRoot
}

// reservedParams lists the names a param may not take: the built-in flags
// of apply and plan, read off the flag set so the two never drift apart.
func reservedParams() []string {
	fs := pflag.NewFlagSet("reserved", pflag.ContinueOnError)
	(&runFlags{}).register(fs)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return names
}

func newApplyCmd() *cobra.Command {
	return newRunCmd("apply", "Run a workflow, skipping every job whose inputs are unchanged",
		`Run a workflow: validate it, evaluate its params, and submit every job that
is not cached. The dispatcher runs in the foreground with live progress;
Ctrl-C cancels the run's jobs and marks the run cancelled.

Exit status: 0 the run succeeded, 1 it failed or was cancelled, 2 invalid
input (usage, validation, params), 3 infrastructure (store, plugin).

Each param of the workflow is a flag: reflow apply FILE --help lists them with
their type, default and help. Values are also taken from --var NAME=VALUE and
--var-file FILE (HCL, or JSON for a .json file). Precedence, highest first:
--NAME, --var, --var-file, the param's default.`, false)
}

// newRunCmd builds apply or plan. Flag parsing is done here, not by cobra,
// because the flags depend on the workflow file named among the arguments.
func newRunCmd(name, short, long string, detailed bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:                name + " FILE [--PARAM VALUE...] [flags]",
		Short:              short,
		Long:               long,
		DisableFlagParsing: true,
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runWorkflow(cmd, args, detailed)
	}
	return cmd
}

func runWorkflow(cmd *cobra.Command, args []string, detailed bool) error {
	out := cmd.OutOrStdout()
	// First pass: only the built-in flags, to find FILE among the args.
	var pre runFlags
	fs := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	pre.register(fs)
	if err := fs.Parse(args); err != nil {
		return invalidInput(err)
	}
	if fs.NArg() == 0 {
		if pre.help {
			writeRunHelp(out, cmd, nil)
			return nil
		}
		return invalidInput(fmt.Errorf("%s needs a workflow file: reflow %s FILE", cmd.Name(), cmd.Name()))
	}
	file := fs.Arg(0)
	w, diags := loadWorkflow(file, pre.executor)
	if diags.HasErrors() {
		return &silentExit{code: exitInvalid}
	}

	// Second pass: built-ins plus one flag per param.
	var rf runFlags
	fs = pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rf.register(fs)
	for _, p := range w.Params {
		f := fs.VarPF(&paramValue{typ: p.TypeName}, p.Name, "", p.Help)
		if p.Type == cty.Bool {
			f.NoOptDefVal = "true" // --flag alone means true
		}
	}
	if err := fs.Parse(args); err != nil {
		return invalidInput(fmt.Errorf("%w (reflow %s %s --help lists the params)", err, cmd.Name(), file))
	}
	if rf.help {
		writeRunHelp(out, cmd, w)
		return nil
	}
	if fs.NArg() > 1 {
		return invalidInput(fmt.Errorf("%s takes one workflow file, got %s", cmd.Name(), strings.Join(fs.Args(), " ")))
	}
	in := hclconfig.ParamInput{Flags: map[string]string{}, Vars: rf.vars, VarFiles: rf.varFiles}
	for _, p := range w.Params {
		if f := fs.Lookup(p.Name); f.Changed {
			in.Flags[p.Name] = f.Value.String()
		}
	}
	b, diags := w.Bind(in)
	if diags.HasErrors() {
		_ = hclconfig.WriteDiagnostics(cmd.ErrOrStderr(), b.Files(), diags)
		return &silentExit{code: exitInvalid}
	}
	// Evaluate once for the run it will be: the diagnostics come from this
	// evaluation, and the engine's first round reuses it.
	root := rf.root()
	var err error
	if rf.runID, rf.runDir, err = engine.NewRunDir(root); err != nil {
		return invalidInput(fmt.Errorf("--run-root %s: %w", root, err))
	}
	rf.seed = b.Snapshot(&hclconfig.State{RunID: rf.runID, RunDir: rf.runDir, Tasks: map[string]*hclconfig.TaskState{}})
	_, diags = rf.seed.ExpandAll()
	if diags.HasErrors() {
		_ = hclconfig.WriteDiagnostics(cmd.ErrOrStderr(), b.Files(), diags)
		return &silentExit{code: exitInvalid}
	}
	site, err := loadSite(cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	executor := chooseExecutor(rf.executor, site, w)
	if cmd.Name() == "apply" {
		return applyRun(cmd, &rf, site, b, executor)
	}
	return planRun(cmd, &rf, site, b, executor, detailed)
}

// chooseExecutor picks the run's default executor: --executor, then
// $REFLOW_EXECUTOR, then the site's default_executor, then the workflow
// file's, then local.
func chooseExecutor(flag string, site *hclconfig.SiteConfig, w *hclconfig.Workflow) string {
	for _, e := range []string{flag, os.Getenv("REFLOW_EXECUTOR"), site.DefaultExecutor, w.Executor} {
		if e != "" {
			return e
		}
	}
	return "local"
}

// paramValue is a param's flag: it keeps the text as given, since
// hclconfig parses it by the param's type (with the other sources).
type paramValue struct {
	text, typ string
}

func (v *paramValue) String() string     { return v.text }
func (v *paramValue) Set(s string) error { v.text = s; return nil }
func (v *paramValue) Type() string       { return v.typ }

// writeRunHelp prints the command's help; with a workflow, its params come
// first, as flags with type, default and help.
func writeRunHelp(out io.Writer, cmd *cobra.Command, w *hclconfig.Workflow) {
	fmt.Fprintf(out, "%s\n\nUsage:\n  reflow %s\n", cmd.Long, cmd.Use)
	if w != nil {
		fmt.Fprintf(out, "\nWorkflow params (%s):\n", w.File)
		if len(w.Params) == 0 {
			fmt.Fprintln(out, "  (none)")
		}
		tw := tabwriter.NewWriter(out, 0, 4, 3, ' ', 0)
		for _, p := range w.Params {
			help := p.Help
			if p.Required() {
				help = strings.TrimSpace(help + " (required)")
			} else {
				help = strings.TrimSpace(fmt.Sprintf("%s (default %s)", help, showValue(p.Default)))
			}
			fmt.Fprintf(tw, "  --%s %s\t%s\n", p.Name, p.TypeName, help)
		}
		_ = tw.Flush()
	}
	fs := pflag.NewFlagSet("builtin", pflag.ContinueOnError)
	(&runFlags{}).register(fs)
	fmt.Fprintf(out, "\nFlags:\n%s", fs.FlagUsages())
}

func showValue(v cty.Value) string {
	if v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	b, err := ctyJSON(v)
	if err != nil {
		return v.GoString()
	}
	return b
}

func formatResources(r *hclconfig.Resources) string {
	keys := make([]string, 0, len(r.Values))
	for k := range r.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, r.Values[k])
	}
	return strings.Join(parts, " ")
}
