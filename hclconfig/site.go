package hclconfig

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SiteConfig is the site configuration file (DESIGN §8). Every field is
// the file's value or the zero value when the file does not set it; the
// caller layers flags and the environment over it.
type SiteConfig struct {
	// File is the path it was read from ("" when no file exists).
	File string
	// DefaultExecutor is default_executor: the executor for workflows and
	// jobs that name none.
	DefaultExecutor string
	Store           StoreConfig
	// Executors are the executor "NAME" {} blocks by name.
	Executors map[string]*ExecutorConfig
	Dispatch  DispatchConfig
	Plugins   PluginsConfig
	Cache     CacheConfig
}

// StoreConfig is the store {} block.
type StoreConfig struct {
	// Path of the manifest DB.
	Path string
	// JournalMode overrides the SQLite journal mode ("" = the engine picks:
	// WAL on local disk, a mode safe on network filesystems otherwise).
	JournalMode string
}

// ExecutorConfig is one executor "NAME" {} block.
type ExecutorConfig struct {
	Name string
	// Settings are every attribute other than the engine's own, as
	// JSON-compatible values (string, float64, bool, []any, map[string]any)
	// for the plugin's Configure.
	Settings map[string]any
	// Resources are the site's default resources for this executor, from
	// a resources {} block inside it (job > workflow > these).
	Resources *Resources
	// MaxQueued caps this run's pending+running jobs and array elements on
	// the executor (0 = no cap).
	MaxQueued int
	DeclRange hcl.Range
}

// DispatchConfig is the dispatch {} block.
type DispatchConfig struct {
	// Mode is what `apply --detach` runs the dispatcher as: process (a
	// background process on this host, the default), chain or resident
	// (scheduler jobs). Without --detach the dispatcher is in the
	// foreground whatever this says.
	Mode string
	// Executor runs a detached dispatcher ("" = the workflow's).
	Executor string
	// Resources of the dispatcher job itself, when detached.
	Resources *Resources
	// PollInterval and MaxPollInterval bound the adaptive poll interval, as
	// durations ("10s", "2m"); "" = the engine's defaults.
	PollInterval, MaxPollInterval string
	// ChainFallback is how long a chain of dispatcher jobs waits, at most,
	// for one of its jobs to end before a dispatcher looks anyway ("5m").
	ChainFallback string
}

// PluginsConfig is the plugins {} block.
type PluginsConfig struct {
	// Dirs are searched for reflow-executor-* binaries, after
	// $REFLOW_PLUGIN_PATH and before the reflow binary's directory.
	Dirs []string
	// LockFile pins plugin checksums.
	LockFile string
}

// CacheConfig is the cache {} block.
type CacheConfig struct {
	// Verify is mtime (size+mtime, the default) or content (digests).
	Verify string
	// Disabled turns cache lookups off for every run.
	Disabled bool
}

// Engine-level keys of an executor block; the rest are plugin settings.
const keyMaxQueued = "max_queued"

var siteSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "default_executor"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "store"}, {Type: "executor", LabelNames: []string{"name"}},
		{Type: "dispatch"}, {Type: "plugins"}, {Type: "cache"},
	},
}

var (
	storeSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "path"}, {Name: "journal_mode"}}}
	executorSch = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: keyMaxQueued}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "resources"}},
	}
	dispatchSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "mode"}, {Name: "executor"}, {Name: "poll_interval"}, {Name: "max_poll_interval"}, {Name: "chain_fallback"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "resources"}},
	}
	pluginsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "dirs"}, {Name: "lock_file"}}}
	cacheSchema   = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "verify"}, {Name: "disabled"}}}
)

// DispatchModes and VerifyModes are the accepted values.
var (
	DispatchModes = []string{"foreground", "process", "chain", "resident"}
	VerifyModes   = []string{"mtime", "content"}
)

// SiteConfigPath is where the site config is read from: $REFLOW_CONFIG,
// else $XDG_CONFIG_HOME/reflow/config.hcl, else ~/.config/reflow/config.hcl.
func SiteConfigPath() string {
	if p := os.Getenv("REFLOW_CONFIG"); p != "" {
		return p
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "reflow", "config.hcl")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config", "reflow", "config.hcl")
}

// LoadSiteConfig reads the site config at path. A missing file is not an
// error: it yields an empty config, since most users have none. Values may
// use env("NAME") to read the environment, e.g. path = "${env("HOME")}/x".
// Relative paths (store, plugin dirs, lock file) are taken from the
// config file's directory.
func LoadSiteConfig(path string) (*SiteConfig, map[string]*hcl.File, hcl.Diagnostics) {
	cfg := &SiteConfig{Executors: map[string]*ExecutorConfig{}}
	src, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cfg, nil, nil
	}
	if err != nil {
		return cfg, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read site config", Detail: err.Error()}}
	}
	cfg.File = path
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	files := map[string]*hcl.File{path: f}
	if diags.HasErrors() {
		return cfg, files, diags
	}
	d := &siteDecoder{cfg: cfg, dir: filepath.Dir(path), ctx: siteContext()}
	diags = append(diags, d.decode(f.Body)...)
	sortDiags(diags)
	return cfg, files, diags
}

func siteContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{
		"env": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "name", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.StringVal(os.Getenv(args[0].AsString())), nil
			},
		}),
	}}
}

type siteDecoder struct {
	cfg   *SiteConfig
	dir   string
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics
}

func (d *siteDecoder) decode(body hcl.Body) hcl.Diagnostics {
	content, diags := body.Content(siteSchema)
	d.diags = diags
	if a := content.Attributes["default_executor"]; a != nil {
		d.cfg.DefaultExecutor = d.str(a)
	}
	seen := map[string]*hcl.Block{}
	for _, b := range content.Blocks {
		key := b.Type
		if b.Type == "executor" {
			key += " " + b.Labels[0]
		}
		if prev := seen[key]; prev != nil {
			d.diags = append(d.diags, errorAt(b.DefRange, "Duplicate "+b.Type+" block", "Already defined at %s.", prev.DefRange))
			continue
		}
		seen[key] = b
		switch b.Type {
		case "store":
			c := d.content(b, storeSchema)
			d.cfg.Store.Path = d.path(c.Attributes["path"])
			d.cfg.Store.JournalMode = d.str(c.Attributes["journal_mode"])
		case "executor":
			d.executor(b)
		case "dispatch":
			c := d.content(b, dispatchSchema)
			d.cfg.Dispatch.Mode = d.oneOf(c.Attributes["mode"], DispatchModes)
			d.cfg.Dispatch.Executor = d.str(c.Attributes["executor"])
			d.cfg.Dispatch.PollInterval = d.str(c.Attributes["poll_interval"])
			d.cfg.Dispatch.MaxPollInterval = d.str(c.Attributes["max_poll_interval"])
			d.cfg.Dispatch.ChainFallback = d.str(c.Attributes["chain_fallback"])
			d.cfg.Dispatch.Resources = d.resources(c.Blocks)
		case "plugins":
			c := d.content(b, pluginsSchema)
			if a := c.Attributes["dirs"]; a != nil {
				v, ds := a.Expr.Value(d.ctx)
				d.diags = append(d.diags, ds...)
				if g, err := toJSONValue(v); !ds.HasErrors() && err == nil {
					list, _ := g.([]any)
					for _, e := range list {
						if s, ok := e.(string); ok {
							d.cfg.Plugins.Dirs = append(d.cfg.Plugins.Dirs, d.abs(s))
						}
					}
					if list == nil || len(list) != len(d.cfg.Plugins.Dirs) {
						d.diags = append(d.diags, errorAt(a.Expr.Range(), "Wrong type", "dirs must be a list of strings."))
					}
				}
			}
			d.cfg.Plugins.LockFile = d.path(c.Attributes["lock_file"])
		case "cache":
			c := d.content(b, cacheSchema)
			d.cfg.Cache.Verify = d.oneOf(c.Attributes["verify"], VerifyModes)
			if a := c.Attributes["disabled"]; a != nil {
				v, ds := a.Expr.Value(d.ctx)
				d.diags = append(d.diags, ds...)
				if !ds.HasErrors() {
					if v.Type() != cty.Bool || v.IsNull() {
						d.diags = append(d.diags, errorAt(a.Expr.Range(), "Wrong type", "disabled must be true or false."))
					} else {
						d.cfg.Cache.Disabled = v.True()
					}
				}
			}
		}
	}
	return d.diags
}

// executor decodes an executor block: engine keys are typed fields, every
// other attribute is a plugin setting.
func (d *siteDecoder) executor(b *hcl.Block) {
	ex := &ExecutorConfig{Name: b.Labels[0], Settings: map[string]any{}, DeclRange: b.DefRange}
	content, rest, diags := b.Body.PartialContent(executorSch)
	d.diags = append(d.diags, diags...)
	if a := content.Attributes[keyMaxQueued]; a != nil {
		v, ds := a.Expr.Value(d.ctx)
		d.diags = append(d.diags, ds...)
		g, _ := toJSONValue(v)
		if f, ok := g.(float64); !ds.HasErrors() && (!ok || f < 0 || f != float64(int(f))) {
			d.diags = append(d.diags, errorAt(a.Expr.Range(), "Invalid max_queued", "max_queued must be a whole number of at least 0."))
		} else if ok {
			ex.MaxQueued = int(f)
		}
	}
	ex.Resources = d.resources(content.Blocks)
	attrs := settingAttrs(b.Body, rest)
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := attrs[name]
		v, ds := a.Expr.Value(d.ctx)
		d.diags = append(d.diags, ds...)
		if ds.HasErrors() {
			continue
		}
		if !v.IsWhollyKnown() {
			d.diags = append(d.diags, errorAt(a.Expr.Range(), "Invalid setting", "Setting %s has no value.", name))
			continue
		}
		g, err := toJSONValue(v)
		if err != nil {
			d.diags = append(d.diags, errorAt(a.Expr.Range(), "Invalid setting", "Setting %s %s.", name, err))
			continue
		}
		ex.Settings[name] = g
	}
	d.cfg.Executors[ex.Name] = ex
}

func (d *siteDecoder) content(b *hcl.Block, schema *hcl.BodySchema) *hcl.BodyContent {
	c, diags := b.Body.Content(schema)
	d.diags = append(d.diags, diags...)
	return c
}

func (d *siteDecoder) resources(blocks hcl.Blocks) *Resources {
	if len(blocks) == 0 {
		return nil
	}
	if len(blocks) > 1 {
		d.diags = append(d.diags, errorAt(blocks[1].DefRange, "Duplicate resources block", "Give one resources block."))
	}
	attrs, diags := blocks[0].Body.JustAttributes()
	d.diags = append(d.diags, diags...)
	r, _, ds := evalResources(newResourceExprs(attrs, blocks[0].DefRange), d.ctx)
	d.diags = append(d.diags, ds...)
	return r
}

func (d *siteDecoder) str(a *hcl.Attribute) string {
	if a == nil {
		return ""
	}
	v, diags := a.Expr.Value(d.ctx)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() {
		return ""
	}
	if v.Type() != cty.String || v.IsNull() {
		d.diags = append(d.diags, errorAt(a.Expr.Range(), "Wrong type", "%s must be a string.", a.Name))
		return ""
	}
	return v.AsString()
}

func (d *siteDecoder) oneOf(a *hcl.Attribute, allowed []string) string {
	s := d.str(a)
	if s != "" && !contains(allowed, s) {
		d.diags = append(d.diags, errorAt(a.Expr.Range(), "Invalid "+a.Name,
			"%s must be one of %v, not %q.%s", a.Name, allowed, s, didYouMean(s, allowed)))
		return ""
	}
	return s
}

func (d *siteDecoder) path(a *hcl.Attribute) string {
	if s := d.str(a); s != "" {
		return d.abs(s)
	}
	return ""
}

func (d *siteDecoder) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.dir, p)
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// ExecutorResources returns the site's default resources for an executor,
// or nil.
func (c *SiteConfig) ExecutorResources(name string) *Resources {
	if c == nil || c.Executors[name] == nil {
		return nil
	}
	return c.Executors[name].Resources
}

// settingAttrs returns the plugin settings of an executor block: every
// attribute but the engine's. hcl's JustAttributes refuses a body that has
// blocks even when a schema consumed them, so the native syntax body is
// read directly.
func settingAttrs(body, rest hcl.Body) hcl.Attributes {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		attrs, _ := rest.JustAttributes()
		return attrs
	}
	attrs := hcl.Attributes{}
	for name, a := range sb.Attributes {
		if name != keyMaxQueued {
			attrs[name] = a.AsHCLAttribute()
		}
	}
	return attrs
}
