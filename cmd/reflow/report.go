package main

import (
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/reflow-hpc/reflow/core/store"
)

// The report is one self-contained HTML file (no scripts, styles or images
// from elsewhere), so it can be mailed or opened on a machine without
// network: the run, a timeline drawn as inline SVG, and per task the
// states, attempts, durations and peak memory.

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"dur": func(d time.Duration) string {
		if d <= 0 {
			return "-"
		}
		return d.Round(10 * time.Millisecond).String()
	},
	"mem": func(b int64) string {
		if b <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04:05")
	},
}).Parse(reportTemplate))

// maxTimelineRows bounds the timeline: past it, one row per task shows the
// span of its instances instead of one row per instance.
const maxTimelineRows = 300

type reportData struct {
	Run      store.Run
	Duration time.Duration
	Counts   []stateCount
	Tasks    []taskReport
	Timeline timeline
}

type stateCount struct {
	State string
	N     int
}

type taskReport struct {
	Name                  string
	Instances, Attempts   int
	States                []stateCount
	Min, Median, Max, Sum time.Duration
	PeakMemory            int64
}

type timeline struct {
	Width, Height int
	Rows          []timelineRow
	PerTask       bool
}

type timelineRow struct {
	Label        string
	Y            int
	X, W         float64
	State        string
	Title        string
	LabelY, BarY int
}

func newReportCmd() *cobra.Command {
	var out, storeFlag string
	cmd := &cobra.Command{
		Use:   "report [RUN]",
		Short: "Write a self-contained HTML report of a run: timeline, durations, memory, states",
		Long: `Write one HTML file, with nothing loaded from elsewhere, describing a run:
its state and times, a timeline of its task instances, and per task the
states, attempts, durations (min, median, max) and peak memory.

By default the report goes to <run dir>/report.html and its path is printed;
-o FILE writes it there, -o - to standard output.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, st, run, err := commandRun(cmd, storeFlag, args)
			if err != nil {
				return err
			}
			defer st.Close()
			insts, err := listInstances(cmd.Context(), st, run.ID)
			if err != nil {
				return infraError(err)
			}
			data := buildReport(run, insts, time.Now())
			if out == "-" {
				return reportTmpl.Execute(cmd.OutOrStdout(), data)
			}
			if out == "" {
				out = filepath.Join(run.RunDir, "report.html")
			}
			if err := writeReport(out, data); err != nil {
				return infraError(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the report (default <run dir>/report.html; - for standard output)")
	cmd.Flags().StringVar(&storeFlag, "store", "", "manifest store path")
	return cmd
}

func writeReport(path string, data reportData) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := reportTmpl.Execute(f, data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func buildReport(run store.Run, insts []store.Instance, now time.Time) reportData {
	d := reportData{Run: run}
	end := run.Finished
	if end.IsZero() {
		end = now
	}
	if !run.Started.IsZero() {
		d.Duration = end.Sub(run.Started)
	}
	total := map[string]int{}
	byTask := map[string][]store.Instance{}
	var order []string
	for _, in := range insts {
		total[string(in.State)]++
		if _, ok := byTask[in.Task]; !ok {
			order = append(order, in.Task)
		}
		byTask[in.Task] = append(byTask[in.Task], in)
	}
	d.Counts = sortedCounts(total)
	for _, name := range order {
		d.Tasks = append(d.Tasks, summarizeTask(name, byTask[name]))
	}
	d.Timeline = buildTimeline(run, insts, order, byTask, end)
	return d
}

func sortedCounts(m map[string]int) []stateCount {
	out := make([]stateCount, 0, len(m))
	for s, n := range m {
		out = append(out, stateCount{s, n})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].State < out[b].State })
	return out
}

func summarizeTask(name string, insts []store.Instance) taskReport {
	t := taskReport{Name: name, Instances: len(insts)}
	states := map[string]int{}
	var durs []time.Duration
	for _, in := range insts {
		states[string(in.State)]++
		t.Attempts += in.Attempt
		if in.PeakMemory > t.PeakMemory {
			t.PeakMemory = in.PeakMemory
		}
		if !in.Started.IsZero() && in.Finished.After(in.Started) {
			durs = append(durs, in.Finished.Sub(in.Started))
		}
	}
	t.States = sortedCounts(states)
	if len(durs) > 0 {
		sort.Slice(durs, func(a, b int) bool { return durs[a] < durs[b] })
		t.Min, t.Median, t.Max = durs[0], durs[len(durs)/2], durs[len(durs)-1]
		for _, x := range durs {
			t.Sum += x
		}
	}
	return t
}

// buildTimeline lays out one bar per instance that ran (or per task, for
// big runs) on a time axis from the run's start to its end.
func buildTimeline(run store.Run, insts []store.Instance, order []string, byTask map[string][]store.Instance, end time.Time) timeline {
	const labelW, barW, rowH = 180, 760, 16
	tl := timeline{Width: labelW + barW + 10}
	start := run.Started
	if start.IsZero() {
		start = run.Created
	}
	span := end.Sub(start)
	if span <= 0 {
		span = time.Second
	}
	x := func(t time.Time) float64 {
		if t.Before(start) {
			t = start
		}
		return labelW + float64(barW)*float64(t.Sub(start))/float64(span)
	}
	add := func(label, state, title string, s, e time.Time) {
		if s.IsZero() {
			return
		}
		if e.IsZero() || e.Before(s) {
			e = end
		}
		y := len(tl.Rows) * rowH
		w := x(e) - x(s)
		if w < 1 {
			w = 1
		}
		tl.Rows = append(tl.Rows, timelineRow{Label: label, Y: y, LabelY: y + 12, BarY: y + 3, X: x(s), W: w, State: state, Title: title})
	}
	ran := 0
	for _, in := range insts {
		if !in.Started.IsZero() {
			ran++
		}
	}
	tl.PerTask = ran > maxTimelineRows
	for _, name := range order {
		if tl.PerTask {
			var s, e time.Time
			n := 0
			for _, in := range byTask[name] {
				if in.Started.IsZero() {
					continue
				}
				n++
				if s.IsZero() || in.Started.Before(s) {
					s = in.Started
				}
				if in.Finished.After(e) {
					e = in.Finished
				}
			}
			add(name, "span", fmt.Sprintf("%s: %d instances ran from %s to %s", name, n, s.Format(time.TimeOnly), e.Format(time.TimeOnly)), s, e)
			continue
		}
		for _, in := range byTask[name] {
			label := in.Task
			if in.Index != store.SingletonIndex {
				label = fmt.Sprintf("%s[%d]", in.Task, in.Index)
			}
			add(label, string(in.State), fmt.Sprintf("%s %s, attempt %d, %s", label, in.State, in.Attempt, in.Finished.Sub(in.Started).Round(time.Millisecond)), in.Started, in.Finished)
		}
	}
	tl.Height = len(tl.Rows)*rowH + 4
	return tl
}
