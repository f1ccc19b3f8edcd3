package slurmexec

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/sdk"
)

// defaultMaxArraySize is Slurm's own default MaxArraySize, assumed when
// `scontrol show config` cannot be read.
const defaultMaxArraySize = 1001

// clusterInfo is what the plugin learns from `scontrol show config`.
type clusterInfo struct {
	// Known is false when scontrol could not be asked; the rest are then
	// Slurm's defaults.
	Known   bool
	Version string // "22.05.8"
	Name    string // ClusterName
	// MaxArraySize bounds array indices: 0 .. MaxArraySize-1.
	MaxArraySize int
	// MaxArrayTasks is SchedulerParameters' max_array_tasks: the most
	// elements one array may have; 0 when not set.
	MaxArrayTasks int
	// AccountingStorage is AccountingStorageType, e.g.
	// "accounting_storage/slurmdbd"; "accounting_storage/none" means sacct
	// cannot answer.
	AccountingStorage string
	MinJobAge         time.Duration
}

func defaultClusterInfo() clusterInfo {
	return clusterInfo{MaxArraySize: defaultMaxArraySize, MinJobAge: 300 * time.Second}
}

// maxIndex is the largest array index Slurm accepts.
func (c clusterInfo) maxIndex() int { return c.MaxArraySize - 1 }

// maxElements is the most elements one array job may have.
func (c clusterInfo) maxElements() int {
	n := c.MaxArraySize
	if c.MaxArrayTasks > 0 && c.MaxArrayTasks < n {
		n = c.MaxArrayTasks
	}
	return n
}

// flavor is Info's Flavor.
func (c clusterInfo) flavor() string {
	if !c.Known {
		return ""
	}
	return "slurm " + c.Version
}

// detectCluster asks scontrol for the configuration.
func detectCluster(ctx context.Context, scontrol string, timeout time.Duration) (clusterInfo, error) {
	res, err := sdk.Run(ctx, sdk.Command{Path: scontrol, Args: []string{"show", "config"}, Timeout: timeout})
	if err != nil {
		return defaultClusterInfo(), err
	}
	return clusterFromConfig(parseConfig(res.Stdout))
}

// clusterFromConfig reads the keys the plugin needs from `scontrol show
// config`.
func clusterFromConfig(kv map[string]string) (clusterInfo, error) {
	c := defaultClusterInfo()
	c.Version = kv["SLURM_VERSION"]
	if c.Version == "" {
		return c, fmt.Errorf("`scontrol show config` has no SLURM_VERSION; is it Slurm's scontrol?")
	}
	c.Known = true
	c.Name = kv["ClusterName"]
	c.AccountingStorage = kv["AccountingStorageType"]
	if v := kv["MaxArraySize"]; v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			c.MaxArraySize = n
		}
	}
	for _, p := range strings.Split(kv["SchedulerParameters"], ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(p), "max_array_tasks="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				c.MaxArrayTasks = n
			}
		}
	}
	if f := strings.Fields(kv["MinJobAge"]); len(f) > 0 { // "300 sec"
		if n, err := strconv.Atoi(f[0]); err == nil {
			c.MinJobAge = time.Duration(n) * time.Second
		}
	}
	return c, nil
}

// accountingOff reports whether the cluster has no accounting storage.
func (c clusterInfo) accountingOff() bool {
	return c.AccountingStorage == "accounting_storage/none"
}
