package sgeexec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/reflow-hpc/reflow/pluginapi"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func localTime(s string) time.Time {
	t, err := time.ParseInLocation(qstatTimeLayout, s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

// rangeTasks is live tasks lo..hi, all in one state.
func rangeTasks(lo, hi int, lt liveTask) map[int]liveTask {
	m := map[int]liveTask{}
	for i := lo; i <= hi; i++ {
		m[i] = lt
	}
	return m
}

func TestParseQstatXML(t *testing.T) {
	qw := liveTask{State: "qw"}
	cases := []struct {
		file string
		want liveJobs
	}{
		{"qstat/empty.xml", liveJobs{}},
		{"qstat/unknown.xml", liveJobs{}},
		{"qstat/mixed.xml", liveJobs{
			59: {0: {State: "r", Start: localTime("2026-11-26T05:42:40")}},
			61: func() map[int]liveTask {
				m := rangeTasks(2, 10, qw)
				m[1] = liveTask{State: "r", Start: localTime("2026-11-26T05:43:02")}
				return m
			}(),
			64: {0: qw},
			62: {0: {State: "hqw"}},
			63: {0: {State: "hqw"}},
		}},
		{"qstat/suspended.xml", liveJobs{
			59: {0: {State: "r", Start: localTime("2026-11-26T05:42:40")}},
			60: {0: {State: "s", Start: localTime("2026-11-26T05:42:42")}},
			61: rangeTasks(1, 10, qw),
			64: {0: qw},
			62: {0: {State: "hqw"}},
			63: {0: {State: "hqw"}},
		}},
		{"qstat/deleting.xml", liveJobs{
			59: {0: {State: "dr", Start: localTime("2026-11-26T05:42:40")}},
			61: func() map[int]liveTask {
				m := rangeTasks(2, 10, qw)
				m[1] = liveTask{State: "r", Start: localTime("2026-11-26T05:43:02")}
				return m
			}(),
			64: {0: qw},
			62: {0: {State: "hqw"}},
			63: {0: {State: "hqw"}},
		}},
		{"qstat/eqw.xml", liveJobs{
			61: func() map[int]liveTask {
				m := rangeTasks(5, 10, qw)
				m[3] = liveTask{State: "r", Start: localTime("2026-11-26T05:43:27")}
				m[4] = liveTask{State: "r", Start: localTime("2026-11-26T05:43:33")}
				return m
			}(),
			64: {0: {State: "Eqw"}},
			62: {0: {State: "hqw"}},
		}},
		{"qstat/eqw-array.xml", liveJobs{
			65: {1: {State: "Eqw"}, 2: {State: "Eqw"}},
			64: {0: {State: "Eqw"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			got, err := parseQstatXML(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("parseQstatXML (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseQstatXMLErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not xml":   "error: commlib error: got select error (Connection refused)",
		"bad tasks": "<job_info><job_info><job_list><JB_job_number>3</JB_job_number><state>qw</state><tasks>x-y</tasks></job_list></job_info></job_info>",
		"truncated": "<job_info><queue_info><job_list><JB_job_number>3</JB_job_",
	} {
		if _, err := parseQstatXML([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestLiveStatus covers every state the facts page lists for qstat.
func TestLiveStatus(t *testing.T) {
	cases := []struct {
		letters string
		state   pluginapi.State
		reason  string
	}{
		{"qw", pluginapi.StatePending, "queued"},
		{"hqw", pluginapi.StatePending, "on hold"},
		{"hRwq", pluginapi.StatePending, "on hold"},
		{"t", pluginapi.StateRunning, ""},
		{"Rt", pluginapi.StateRunning, "running again after being rescheduled"},
		{"r", pluginapi.StateRunning, ""},
		{"hr", pluginapi.StateRunning, ""},
		{"Rr", pluginapi.StateRunning, "running again after being rescheduled"},
		{"s", pluginapi.StateRunning, "suspended"},
		{"ts", pluginapi.StateRunning, "suspended"},
		{"S", pluginapi.StateRunning, "suspended"},
		{"tS", pluginapi.StateRunning, "suspended"},
		{"T", pluginapi.StateRunning, "suspended"},
		{"tT", pluginapi.StateRunning, "suspended"},
		{"Eqw", pluginapi.StatePending, "in error state (Eqw)"},
		{"Ehqw", pluginapi.StatePending, "in error state (Eqw)"},
		{"EhRqw", pluginapi.StatePending, "in error state (Eqw)"},
		{"dr", pluginapi.StateRunning, "being deleted"},
		{"dt", pluginapi.StateRunning, "being deleted"},
		{"ds", pluginapi.StateRunning, "being deleted"},
		{"dS", pluginapi.StateRunning, "being deleted"},
		{"dT", pluginapi.StateRunning, "being deleted"},
		{"dRr", pluginapi.StateRunning, "being deleted"},
		{"dqw", pluginapi.StatePending, "being deleted"},
		{"x", pluginapi.StatePending, `in state "x"`},
	}
	start := localTime("2026-11-26T05:42:40")
	for _, tc := range cases {
		t.Run(tc.letters, func(t *testing.T) {
			got := liveStatus(liveTask{State: tc.letters, Start: start}, "")
			want := pluginapi.Status{State: tc.state, Reason: tc.reason, NativeState: tc.letters,
				ExitCode: pluginapi.NoExitCode, Start: start}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("liveStatus(%q) (-want +got):\n%s", tc.letters, d)
			}
		})
	}
	if got := liveStatus(liveTask{State: "hqw"}, "held for reflow"); got.Reason != "held for reflow" {
		t.Errorf("a held dependent's reason: got %q", got.Reason)
	}
}

func TestParseErrorReasons(t *testing.T) {
	got := parseErrorReasons(readTestdata(t, "qstat-j/eqw-multi.txt"))
	want := map[int]map[int]string{
		64: {1: `error: can't open output file "/nonexistent/x": No such file or directory`},
		65: {
			1: `error: can't open output file "/nonexistent/y": No such file or directory`,
			2: `error: can't open output file "/nonexistent/y": No such file or directory`,
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("parseErrorReasons (-want +got):\n%s", d)
	}
	if r := errorReason(got, 64, 0); r != want[64][1] {
		t.Errorf("a job that is not an array takes its task 1 reason, got %q", r)
	}
	if r := errorReason(got, 65, 3); r != "" {
		t.Errorf("a task without a reason: got %q", r)
	}
	single := parseErrorReasons(readTestdata(t, "qstat-j/eqw.txt"))
	if r := errorReason(single, 64, 0); r != want[64][1] {
		t.Errorf("qstat-j/eqw.txt: got %q", r)
	}
}
