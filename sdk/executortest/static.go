package executortest

// The subtests that submit nothing: Info, Configure, Render and bad input.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// infoProblems lists what is inconsistent in an InfoResponse, and how many
// checks it made. It is a plain function so the suite's own tests can feed
// it broken answers.
func infoProblems(info *pluginapi.InfoResponse) (problems []string, checks int) {
	bad := func(ok bool, format string, args ...any) {
		checks++
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	bad(info.Name != "" && !strings.ContainsAny(info.Name, " \t\n/"), "Name %q must be non-empty, without spaces or slashes (users write it in executor = \"NAME\")", info.Name)
	bad(info.Version != "", "Version is empty")
	bad(info.ProtocolVersion == pluginapi.ProtocolVersion, "ProtocolVersion is %d, want %d", info.ProtocolVersion, pluginapi.ProtocolVersion)
	bad(!info.Diagnostics.HasErrors(), "Info returned error diagnostics: %v", info.Diagnostics.Err())

	capa := info.Capabilities
	bad(capa.MaxArraySize >= 0, "MaxArraySize is %d; 0 means no limit, negative means nothing", capa.MaxArraySize)
	bad(capa.ArrayIndexBase == 0 || capa.ArrayIndexBase == 1, "ArrayIndexBase is %d, want 0 or 1", capa.ArrayIndexBase)
	bad(!capa.Throttle || capa.Arrays, "Throttle is claimed without Arrays")
	bad(!capa.AnyOf || len(capa.Dependencies) > 0, "AnyOf is claimed without any dependency kind")
	seenKind := map[pluginapi.DependencyKind]bool{}
	for _, k := range capa.Dependencies {
		switch k {
		case pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise:
		default:
			bad(false, "Dependencies lists unknown kind %q (known: afterok, afterany, elementwise)", k)
		}
		bad(!seenKind[k], "Dependencies lists %q twice", k)
		seenKind[k] = true
	}
	bad(!capa.Supports(pluginapi.Elementwise) || capa.Arrays, "elementwise dependencies are claimed without Arrays")

	// Every name a user may write must mean exactly one key, or alias
	// normalisation would be ambiguous.
	owner := map[string]string{}
	for i, k := range info.ResourceKeys {
		bad(k.Name != "", "ResourceKeys[%d] has an empty name", i)
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if n == "" {
				bad(false, "resource key %q has an empty alias", k.Name)
				continue
			}
			prev, dup := owner[n]
			bad(!dup, "resource name %q is used by both %q and %q", n, prev, k.Name)
			owner[n] = k.Name
		}
	}
	seenSetting := map[string]bool{}
	for i, st := range info.Settings {
		bad(st.Name != "", "Settings[%d] has an empty name", i)
		bad(!seenSetting[st.Name], "setting %q is listed twice", st.Name)
		seenSetting[st.Name] = true
		switch st.Type {
		case pluginapi.SettingString, pluginapi.SettingNumber, pluginapi.SettingBool, pluginapi.SettingStringList:
		default:
			bad(false, "setting %q has unknown type %q", st.Name, st.Type)
		}
	}
	return problems, checks
}

func (s *suite) testInfo(c *tc) {
	problems, n := infoProblems(s.info)
	c.n += n
	for _, p := range problems {
		c.Errorf("Info (before Configure): %s", p)
	}
	// Configure may refine Flavor, but not who the plugin is.
	after, err := s.ex.Info(ctx(c, 30*time.Second), &pluginapi.InfoRequest{})
	c.must(err, "Info after Configure")
	c.check(after.Name == s.info.Name && after.ProtocolVersion == s.info.ProtocolVersion,
		"Info after Configure says %s/protocol %d, before it said %s/protocol %d",
		after.Name, after.ProtocolVersion, s.info.Name, s.info.ProtocolVersion)
	c.Logf("plugin %s %s (protocol %d, flavor %q): capabilities %+v", s.info.Name, s.info.Version, s.info.ProtocolVersion, s.info.Flavor, s.info.Capabilities)
}

func (s *suite) testConfigure(c *tc) {
	// Run stops at once when the main process rejects Config.Settings;
	// warnings are worth showing.
	c.noErrorDiags(s.config, "Configure with Config.Settings")
	for _, d := range s.config {
		c.Logf("Configure: %v", d)
	}
	// A misspelt setting must be reported, not ignored: a site that writes
	// `acount = "x"` would otherwise run every job under the wrong account.
	// A separate process, so the main one keeps its good configuration.
	cl := s.launch(c, "configure")
	const key = "executortest_no_such_setting"
	settings := maps.Clone(s.cfg.Settings)
	if settings == nil {
		settings = map[string]any{}
	}
	settings[key] = "x"
	resp, err := cl.Executor().Configure(ctx(c, 30*time.Second), &pluginapi.ConfigureRequest{Settings: settings})
	c.must(err, "Configure with an unknown setting")
	c.check(hasErrorAbout(resp.Diagnostics, func(attr string) bool { return strings.Contains(attr, key) }),
		"Configure with unknown setting %q: want an error diagnostic whose Attribute names it, got %v", key, resp.Diagnostics)
	cl.Kill()
}

func (s *suite) testRender(c *tc) {
	body := "echo executortest-render-" + randomHex(4) + "\nexit 0\n"
	specs := []pluginapi.JobSpec{s.job(c, "render", body)}
	if s.info.Capabilities.Arrays {
		specs = append(specs, s.arrayJob(c, "render-array", body, pluginapi.ArraySpec{Size: 3, Offset: 1}))
	}
	for _, spec := range specs {
		r1, err := s.ex.Render(ctx(c, 30*time.Second), &pluginapi.RenderRequest{Job: spec})
		c.must(err, "Render "+spec.Task)
		r2, err := s.ex.Render(ctx(c, 30*time.Second), &pluginapi.RenderRequest{Job: spec})
		c.must(err, "Render "+spec.Task)
		c.noErrorDiags(r1.Diagnostics, "Render "+spec.Task)
		c.check(len(r1.Argv) > 0, "Render %s: empty Argv", spec.Task)
		// `reflow plan` output must be stable, or every plan looks changed.
		c.check(slices.Equal(r1.Argv, r2.Argv), "Render %s is not deterministic: Argv %q then %q", spec.Task, r1.Argv, r2.Argv)
		c.check(r1.Script == r2.Script, "Render %s is not deterministic: the Script differs between two calls:\n%s\n-----\n%s", spec.Task, r1.Script, r2.Script)
		c.check(strings.Contains(r1.Script, spec.Script), "Render %s: the rendered script does not contain the job's Script body %q:\n%s", spec.Task, spec.Script, r1.Script)
	}
}

// hasErrorAbout reports whether ds has an error diagnostic whose attribute
// satisfies match.
func hasErrorAbout(ds pluginapi.Diagnostics, match func(string) bool) bool {
	for _, d := range ds {
		if d.Severity == pluginapi.Error && match(d.Attribute) {
			return true
		}
	}
	return false
}

func (s *suite) testBadInput(c *tc) {
	// Every bad job writes this marker if it ever runs: a Submit that
	// reported errors must not have submitted anything.
	const script = "touch ran\n"
	type badCase struct {
		name   string
		spec   pluginapi.JobSpec
		attr   string
		prefix bool // attr is a prefix of the wanted attribute
		render bool // Render must reject it too
	}
	var cases []badCase

	j := s.job(c, "bad-key", script)
	j.Resources["no_such_key"] = "1"
	cases = append(cases, badCase{name: "unknown resource key", spec: j, attr: "resources.no_such_key", render: true})

	j = s.job(c, "bad-mem", script)
	j.Resources["mem"] = "lots"
	cases = append(cases, badCase{name: "invalid memory", spec: j, attr: "resources.mem", render: true})

	// A dependency on a job the plugin never heard of. A plugin that
	// supports the kind must say which handle is wrong; one that supports
	// no dependencies must still refuse with a diagnostic about it.
	kind, supported := pluginapi.AfterOK, false
	if deps := s.info.Capabilities.Dependencies; len(deps) > 0 {
		kind, supported = deps[0], true
	}
	j = s.job(c, "bad-dep", script)
	if kind == pluginapi.Elementwise {
		j.Array = &pluginapi.ArraySpec{Size: 2}
		j.Stdout, j.Stderr = j.Stdout+"."+pluginapi.IndexToken, j.Stderr+"."+pluginapi.IndexToken
	}
	j.Dependencies = []pluginapi.Dependency{{Kind: kind, Handle: unknownHandle()}}
	if supported {
		cases = append(cases, badCase{name: "dependency on an unknown handle", spec: j, attr: "dependencies[0].handle"})
	} else {
		cases = append(cases, badCase{name: "dependency the plugin cannot express", spec: j, attr: "dependencies[0]", prefix: true})
	}

	for _, bc := range cases {
		match := func(a string) bool {
			if bc.prefix {
				return strings.HasPrefix(a, bc.attr)
			}
			return a == bc.attr
		}
		if bc.render {
			r, err := s.ex.Render(ctx(c, 30*time.Second), &pluginapi.RenderRequest{Job: bc.spec})
			c.must(err, "Render with "+bc.name)
			c.check(hasErrorAbout(r.Diagnostics, match), "Render with %s: want an error diagnostic about %q, got %v", bc.name, bc.attr, r.Diagnostics)
		}
		r, err := s.ex.Submit(ctx(c, s.cfg.JobTimeout), &pluginapi.SubmitRequest{Job: bc.spec})
		c.must(err, "Submit with "+bc.name)
		c.check(hasErrorAbout(r.Diagnostics, match), "Submit with %s: want an error diagnostic about %q, got %v", bc.name, bc.attr, r.Diagnostics)
		c.check(!r.RetryLater, "Submit with %s: RetryLater is set; bad input is not a queue limit", bc.name)
	}

	// The plugin survived all of it and still answers.
	c.check(!s.main.Exited(), "the plugin process exited after bad input")
	_, err := s.ex.Info(ctx(c, 30*time.Second), &pluginapi.InfoRequest{})
	c.must(err, "Info after bad input")

	time.Sleep(time.Second) // give a wrongly submitted job a moment to show
	for _, bc := range cases {
		c.check(!exists(bc.spec.WorkDir+"/ran"), "Submit with %s returned errors but the job ran anyway", bc.name)
	}
}

// unknownHandle is a handle no plugin issued: a random ID and opaque state
// that is not what any plugin would write.
func unknownHandle() pluginapi.Handle {
	return pluginapi.Handle{ID: "executortest-" + randomHex(6), State: []byte("\x00garbage\xff" + randomHex(4))}
}
