// Package hclconfig is reflow's workflow language and site configuration:
// it parses workflow files (and the flow files they use), decodes them,
// reports every problem at once with source positions and "did you mean"
// hints, and evaluates them for the engine. It builds on hcl/v2 and go-cty
// and imports nothing of core, pluginapi, sdk or plugins.
//
// # Loading and validating
//
//	w, diags := hclconfig.Load("etl.hcl", hclconfig.Options{
//		ResourceKeys:   keysFromExecutorInfo, // func(executor) ([]ResourceKey, bool)
//		Executor:       flagOrSiteExecutor,   // "" = the workflow's
//		ReservedParams: applyFlagNames,       // e.g. "executor", "var", ...
//	})
//	hclconfig.WriteDiagnostics(os.Stderr, w.Files(), diags) // file:line:col + caret
//
// Load needs no param values. It checks references, functions, cycles,
// types (through cty unknowns), resource keys and reserved names. The
// Workflow lists Params, Jobs (flow jobs named FLOW.job), Flows and Edges;
// each Job has a Kind (Singleton, StaticArray, DynamicArray, ElementWise)
// and Needs; each Edge a Kind (EdgeData, EdgeFanOut, EdgeElementWise,
// EdgeGather, EdgeBroadcast, EdgeAfter), decided from the shape of the
// expressions, never from values:
//
//   - for_each over literals/params: StaticArray, sized at plan time.
//   - for_each = job.A.outputs|result, A a singleton: DynamicArray with
//     Source A, fan-out edge; sized when A finishes.
//   - for_each = job.A.<attr>, A an array: ElementWise with Source A;
//     element i consumes A[i] only; size = A's size.
//   - any other for_each over an array's values: gather, then fan-out.
//   - a singleton reading an array: gather (list ordered by index); an
//     array reading another job outside for_each: broadcast (every element
//     gets the whole value); after = [...]: order only.
//
// References through flow params and outputs are followed, so a flow's
// for_each = param.reads bound to job.split.outputs is a fan-out from split.
//
// # Binding params
//
//	b, diags := w.Bind(hclconfig.ParamInput{Flags: f, Vars: v, VarFiles: vf})
//
// Precedence (lowest first): default, --var-file, --var, --NAME. Path
// params become absolute. Validation blocks run here.
//
// # Evaluating for the engine
//
// The engine describes what it knows in a State: run id and dir, and per
// job the Values (output paths, raw $REFLOW_RESULT bytes) of each finished
// instance. A Snapshot evaluates against one State and memoises; take a new
// one when the state changes.
//
//	snap := b.Snapshot(&hclconfig.State{RunDir: dir, RunID: id, Tasks: known})
//	exp, diags := snap.Expand("upper") // or snap.ExpandAll(), in dependency order
//	// exp.Size == -1: size depends on values not known yet (dynamic fan-out).
//	for _, inst := range exp.Instances {
//		// inst.Known: Command, Env, Resources, Outputs, Inputs all resolved.
//		// inst.Consumes: upstream instances read (cache identity); {A, i}
//		//   for element-wise, {A, -1} for a whole job.
//		// inst.After: order-only dependencies.
//		// inst.Preview: the command with unknown parts as ${source}.
//	}
//
// A job may run when its instance is Known and every Consumes and After
// entry has finished. Unknowns are cty unknowns internally; plan shows
// Preview. A fan-out over zero items is an error unless allow_empty = true,
// in which case Size is 0 and readers see empty lists.
//
// Commands: literal template text is kept as written; every ${...} is
// evaluated and shell-quoted as one word (package shell); args(list)
// inserts quoted words and raw(s) inserts text unquoted (both return a
// shell fragment, package funcs, which cannot be mixed into other strings).
//
// Resources on an Instance are the job's over the workflow's defaults, as
// JSON-compatible values; layer the site's below with
// MergeResources(site.ExecutorResources(name), inst.Resources).
//
// # Site configuration
//
//	cfg, files, diags := hclconfig.LoadSiteConfig(hclconfig.SiteConfigPath())
//
// decodes store {}, executor "NAME" {} (settings as JSON-compatible values
// for the plugin, max_queued, default resources), dispatch {}, plugins {}
// and cache {}. A missing file yields an empty config.
//
// Sub-packages: shell (quoting), funcs (the function table), graphfmt
// (text, DOT and Mermaid drawings of the job graph).
package hclconfig
