package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/pluginhost"
	"github.com/reflow-hpc/reflow/pluginapi"
)

func newPluginsCmd() *cobra.Command {
	var lockPath string
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List executor plugins and pin their checksums",
	}
	cmd.PersistentFlags().StringVar(&lockPath, "lockfile", "",
		"plugin lock file (default: plugins { lock_file } in the site config, else plugins.lock.json beside it)")
	cmd.AddCommand(newPluginsListCmd(&lockPath), newPluginsLockCmd(&lockPath))
	return cmd
}

// pluginEntry is one row of `reflow plugins list --json`. Its keys are part
// of the CLI's contract: scripts parse them.
type pluginEntry struct {
	Name         string           `json:"name"`
	Version      string           `json:"version"`
	Protocol     int              `json:"protocol"`
	Path         string           `json:"path"`
	SHA256       string           `json:"sha256"`
	Capabilities capabilitiesJSON `json:"capabilities"`
}

type capabilitiesJSON struct {
	Arrays         bool     `json:"arrays"`
	MaxArraySize   int      `json:"max_array_size"`
	ArrayIndexBase int      `json:"array_index_base"`
	Throttle       bool     `json:"throttle"`
	Dependencies   []string `json:"dependencies"`
	AnyOf          bool     `json:"any_of"`
}

func capsJSON(c pluginapi.Capabilities) capabilitiesJSON {
	deps := []string{}
	for _, d := range c.Dependencies {
		deps = append(deps, string(d))
	}
	return capabilitiesJSON{Arrays: c.Arrays, MaxArraySize: c.MaxArraySize, ArrayIndexBase: c.ArrayIndexBase,
		Throttle: c.Throttle, Dependencies: deps, AnyOf: c.AnyOf}
}

// describe launches one plugin (pinned when locked) and asks for its Info.
func describe(ctx context.Context, h *pluginhost.Host, p pluginhost.Plugin) (pluginEntry, error) {
	sum, err := pluginapi.FileSHA256(p.Path)
	if err != nil {
		return pluginEntry{}, fmt.Errorf("plugin %q: %w", p.Name, err)
	}
	c, err := h.Launch(ctx, p)
	if err != nil {
		return pluginEntry{}, err
	}
	defer c.Kill()
	info, err := c.Executor().Info(ctx, &pluginapi.InfoRequest{})
	if err != nil {
		return pluginEntry{}, fmt.Errorf("plugin %q: Info: %w", p.Name, err)
	}
	return pluginEntry{
		Name: p.Name, Version: info.Version, Protocol: info.ProtocolVersion, Path: p.Path,
		SHA256: hex.EncodeToString(sum), Capabilities: capsJSON(info.Capabilities),
	}, nil
}

func newPluginsListCmd(lockPath *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the executor plugins reflow finds, with their versions, checksums and capabilities",
		Long: `List the executor plugins reflow finds, searching $REFLOW_PLUGIN_PATH, the
configured plugin directories, then the directory of the reflow binary.
Each plugin is started once to ask for its capabilities. A plugin pinned in
the lock file whose binary changed fails with a checksum error (exit 3).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			site, err := loadSite(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			lock, err := pluginhost.ReadLock(lockPathFor(site, *lockPath))
			if err != nil {
				return infraError(err)
			}
			h := pluginhost.New(hostOptions(site, lock))
			entries := []pluginEntry{}
			var errs []error
			for _, p := range h.Plugins() {
				e, err := describe(cmd.Context(), h, p)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				entries = append(entries, e)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(entries); err != nil {
					return err
				}
			} else {
				printPlugins(out, entries)
			}
			if len(errs) > 0 {
				return infraError(errors.Join(errs...))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of {name, version, protocol, path, sha256, capabilities}")
	return cmd
}

func printPlugins(w io.Writer, entries []pluginEntry) {
	if len(entries) == 0 {
		fmt.Fprintf(w, "no executor plugins found (searched %s)\n", strings.Join(pluginhost.SearchDirs(nil), ", "))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tPROTOCOL\tSHA256\tCAPABILITIES\tPATH")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", e.Name, e.Version, e.Protocol, e.SHA256[:12], capsText(e.Capabilities), e.Path)
	}
	tw.Flush()
}

// capsText renders capabilities compactly: "arrays(max 1000,base 0) throttle deps=afterok,afterany any-of".
func capsText(c capabilitiesJSON) string {
	var parts []string
	if c.Arrays {
		max := "unlimited"
		if c.MaxArraySize > 0 {
			max = fmt.Sprint(c.MaxArraySize)
		}
		parts = append(parts, fmt.Sprintf("arrays(max %s, base %d)", max, c.ArrayIndexBase))
	}
	if c.Throttle {
		parts = append(parts, "throttle")
	}
	if len(c.Dependencies) > 0 {
		parts = append(parts, "deps="+strings.Join(c.Dependencies, ","))
	}
	if c.AnyOf {
		parts = append(parts, "any-of")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func newPluginsLockCmd(lockPath *string) *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "Pin the sha256 of every plugin found, so a changed binary refuses to start",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			site, err := loadSite(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			// Locking rewrites the lock, so an old one is not read: the
			// checksums come from the binaries themselves.
			path := lockPathFor(site, *lockPath)
			h := pluginhost.New(hostOptions(site, nil))
			lock := pluginhost.NewLock()
			for _, p := range h.Plugins() {
				sum, err := pluginapi.FileSHA256(p.Path)
				if err != nil {
					return infraError(fmt.Errorf("plugin %q: %w", p.Name, err))
				}
				lock.Plugins[p.Name] = pluginhost.LockedPlug{Path: p.Path, SHA256: hex.EncodeToString(sum)}
				fmt.Fprintf(cmd.OutOrStdout(), "pinned %s %s (%s)\n", p.Name, hex.EncodeToString(sum), p.Path)
			}
			if err := lock.Write(path); err != nil {
				return infraError(fmt.Errorf("writing lock file: %w", err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
			return nil
		},
	}
}
