package sgeexec

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

// Defaults of the settings.
const (
	defaultPE = "smp"
	// mem_free rather than Grid Engine's usual h_vmem: h_vmem caps and
	// sums virtual memory, and the reflow worker, a Go program, reserves
	// about a gigabyte of address space it never touches, so under a small
	// h_vmem it cannot even start (see resources.go).
	defaultMemoryResource  = "mem_free"
	defaultShell           = "/bin/bash"
	defaultMaxArraySize    = 75000 // SGE's own default max_aj_tasks
	defaultAccountingGrace = 60 * time.Second
	defaultCommandTimeout  = 60 * time.Second
)

// Accounting sources: where Poll learns how a job that left qstat ended.
const (
	accountingAuto  = "auto"  // the accounting file when readable, else qacct
	accountingFile  = "file"  // only the accounting file
	accountingQacct = "qacct" // only `qacct -j ID`, one call per job
)

// config is the plugin's settings after defaults and checks.
type config struct {
	Queue     string
	Project   string
	PE        string // parallel environment for cpus > 1
	MPIPE     string // parallel environment for tasks
	MemRes    string // complex that carries mem, per slot; "" = not requested
	GPURes    string // complex that carries gpus; "" = gpus refused
	ExtraArgs []string
	ExportEnv bool
	Shell     string

	BinDir           string            // where qsub & co. live; "" = $PATH
	Cmds             map[string]string // command name → path as configured
	SGERoot, SGECell string

	MaxArraySize    int
	maxArraySet     bool // the site set max_array_size: do not detect it
	Accounting      string
	AccountingFile  string // "" = derived from SGERoot/SGECell
	AccountingGrace time.Duration
	User            string
	CommandTimeout  time.Duration
}

// commandNames are the Grid Engine clients the plugin runs; each can be
// pointed elsewhere with a setting of the same name.
var commandNames = []string{"qsub", "qstat", "qacct", "qdel", "qrls", "qconf"}

func defaultConfig() config {
	root, cell := sgeRootAndCell()
	return config{
		PE:              defaultPE,
		MemRes:          defaultMemoryResource,
		Shell:           defaultShell,
		Cmds:            map[string]string{},
		SGERoot:         root,
		SGECell:         cell,
		MaxArraySize:    defaultMaxArraySize,
		Accounting:      accountingAuto,
		AccountingGrace: defaultAccountingGrace,
		User:            currentUser(),
		CommandTimeout:  defaultCommandTimeout,
	}
}

// sgeRootAndCell finds the cell the clients use: $SGE_ROOT and $SGE_CELL,
// else Debian's /etc/default/gridengine (its client wrappers read it, so the
// plugin's environment need not carry the variables).
func sgeRootAndCell() (root, cell string) {
	root, cell = os.Getenv("SGE_ROOT"), os.Getenv("SGE_CELL")
	if root == "" || cell == "" {
		if b, err := os.ReadFile("/etc/default/gridengine"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
				v = strings.Trim(strings.TrimSpace(v), `"'`)
				switch {
				case !ok || v == "" || strings.ContainsAny(v, "`$"):
				case k == "SGE_ROOT" && root == "":
					root = v
				case k == "SGE_CELL" && cell == "":
					cell = v
				}
			}
		}
	}
	if cell == "" {
		cell = "default"
	}
	return root, cell
}

// currentUser is whose jobs qstat lists: the plugin submits as this user.
func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "*"
}

// accountingPath is the accounting file to read, or "" when unknown.
func (c *config) accountingPath() string {
	if c.AccountingFile != "" {
		return c.AccountingFile
	}
	if c.SGERoot == "" {
		return ""
	}
	return filepath.Join(c.SGERoot, c.SGECell, "common", "accounting")
}

// command returns the path to run for a Grid Engine client.
func (c *config) command(name string) string {
	if p := c.Cmds[name]; p != "" {
		return p
	}
	if c.BinDir != "" {
		return filepath.Join(c.BinDir, name)
	}
	return name
}

// commandEnv is the environment of the clients: the plugin's own, plus
// SGE_ROOT and SGE_CELL when the plugin knows them and the environment does
// not (the plain binaries, unlike Debian's wrappers, need them).
func (c *config) commandEnv() []string {
	if c.SGERoot == "" || os.Getenv("SGE_ROOT") != "" && os.Getenv("SGE_CELL") != "" {
		return nil
	}
	env := os.Environ()
	if os.Getenv("SGE_ROOT") == "" {
		env = append(env, "SGE_ROOT="+c.SGERoot)
	}
	if os.Getenv("SGE_CELL") == "" {
		env = append(env, "SGE_CELL="+c.SGECell)
	}
	return env
}
