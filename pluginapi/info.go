package pluginapi

// InfoRequest asks a plugin to describe itself.
type InfoRequest struct{}

// InfoResponse describes a plugin.
type InfoResponse struct {
	// Name is the executor's name, as users write it in `executor = "NAME"`.
	Name string
	// Version is the plugin's own version (semver).
	Version string
	// ProtocolVersion is the executor protocol the plugin speaks.
	ProtocolVersion int
	// Flavor is the scheduler flavour and version the plugin detected (or was
	// told to assume), e.g. "slurm 23.11.4" or "openpbs 22.05"; empty when the
	// plugin does not depend on one.
	Flavor       string
	Capabilities Capabilities
	// ResourceKeys lists the resource keys the plugin accepts, with aliases.
	ResourceKeys []ResourceKey
	// Settings is the schema of the plugin's site settings.
	Settings    []Setting
	Diagnostics Diagnostics
}

// Capabilities says what a plugin does natively. The engine fills in the rest
// itself (for example by holding back a dependent job until its upstream
// finished, when the plugin cannot express that dependency).
type Capabilities struct {
	// Arrays is true when one Submit can carry an array job.
	Arrays bool
	// MaxArraySize is the largest array one Submit may carry; the engine
	// chunks larger arrays. Zero means no limit.
	MaxArraySize int
	// ArrayIndexBase is the first native array index (0 or 1). Engine indices
	// are always 0-based; this is informational.
	ArrayIndexBase int
	// Throttle is true when the plugin honours Array.Parallelism natively.
	Throttle bool
	// Dependencies lists the dependency kinds the plugin expresses natively.
	Dependencies []DependencyKind
	// AnyOf is true when the plugin can express an any-of group
	// (Dependency.Group).
	AnyOf bool
}

// Supports reports whether kind is among c.Dependencies.
func (c Capabilities) Supports(kind DependencyKind) bool {
	for _, k := range c.Dependencies {
		if k == kind {
			return true
		}
	}
	return false
}

// ResourceKey is one resource key a plugin accepts.
type ResourceKey struct {
	// Name is the portable name (cpus, mem, time, gpus, nodes, tasks,
	// partition, account, qos, constraint, array_parallelism) or a
	// plugin-specific one.
	Name string
	// Aliases are other names users may write for the same key (queue for
	// partition, project for account, ...). They are normalised to Name.
	Aliases     []string
	Description string
}

// SettingType is the type of a site setting's value.
type SettingType string

// Setting types. Values arrive in ConfigureRequest.Settings as JSON-compatible
// Go values: string, float64, bool, []any, map[string]any.
const (
	SettingString     SettingType = "string"
	SettingNumber     SettingType = "number"
	SettingBool       SettingType = "bool"
	SettingStringList SettingType = "list(string)"
)

// Setting describes one key of a plugin's `executor "NAME" {}` block.
type Setting struct {
	Name        string
	Type        SettingType
	Description string
	// Default is shown to users; the plugin applies it itself.
	Default  string
	Required bool
}

// ConfigureRequest carries a plugin's site settings.
type ConfigureRequest struct {
	// Settings are JSON-compatible values (string, float64, bool, []any,
	// map[string]any) keyed by setting name.
	Settings map[string]any
}

// ConfigureResponse reports problems with the settings.
type ConfigureResponse struct {
	Diagnostics Diagnostics
}
