package pluginhost

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// BinaryPrefix is the file name prefix of executor plugins.
const BinaryPrefix = "reflow-executor-"

// PathEnv names the environment variable with extra plugin directories,
// searched first.
const PathEnv = "REFLOW_PLUGIN_PATH"

// Plugin is one discovered plugin binary.
type Plugin struct {
	Name string // executor name: the part after BinaryPrefix
	Path string // absolute path of the binary
}

// SearchDirs returns the directories searched for plugins, in order:
// $REFLOW_PLUGIN_PATH, then configDirs (user, then site), then the
// directory of the running reflow binary.
func SearchDirs(configDirs []string) []string {
	var dirs []string
	if env := os.Getenv(PathEnv); env != "" {
		dirs = append(dirs, filepath.SplitList(env)...)
	}
	dirs = append(dirs, configDirs...)
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dirs = append(dirs, filepath.Dir(exe))
	}
	seen := map[string]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// Discover lists the plugins in dirs, sorted by name. The first binary found
// for a name wins; directories that do not exist are skipped.
func Discover(dirs []string) []Plugin {
	found := map[string]Plugin{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(e.Name(), BinaryPrefix)
			if !ok || name == "" || strings.ContainsAny(name, ".~") {
				// Editor backups and packaging leftovers (".orig", "~")
				// are not plugins.
				continue
			}
			if _, dup := found[name]; dup {
				continue
			}
			path := filepath.Join(dir, e.Name())
			fi, err := os.Stat(path)
			if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
				continue
			}
			found[name] = Plugin{Name: name, Path: path}
		}
	}
	out := make([]Plugin, 0, len(found))
	for _, p := range found {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
