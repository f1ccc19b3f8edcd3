package sgeexec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, diags := decodeConfig(map[string]any{
		"queue": "all.q", "project": "p", "parallel_environment": "threads", "mpi_parallel_environment": "mpi",
		"memory_resource": "mem_free", "gpu_resource": "gpu", "extra_args": []any{"-w", "e"},
		"export_environment": true, "shell": "/usr/bin/bash", "bin_dir": dir, "qsub": "/opt/sge/qsub",
		"sge_root": "/opt/sge", "sge_cell": "c1", "max_array_size": float64(1000), "accounting": "qacct",
		"accounting_grace": "2m", "user": "*", "command_timeout": "00:00:30",
	})
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	got := []any{cfg.Queue, cfg.Project, cfg.PE, cfg.MPIPE, cfg.MemRes, cfg.GPURes, cfg.ExtraArgs, cfg.ExportEnv, cfg.Shell,
		cfg.command("qsub"), cfg.command("qstat"), cfg.accountingPath(), cfg.MaxArraySize, cfg.maxArraySet,
		cfg.Accounting, cfg.AccountingGrace, cfg.User, cfg.CommandTimeout}
	want := []any{"all.q", "p", "threads", "mpi", "mem_free", "gpu", []string{"-w", "e"}, true, "/usr/bin/bash",
		"/opt/sge/qsub", filepath.Join(dir, "qstat"), "/opt/sge/c1/common/accounting", 1000, true,
		"qacct", 2 * time.Minute, "*", 30 * time.Second}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
}

func TestDecodeConfigDefaults(t *testing.T) {
	cfg, diags := decodeConfig(nil)
	if len(diags) != 0 {
		t.Fatalf("no settings: %v", diags)
	}
	if cfg.PE != "smp" || cfg.MemRes != "mem_free" || cfg.MaxArraySize != 75000 || cfg.Accounting != "auto" ||
		cfg.command("qsub") != "qsub" || cfg.AccountingGrace != time.Minute || cfg.User == "" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestDecodeConfigErrors(t *testing.T) {
	cases := map[string]map[string]any{
		"settings.acount":               {"acount": "x"},
		"settings.queue":                {"queue": 3},
		"settings.parallel_environment": {"parallel_environment": ""},
		"settings.memory_resource":      {"memory_resource": "h_vmem=1G"},
		"settings.shell":                {"shell": "bash"},
		"settings.bin_dir":              {"bin_dir": "/no/such/dir"},
		"settings.qsub":                 {"qsub": " "},
		"settings.max_array_size":       {"max_array_size": 1.5},
		"settings.accounting":           {"accounting": "sometimes"},
		"settings.accounting_grace":     {"accounting_grace": "soon"},
		"settings.command_timeout":      {"command_timeout": "10ms"},
		"settings.user":                 {"user": ""},
		"settings.extra_args[0]":        {"extra_args": []any{"-l\nx"}},
	}
	for attr, settings := range cases {
		_, diags := decodeConfig(settings)
		if !hasError(diags, attr) {
			t.Errorf("%v: want an error about %s, got %v", settings, attr, diags)
		}
	}
}

func TestSGERootFromDebianDefaults(t *testing.T) {
	if os.Getenv("SGE_ROOT") != "" {
		t.Skip("SGE_ROOT is set")
	}
	if _, err := os.Stat("/etc/default/gridengine"); err != nil {
		t.Skip("no /etc/default/gridengine here")
	}
	root, cell := sgeRootAndCell()
	if root == "" || cell == "" {
		t.Errorf("root %q cell %q from /etc/default/gridengine", root, cell)
	}
}

func TestParseDetect(t *testing.T) {
	if f := parseFlavor([]byte("SGE 8.1.9\nusage: qstat [options]\n")); f != "SGE 8.1.9" {
		t.Errorf("flavor %q", f)
	}
	for v, want := range map[string]bool{"SGE 8.1.9": true, "UGE 8.6.4": true, "OGS/GE 2011.11": true, "GE 6.2u5": true,
		"usage: qstat [-f [-1]] [-W site_specific]": false, "pbs_version = 22.05": false, "": false} {
		if got := looksLikeGridEngine(v); got != want {
			t.Errorf("looksLikeGridEngine(%q) = %v", v, got)
		}
	}
	conf := []byte("execd_spool_dir              /var/spool/gridengine/execd\nmax_aj_instances             2000\nmax_aj_tasks                 75000\n")
	if n := parseMaxAJTasks(conf); n != 75000 {
		t.Errorf("max_aj_tasks %d", n)
	}
	if n := parseMaxAJTasks([]byte("max_aj_tasks 0\n")); n != defaultMaxArraySize {
		t.Errorf("unlimited: %d", n)
	}
	if n := parseMaxAJTasks([]byte("nothing\n")); n != 0 {
		t.Errorf("absent: %d", n)
	}
}
