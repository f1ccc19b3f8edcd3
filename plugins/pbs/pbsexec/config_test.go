package pbsexec

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]any
		attr     string // the error's attribute; "" for none
		check    func(config) bool
	}{
		{"defaults", nil, "", func(c config) bool {
			return c.Qsub == "qsub" && c.HistoryGrace == 30*time.Second && c.AccountFlag == "A" && c.JobHistory && c.maxArray(dialectOpenPBS) == 10000 && c.maxArray(dialectTorque) == 0
		}},
		{"pbspro is openpbs", map[string]any{"dialect": "PBSPro"}, "", func(c config) bool { return c.Dialect == dialectOpenPBS }},
		{"torque", map[string]any{"dialect": "torque"}, "", func(c config) bool { return c.Dialect == dialectTorque }},
		{"unknown dialect", map[string]any{"dialect": "slurm"}, "settings.dialect", nil},
		{"unknown setting", map[string]any{"acount": "x"}, "settings.acount", nil},
		{"wrong type", map[string]any{"qsub_args": "-V"}, "settings.qsub_args", nil},
		{"qsub_args", map[string]any{"qsub_args": []any{"-W", "group_list=lab"}}, "", func(c config) bool {
			return cmp.Equal(c.QsubArgs, []string{"-W", "group_list=lab"})
		}},
		{"account flag P", map[string]any{"account_flag": "-p"}, "", func(c config) bool { return c.AccountFlag == "P" }},
		{"bad account flag", map[string]any{"account_flag": "Q"}, "settings.account_flag", nil},
		{"no array limit", map[string]any{"max_array_size": 0.0}, "", func(c config) bool { return c.maxArray(dialectOpenPBS) == 0 }},
		{"array limit", map[string]any{"max_array_size": 500.0}, "", func(c config) bool { return c.maxArray(dialectTorque) == 500 }},
		{"fractional array limit", map[string]any{"max_array_size": 1.5}, "settings.max_array_size", nil},
		{"grace", map[string]any{"history_grace": "2m"}, "", func(c config) bool { return c.HistoryGrace == 2*time.Minute }},
		{"bad grace", map[string]any{"history_grace": "soon"}, "settings.history_grace", nil},
		{"empty queue", map[string]any{"queue": " "}, "settings.queue", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := decodeConfig(tt.settings)
			var attrs []string
			for _, d := range diags {
				if d.Severity == pluginapi.Error {
					attrs = append(attrs, d.Attribute)
				}
			}
			if tt.attr == "" && len(attrs) > 0 || tt.attr != "" && (len(attrs) != 1 || attrs[0] != tt.attr) {
				t.Fatalf("errors about %v, want %q: %v", attrs, tt.attr, diags)
			}
			if tt.check != nil && !tt.check(cfg) {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}

// TestConfigureTorqueRefusesProjects: Torque's -P is a proxy user.
func TestConfigureTorqueRefusesProjects(t *testing.T) {
	r, _ := New().Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{
		"dialect": "torque", "version": "6.1.3", "project": "p"}})
	if len(r.Diagnostics) != 1 || r.Diagnostics[0].Attribute != "settings.project" {
		t.Errorf("diagnostics %v", r.Diagnostics)
	}
}

// TestConfigureWithoutQstat: a site without a working qstat still gets a
// plugin, with a warning that says what was assumed.
func TestConfigureWithoutQstat(t *testing.T) {
	e := New()
	r, _ := e.Configure(context.Background(), &pluginapi.ConfigureRequest{Settings: map[string]any{"qstat": "/nonexistent/qstat"}})
	if r.Diagnostics.HasErrors() || len(r.Diagnostics) != 1 || r.Diagnostics[0].Attribute != "settings.qstat" {
		t.Errorf("diagnostics %v", r.Diagnostics)
	}
	if info, _ := e.Info(context.Background(), nil); info.Flavor != "openpbs (version unknown)" || !info.Capabilities.Throttle {
		t.Errorf("flavor %q throttle %v", info.Flavor, info.Capabilities.Throttle)
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		out  string
		want flavor
		ok   bool
	}{
		{"pbs_version = 22.05.11\n", flavor{dialectOpenPBS, "22.05.11"}, true},
		{"pbs_version = 2021.1.3.20220217134230\n", flavor{dialectOpenPBS, "2021.1.3.20220217134230"}, true},
		{"Version: 6.1.3\nCommit: 8f2fb5d\n", flavor{dialectTorque, "6.1.3"}, true},
		{"qstat: command not found", flavor{}, false},
	}
	for _, tt := range tests {
		got, ok := parseVersion(tt.out)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseVersion(%q) = %v, %v; want %v, %v", tt.out, got, ok, tt.want, tt.ok)
		}
	}
	for _, tc := range []struct {
		v    string
		want bool
	}{{"22.05.11", true}, {"22.5", true}, {"23.06.06", true}, {"20.0.1", false}, {"22.04", false}, {"", true}, {"2021.1.3", true}} {
		if got := (flavor{dialectOpenPBS, tc.v}).throttle(); got != tc.want {
			t.Errorf("throttle for %q = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestQdelLine(t *testing.T) {
	index := map[string]int{"1.pbs01": 0, "2[].pbs01": 1}
	tests := []struct{ line, id, fate string }{
		{"qdel: Unknown Job Id 1.pbs01", "1.pbs01", "gone"},
		{"qdel: Job has finished 2[].pbs01", "2[].pbs01", "gone"},
		{"qdel: Request invalid for state of job 1.pbs01", "1.pbs01", "transition"},
		{"qdel: Unauthorized Request  1.pbs01", "1.pbs01", "error"},
		{"qdel: Unknown Job Id 9.pbs01", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		id, fate := qdelLine(tt.line, index)
		if id != tt.id || fate != tt.fate {
			t.Errorf("qdelLine(%q) = %q %q, want %q %q", tt.line, id, fate, tt.id, tt.fate)
		}
	}
}

func TestQsubOutputAndRefusals(t *testing.T) {
	for out, want := range map[string]string{"1234.pbs01\n": "1234.pbs01", "1235[].pbs01": "1235[].pbs01",
		"warning: x\n1236.pbs01\n": "1236.pbs01", "": "", "Job submitted\n": ""} {
		id, ok := qsubID(out)
		if ok != (want != "") || ok && id != want {
			t.Errorf("qsubID(%q) = %q %v, want %q", out, id, ok, want)
		}
	}
	for text, want := range map[string]bool{
		"qsub: Maximum number of jobs already in queue":                        true,
		"qsub: would exceed queue workq's per-user limit of jobs in 'Q' state": true,
		"qsub: Job violates queue and/or server resource limits":               false,
		"qsub: Unknown queue": false,
	} {
		if got := queueLimit(text); got != want {
			t.Errorf("queueLimit(%q) = %v", text, got)
		}
	}
}
