package pluginhost

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reflow-hpc/reflow/hclconfig"
)

// LockFileName is the lock file's name inside the site config directory.
const LockFileName = "plugins.lock.json"

// lockVersion is the format version of the lock file.
const lockVersion = 1

// Lock pins plugin binaries by SHA-256.
type Lock struct {
	Version int                   `json:"version"`
	Plugins map[string]LockedPlug `json:"plugins"`
}

// LockedPlug is one pinned plugin.
type LockedPlug struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// DefaultLockPath is the lock file beside the site config file
// (hclconfig.SiteConfigPath): $REFLOW_CONFIG's directory, else
// $XDG_CONFIG_HOME/reflow, else ~/.config/reflow.
func DefaultLockPath() string {
	return filepath.Join(filepath.Dir(hclconfig.SiteConfigPath()), LockFileName)
}

// NewLock returns an empty lock.
func NewLock() *Lock {
	return &Lock{Version: lockVersion, Plugins: map[string]LockedPlug{}}
}

// ReadLock reads a lock file. A missing file is an empty lock.
func ReadLock(path string) (*Lock, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewLock(), nil
	}
	if err != nil {
		return nil, err
	}
	var l Lock
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("plugin lock file %s is not valid: %w; remove it and run `reflow plugins lock`", path, err)
	}
	if l.Version != lockVersion {
		return nil, fmt.Errorf("plugin lock file %s has version %d; this reflow reads version %d", path, l.Version, lockVersion)
	}
	if l.Plugins == nil {
		l.Plugins = map[string]LockedPlug{}
	}
	for name, p := range l.Plugins {
		if _, err := hex.DecodeString(p.SHA256); err != nil || len(p.SHA256) != 64 {
			return nil, fmt.Errorf("plugin lock file %s: plugin %q has an invalid sha256 %q", path, name, p.SHA256)
		}
	}
	return &l, nil
}

// Checksum returns the pinned SHA-256 of name, or nil when it is not pinned.
func (l *Lock) Checksum(name string) []byte {
	p, ok := l.Plugins[name]
	if !ok {
		return nil
	}
	sum, _ := hex.DecodeString(p.SHA256) // validated by ReadLock
	return sum
}

// Write writes the lock file atomically, creating its directory.
func (l *Lock) Write(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	// encoding/json writes map keys sorted, so the file is stable.
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plugins.lock.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
