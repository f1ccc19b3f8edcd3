package lsfexec

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func TestRecordStatus(t *testing.T) {
	type want struct {
		state  pluginapi.State
		exit   int
		reason string // substring
	}
	no := pluginapi.NoExitCode
	tests := []struct {
		rec      bjobsRecord
		runLimit bool
		want     want
	}{
		{bjobsRecord{Stat: "PEND"}, false, want{pluginapi.StatePending, no, ""}},
		{bjobsRecord{Stat: "PROV"}, false, want{pluginapi.StatePending, no, ""}},
		{bjobsRecord{Stat: "WAIT"}, false, want{pluginapi.StatePending, no, ""}},
		{bjobsRecord{Stat: "PSUSP"}, false, want{pluginapi.StatePending, no, "bresume"}},
		{bjobsRecord{Stat: "RUN"}, false, want{pluginapi.StateRunning, no, ""}},
		{bjobsRecord{Stat: "USUSP"}, false, want{pluginapi.StateRunning, no, "suspended by its owner"}},
		{bjobsRecord{Stat: "SSUSP"}, false, want{pluginapi.StateRunning, no, "suspended by LSF"}},
		{bjobsRecord{Stat: "UNKWN"}, false, want{pluginapi.StateRunning, no, "lost contact"}},
		{bjobsRecord{Stat: "DONE"}, false, want{pluginapi.StateCompleted, 0, ""}},
		{bjobsRecord{Stat: "PDONE"}, false, want{pluginapi.StateCompleted, 0, ""}},
		{bjobsRecord{Stat: "ZOMBI"}, false, want{pluginapi.StateNodeFail, no, "unreachable"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "3"}, false, want{pluginapi.StateFailed, 3, "exit status 3"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "137"}, false, want{pluginapi.StateFailed, 137, "killed by signal 9 (killed)"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "140", Reason: "TERM_RUNLIMIT: job killed after reaching LSF run time limit"}, false, want{pluginapi.StateTimeout, 140, "TERM_RUNLIMIT"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "140"}, true, want{pluginapi.StateTimeout, 140, "SIGUSR2"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "140"}, false, want{pluginapi.StateFailed, 140, "signal 12"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "137", Reason: "TERM_MEMLIMIT"}, false, want{pluginapi.StateOutOfMemory, 137, "memory limit"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "130", Reason: "TERM_OWNER: job killed by owner"}, false, want{pluginapi.StateCancelled, 130, "killed by its owner"}},
		{bjobsRecord{Stat: "EXIT", Reason: "TERM_OWNER"}, false, want{pluginapi.StateCancelled, no, "bkill"}},
		{bjobsRecord{Stat: "EXIT", Reason: "TERM_FORCE_ADMIN"}, false, want{pluginapi.StateCancelled, no, "administrator"}},
		{bjobsRecord{Stat: "EXIT", ExitCode: "143", Reason: "TERM_ZOMBIE"}, false, want{pluginapi.StateNodeFail, 143, "could not reach"}},
		{bjobsRecord{Stat: "EXIT", Reason: "TERM_CWD_NOTEXIST"}, false, want{pluginapi.StateFailed, no, "working directory"}},
		{bjobsRecord{Stat: "EXIT", Reason: "TERM_SOMETHING_NEW: a reason from a newer LSF"}, false, want{pluginapi.StateFailed, no, "TERM_SOMETHING_NEW: a reason from a newer LSF"}},
		{bjobsRecord{Stat: "EXIT"}, false, want{pluginapi.StateFailed, no, "without an exit status"}},
		{bjobsRecord{Stat: "PERR", ExitCode: "0"}, false, want{pluginapi.StateFailed, 0, "post-execution"}},
		{bjobsRecord{Stat: "NEWSTATE"}, false, want{pluginapi.StateRunning, no, "NEWSTATE"}},
	}
	for _, tc := range tests {
		t.Run(tc.rec.Stat+"/"+tc.rec.ExitCode+"/"+tc.rec.Reason, func(t *testing.T) {
			got := recordStatus(tc.rec, tc.runLimit)
			if got.State != tc.want.state || got.ExitCode != tc.want.exit || !strings.Contains(got.Reason, tc.want.reason) || got.NativeState != tc.rec.Stat {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if got.State != pluginapi.StateCompleted && got.State.Terminal() && got.Reason == "" {
				t.Errorf("terminal failure without a reason: %+v", got)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	el := func(i int, s pluginapi.State, exit int, reason string) pluginapi.ElementStatus {
		return pluginapi.ElementStatus{Index: i, Status: pluginapi.Status{State: s, ExitCode: exit, Reason: reason, NativeState: strings.ToUpper(string(s))}}
	}
	no := pluginapi.NoExitCode
	tests := []struct {
		name string
		els  []pluginapi.ElementStatus
		want pluginapi.State
	}{
		{"all done", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StateCompleted, 0, "")}, pluginapi.StateCompleted},
		{"one runs", []pluginapi.ElementStatus{el(0, pluginapi.StateFailed, 1, "x"), el(1, pluginapi.StateRunning, no, "")}, pluginapi.StateRunning},
		{"rest pends", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StatePending, no, "")}, pluginapi.StatePending},
		{"first bad wins", []pluginapi.ElementStatus{el(0, pluginapi.StateCompleted, 0, ""), el(1, pluginapi.StateTimeout, 140, "t"), el(2, pluginapi.StateFailed, 1, "f")}, pluginapi.StateTimeout},
		{"nothing listed", nil, pluginapi.StateUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(tc.els)
			if got.State != tc.want {
				t.Errorf("state %s, want %s (%+v)", got.State, tc.want, got)
			}
		})
	}
	got := summarize([]pluginapi.ElementStatus{el(4, pluginapi.StateCompleted, 0, ""), el(5, pluginapi.StateFailed, 3, "exit status 3")})
	if got.ExitCode != 3 || got.Reason != "1 of 2 elements did not complete; element 5: exit status 3" {
		t.Errorf("failed array summary %+v", got)
	}
}

// stateOf builds a handle state the way Submit would.
func handleOf(id string, st handleState) pluginapi.Handle {
	st.V = stateVersion
	if st.Name == "" {
		st.Name = "rf.up." + id
	}
	return pluginapi.Handle{ID: id, State: st.encode()}
}

func specWithDeps(ids ...string) pluginapi.JobSpec {
	spec := pluginapi.JobSpec{Task: "t", WorkDir: "/w", Script: "true\n"}
	for _, id := range ids {
		spec.Dependencies = append(spec.Dependencies, pluginapi.Dependency{Kind: pluginapi.AfterOK, Handle: handleOf(id, handleState{})})
	}
	return spec
}

func TestDependencyExpressions(t *testing.T) {
	arr := &pluginapi.ArraySpec{Size: 3, Offset: 6}
	up := handleOf("11", handleState{Name: "rf.up.abc", Size: 3, Offset: 6})
	tests := []struct {
		name  string
		array *pluginapi.ArraySpec
		deps  []pluginapi.Dependency
		want  string
		attr  string // an error about this attribute
	}{
		{"afterok", nil, []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: handleOf("5", handleState{})}}, "done(5)", ""},
		{"afterany and afterok", nil, []pluginapi.Dependency{
			{Kind: pluginapi.AfterAny, Handle: handleOf("5", handleState{})},
			{Kind: pluginapi.AfterOK, Handle: handleOf("6", handleState{})}}, "ended(5) && done(6)", ""},
		{"any-of group and a plain one", nil, []pluginapi.Dependency{
			{Kind: pluginapi.AfterOK, Handle: handleOf("5", handleState{}), Group: "g"},
			{Kind: pluginapi.AfterOK, Handle: handleOf("7", handleState{})},
			{Kind: pluginapi.AfterAny, Handle: handleOf("6", handleState{}), Group: "g"}}, "(done(5) || ended(6)) && done(7)", ""},
		{"group of one", nil, []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: handleOf("5", handleState{}), Group: "g"}}, "done(5)", ""},
		{"bare id handle", nil, []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "42"}}}, "done(42)", ""},
		{"element-wise", arr, []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up}}, "done(rf.up.abc[*])", ""},
		{"element-wise of another shape", &pluginapi.ArraySpec{Size: 3}, []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up}}, "", "dependencies[0].handle"},
		{"element-wise of a plain job", arr, []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: handleOf("5", handleState{})}}, "", "dependencies[0].handle"},
		{"element-wise from a plain job", nil, []pluginapi.Dependency{{Kind: pluginapi.Elementwise, Handle: up}}, "", "dependencies[0].kind"},
		{"garbage state", nil, []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "5", State: []byte("\x00x")}}}, "", "dependencies[0].handle"},
		{"id 0", nil, []pluginapi.Dependency{{Kind: pluginapi.AfterOK, Handle: pluginapi.Handle{ID: "0"}}}, "", "dependencies[0].handle"},
		{"unknown kind", nil, []pluginapi.Dependency{{Kind: "aftersome", Handle: handleOf("5", handleState{})}}, "", "dependencies[0].kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expr, _, diags := dependencies(pluginapi.JobSpec{Array: tc.array, Dependencies: tc.deps})
			if tc.attr != "" {
				if !hasErrorAt(diags, tc.attr) {
					t.Errorf("want an error about %s, got %v", tc.attr, diags)
				}
				return
			}
			if diags.HasErrors() || expr != tc.want {
				t.Errorf("got %q %v, want %q", expr, diags, tc.want)
			}
		})
	}
}

func hasErrorAt(ds pluginapi.Diagnostics, attr string) bool {
	for _, d := range ds {
		if d.Severity == pluginapi.Error && d.Attribute == attr {
			return true
		}
	}
	return false
}

func TestNeverHolds(t *testing.T) {
	jobs := map[string]*bjobsJob{
		"1": {Found: true, Records: []bjobsRecord{{ID: "1", Stat: "DONE"}}},
		"2": {Found: true, Records: []bjobsRecord{{ID: "2", Stat: "EXIT", ExitCode: "4"}}},
		"3": {Found: true, Records: []bjobsRecord{{ID: "3", Stat: "RUN"}}},
		"4": {Found: false},
		"5": {Found: true, Records: []bjobsRecord{{ID: "5", Index: 1, Stat: "DONE"}, {ID: "5", Index: 2, Stat: "EXIT", ExitCode: "1"}}},
	}
	ok := func(id string) depState { return depState{Kind: pluginapi.AfterOK, ID: id} }
	tests := []struct {
		name  string
		deps  []depState
		k     int
		never bool
		why   string
	}{
		{"done of a done job", []depState{ok("1")}, 0, false, ""},
		{"done of a failed job", []depState{ok("2")}, 0, true, "job 2 ended EXIT (exit status 4)"},
		{"done of a running job", []depState{ok("3")}, 0, false, ""},
		{"gone upstream", []depState{ok("4")}, 0, true, "no longer known"},
		{"never seen upstream", []depState{ok("99")}, 0, true, "no longer known"},
		{"ended of a failed job", []depState{{Kind: pluginapi.AfterAny, ID: "2"}}, 0, false, ""},
		{"any-of with one hope left", []depState{{Kind: pluginapi.AfterOK, ID: "2", Group: "g"}, {Kind: pluginapi.AfterOK, ID: "3", Group: "g"}}, 0, false, ""},
		{"any-of without hope", []depState{{Kind: pluginapi.AfterOK, ID: "2", Group: "g"}, {Kind: pluginapi.AfterOK, ID: "4", Group: "g"}}, 0, true, "; and "},
		{"one of two plain ones fails", []depState{ok("1"), ok("2")}, 0, true, "job 2"},
		{"done of an array with a failed element", []depState{ok("5")}, 0, true, "job 5[2] ended EXIT"},
		{"element-wise, good element", []depState{{Kind: pluginapi.Elementwise, ID: "5"}}, 1, false, ""},
		{"element-wise, failed element", []depState{{Kind: pluginapi.Elementwise, ID: "5"}}, 2, true, "job 5[2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			why, never := neverHolds(tc.deps, jobs, tc.k)
			if never != tc.never || !strings.Contains(why, tc.why) {
				t.Errorf("got %v %q, want %v containing %q", never, why, tc.never, tc.why)
			}
		})
	}
}

func TestJobStatus(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	cfg := defaultConfig()
	st := func(s handleState) *handleState {
		s.V = stateVersion
		return &s
	}
	jobs := map[string]*bjobsJob{
		"10": {Found: true, Records: []bjobsRecord{{ID: "10", Index: 1, Stat: "DONE"}, {ID: "10", Index: 3, Stat: "RUN"}, {ID: "10", Index: 2, Stat: "EXIT", ExitCode: "2"}}},
		"11": {Found: true, Records: []bjobsRecord{{ID: "11", Stat: "EXIT", ExitCode: "1"}}},
		"12": {Found: true, Records: []bjobsRecord{{ID: "12", Stat: "PEND"}}},
		"13": {Found: true, Records: []bjobsRecord{{ID: "13", Index: 1, Stat: "PEND"}, {ID: "13", Index: 2, Stat: "PEND"}}},
		"14": {Found: true, Records: []bjobsRecord{{ID: "14", Stat: "EXIT", Reason: "TERM_OWNER"}}},
	}
	type want struct {
		state    pluginapi.State
		reason   string
		elements map[int]pluginapi.State
		kill     []string
	}
	tests := []struct {
		name string
		en   polled
		want want
	}{
		{"array with offset", polled{pluginapi.Handle{ID: "10"}, st(handleState{Size: 3, Offset: 5}), true},
			want{pluginapi.StateRunning, "", map[int]pluginapi.State{5: pluginapi.StateCompleted, 6: pluginapi.StateFailed, 7: pluginapi.StateRunning}, nil}},
		{"array element missing from bjobs", polled{pluginapi.Handle{ID: "10"}, st(handleState{Size: 4}), true},
			want{pluginapi.StateRunning, "", map[int]pluginapi.State{0: pluginapi.StateCompleted, 1: pluginapi.StateFailed, 2: pluginapi.StateRunning, 3: pluginapi.StateUnknown}, nil}},
		{"dependent of a failed job is failed and killed", polled{pluginapi.Handle{ID: "12"}, st(handleState{Deps: []depState{{Kind: pluginapi.AfterOK, ID: "11"}}}), true},
			want{pluginapi.StateFailed, "dependency can never be satisfied: job 11 ended EXIT", nil, []string{"12"}}},
		{"killed dependent stays failed", polled{pluginapi.Handle{ID: "14"}, st(handleState{Deps: []depState{{Kind: pluginapi.AfterOK, ID: "11"}}}), true},
			want{pluginapi.StateFailed, "dependency can never be satisfied", nil, nil}},
		{"killed without hopeless dependencies is cancelled", polled{pluginapi.Handle{ID: "14"}, st(handleState{}), true},
			want{pluginapi.StateCancelled, "TERM_OWNER", nil, nil}},
		{"dependent array: one kill for all elements", polled{pluginapi.Handle{ID: "13"}, st(handleState{Size: 2, Deps: []depState{{Kind: pluginapi.AfterOK, ID: "11"}}}), true},
			want{pluginapi.StateFailed, "element 0: dependency can never be satisfied", map[int]pluginapi.State{0: pluginapi.StateFailed, 1: pluginapi.StateFailed}, []string{"13"}}},
		{"element-wise: only the element whose upstream failed", polled{pluginapi.Handle{ID: "13"}, st(handleState{Size: 2, Deps: []depState{{Kind: pluginapi.Elementwise, ID: "10"}}}), true},
			want{pluginapi.StatePending, "", map[int]pluginapi.State{0: pluginapi.StatePending, 1: pluginapi.StateFailed}, []string{"13[2]"}}},
		{"ours, just submitted, not listed", polled{pluginapi.Handle{ID: "20"}, st(handleState{Submitted: now.Unix() - 5}), true},
			want{pluginapi.StateUnknown, "(yet)", nil, nil}},
		{"ours, long gone", polled{pluginapi.Handle{ID: "20"}, st(handleState{Submitted: now.Unix() - 3600, Size: 2, Offset: 4}), true},
			want{pluginapi.StateFailed, "vanished from scheduler", map[int]pluginapi.State{4: pluginapi.StateFailed, 5: pluginapi.StateFailed}, nil}},
		{"never seen id", polled{pluginapi.Handle{ID: "21"}, nil, true},
			want{pluginapi.StateUnknown, "does not know", nil, nil}},
		{"not an LSF id", polled{pluginapi.Handle{ID: "local-x"}, nil, false},
			want{pluginapi.StateUnknown, "not a job of the LSF executor", nil, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, kill := jobStatus(tc.en, jobs, now, cfg)
			if js.ID != tc.en.h.ID || js.State != tc.want.state || !strings.Contains(js.Reason, tc.want.reason) {
				t.Errorf("status %+v, want %s with reason containing %q", js.Status, tc.want.state, tc.want.reason)
			}
			var els map[int]pluginapi.State
			for _, e := range js.Elements {
				if els == nil {
					els = map[int]pluginapi.State{}
				}
				els[e.Index] = e.State
			}
			if diff := cmp.Diff(tc.want.elements, els); diff != "" {
				t.Errorf("elements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want.kill, kill); diff != "" {
				t.Errorf("kill (-want +got):\n%s", diff)
			}
		})
	}
}
