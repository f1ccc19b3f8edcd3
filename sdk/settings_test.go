package sdk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/reflow-hpc/reflow/pluginapi"
)

type testCommon struct {
	Flavor string `json:"flavor"`
}

type testSettings struct {
	testCommon
	Account     string            `json:"account"`
	PollSeconds float64           `json:"poll_seconds"`
	MaxArray    int               `json:"max_array_size"`
	Requeue     bool              `json:"requeue"`
	ExtraFlags  []string          `json:"extra_flags"`
	Limits      *testLimits       `json:"limits,omitempty"`
	Labels      map[string]string `json:"labels"`
	Ignored     string            `json:"-"`
	internal    int
}

type testLimits struct {
	Jobs int `json:"jobs"`
}

func TestDecodeSettings(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want testSettings
	}{
		{"empty keeps defaults", nil, testSettings{PollSeconds: 30}},
		{
			"all types",
			map[string]any{
				"account": "proj", "poll_seconds": 5.5, "max_array_size": float64(1001), "requeue": true,
				"extra_flags": []any{"--exclusive", "--nice=10"}, "flavor": "openpbs",
				"limits": map[string]any{"jobs": float64(100)}, "labels": map[string]any{"a": "b"},
			},
			testSettings{
				testCommon: testCommon{Flavor: "openpbs"}, Account: "proj", PollSeconds: 5.5, MaxArray: 1001,
				Requeue: true, ExtraFlags: []string{"--exclusive", "--nice=10"},
				Limits: &testLimits{Jobs: 100}, Labels: map[string]string{"a": "b"},
			},
		},
		{"int from whole float", map[string]any{"max_array_size": 75000.0}, testSettings{PollSeconds: 30, MaxArray: 75000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testSettings{PollSeconds: 30}
			if diags := DecodeSettings(tt.in, &got); len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(testSettings{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeSettingsDiagnostics(t *testing.T) {
	type diag struct {
		Attribute, Summary, Detail string
	}
	tests := []struct {
		name string
		in   map[string]any
		want []diag
	}{
		{
			"unknown key with suggestion",
			map[string]any{"acount": "x"},
			[]diag{{"settings.acount", `unknown setting "acount"`,
				`Did you mean "account"? This executor's settings are: account, extra_flags, flavor, labels, limits, max_array_size, poll_seconds, requeue.`}},
		},
		{
			"case matters",
			map[string]any{"Account": "x"},
			[]diag{{"settings.Account", `unknown setting "Account"`,
				`Did you mean "account"? This executor's settings are: account, extra_flags, flavor, labels, limits, max_array_size, poll_seconds, requeue.`}},
		},
		{
			"ignored field is unknown",
			map[string]any{"Ignored": "x", "internal": 1.0},
			[]diag{
				{"settings.Ignored", `unknown setting "Ignored"`, `This executor's settings are: account, extra_flags, flavor, labels, limits, max_array_size, poll_seconds, requeue.`},
				{"settings.internal", `unknown setting "internal"`, `This executor's settings are: account, extra_flags, flavor, labels, limits, max_array_size, poll_seconds, requeue.`},
			},
		},
		{
			"type mismatches, all reported",
			map[string]any{
				"account": 5.0, "poll_seconds": "fast", "max_array_size": 1.5, "requeue": "yes",
				"extra_flags": "--exclusive", "labels": []any{"a"},
			},
			[]diag{
				{"settings.account", `wrong type for setting "account"`, "Want a string, got a number."},
				{"settings.extra_flags", `wrong type for setting "extra_flags"`, "Want a list of strings, got a string."},
				{"settings.labels", `wrong type for setting "labels"`, "Want an object, got an array."},
				{"settings.max_array_size", `wrong type for setting "max_array_size"`, "Want a whole number, got the number 1.5."},
				{"settings.poll_seconds", `wrong type for setting "poll_seconds"`, "Want a number, got a string."},
				{"settings.requeue", `wrong type for setting "requeue"`, "Want a bool (true or false), got a string."},
			},
		},
		{
			"nested",
			map[string]any{"limits": map[string]any{"jobs": 1.0, "nope": 1.0}},
			[]diag{{"settings.limits.nope", `unknown key "nope" in setting "limits"`, ""}},
		},
		{
			"nested type",
			map[string]any{"limits": map[string]any{"jobs": "many"}},
			[]diag{{"settings.limits.jobs", `wrong type for setting "limits.jobs"`, "Want a whole number, got a string."}},
		},
		{
			"list element",
			map[string]any{"extra_flags": []any{"ok", true}},
			[]diag{{"settings.extra_flags", `wrong type for setting "extra_flags"`, "Want a string, got a bool."}},
		},
		{
			"not JSON",
			map[string]any{"account": func() {}},
			[]diag{{"settings.account", `setting "account" has a value that is not JSON-compatible`, "json: unsupported type: func()"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s testSettings
			diags := DecodeSettings(tt.in, &s)
			var got []diag
			for _, d := range diags {
				if d.Severity != pluginapi.Error {
					t.Errorf("severity %v, want error", d.Severity)
				}
				got = append(got, diag{d.Attribute, d.Summary, d.Detail})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeSettingsBadTarget(t *testing.T) {
	var s testSettings
	var nilPtr *testSettings
	for name, out := range map[string]any{"non-pointer": s, "nil pointer": nilPtr, "pointer to map": &map[string]any{}} {
		t.Run(name, func(t *testing.T) {
			diags := DecodeSettings(map[string]any{"account": "x"}, out)
			if len(diags) != 1 || !strings.Contains(diags[0].Summary, "plugin bug") {
				t.Errorf("diagnostics %v, want one plugin-bug error", diags)
			}
		})
	}
}
