package executortest

import (
	"strings"
	"testing"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func goodInfo() *pluginapi.InfoResponse {
	return &pluginapi.InfoResponse{
		Name: "demo", Version: "1.0.0", ProtocolVersion: pluginapi.ProtocolVersion,
		Capabilities: pluginapi.Capabilities{Arrays: true, ArrayIndexBase: 1, Throttle: true,
			Dependencies: []pluginapi.DependencyKind{pluginapi.AfterOK, pluginapi.Elementwise}, AnyOf: true},
		ResourceKeys: []pluginapi.ResourceKey{{Name: "partition", Aliases: []string{"queue"}}, {Name: "mem"}},
		Settings:     []pluginapi.Setting{{Name: "account", Type: pluginapi.SettingString}},
	}
}

// TestInfoProblems feeds the Info checks broken answers: each must be
// caught, or the Info subtest would pass plugins it should not.
func TestInfoProblems(t *testing.T) {
	if p, n := infoProblems(goodInfo()); len(p) != 0 || n == 0 {
		t.Fatalf("a consistent Info: %d checks, problems %q", n, p)
	}
	cases := map[string]struct {
		break_ func(*pluginapi.InfoResponse)
		want   string
	}{
		"no name":        {func(i *pluginapi.InfoResponse) { i.Name = "" }, "Name"},
		"protocol":       {func(i *pluginapi.InfoResponse) { i.ProtocolVersion = 99 }, "ProtocolVersion is 99"},
		"negative max":   {func(i *pluginapi.InfoResponse) { i.Capabilities.MaxArraySize = -1 }, "MaxArraySize"},
		"index base":     {func(i *pluginapi.InfoResponse) { i.Capabilities.ArrayIndexBase = 2 }, "ArrayIndexBase"},
		"throttle":       {func(i *pluginapi.InfoResponse) { i.Capabilities.Arrays = false }, "Throttle is claimed without Arrays"},
		"unknown kind":   {func(i *pluginapi.InfoResponse) { i.Capabilities.Dependencies[0] = "afternotok" }, `unknown kind "afternotok"`},
		"duplicate kind": {func(i *pluginapi.InfoResponse) { i.Capabilities.Dependencies[0] = pluginapi.Elementwise }, "twice"},
		"anyof alone": {func(i *pluginapi.InfoResponse) {
			i.Capabilities.Dependencies = nil
		}, "AnyOf is claimed without"},
		"alias is a key": {func(i *pluginapi.InfoResponse) { i.ResourceKeys[1].Aliases = []string{"partition"} }, `"partition" is used by both`},
		"alias twice": {func(i *pluginapi.InfoResponse) {
			i.ResourceKeys[1].Aliases = []string{"queue"}
		}, `"queue" is used by both`},
		"setting twice": {func(i *pluginapi.InfoResponse) { i.Settings = append(i.Settings, i.Settings[0]) }, "listed twice"},
		"setting type":  {func(i *pluginapi.InfoResponse) { i.Settings[0].Type = "map" }, "unknown type"},
		"info errors": {func(i *pluginapi.InfoResponse) {
			i.Diagnostics = i.Diagnostics.Errorf("", "broken")
		}, "error diagnostics"},
	}
	for name, tc := range cases {
		info := goodInfo()
		tc.break_(info)
		p, _ := infoProblems(info)
		if !strings.Contains(strings.Join(p, "\n"), tc.want) {
			t.Errorf("%s: want a problem mentioning %q, got %q", name, tc.want, p)
		}
	}
}

func TestParseStamp(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1700000000.123456\n":  time.Unix(1700000000, 123456000),
		"1700000000,5":         time.Unix(1700000000, 500000000),
		"1700000000.123456789": time.Unix(1700000000, 123456789),
		"1700000000":           time.Unix(1700000000, 0),
	} {
		got, err := parseStamp(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseStamp(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseStamp("N"); err == nil {
		t.Error(`parseStamp("N") (BSD date without %N) should fail`)
	}
}

func TestQuote(t *testing.T) {
	if got := quote("it's"); got != `'it'\''s'` {
		t.Errorf("quote = %s", got)
	}
}
