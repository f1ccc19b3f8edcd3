package pbsexec

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/reflow-hpc/reflow/pluginapi"
	"github.com/reflow-hpc/reflow/sdk"
)

// submission is a job ready for qsub: the command line, the script fed to
// it on stdin, and the handle state Submit returns with the id.
type submission struct {
	argv   []string
	script string
	state  handleState
}

// Render returns exactly what Submit runs: the qsub command line (the
// script goes to its stdin) and the job script with its #PBS directives.
func (e *Executor) Render(ctx context.Context, req *pluginapi.RenderRequest) (*pluginapi.RenderResponse, error) {
	if req == nil {
		req = &pluginapi.RenderRequest{}
	}
	cfg, fl := e.snapshot()
	sub, diags := buildSubmission(req.Job, cfg, fl, e.qstatFor())
	return &pluginapi.RenderResponse{Argv: sub.argv, Script: sub.script, Diagnostics: diags}, nil
}

func (e *Executor) qstatFor() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.qstatPath != "" {
		return e.qstatPath
	}
	return e.cfg.Qstat
}

// dirWord matches a directive value that needs no quoting: #PBS lines are
// split at blanks and PBS does not unquote them, so anything else goes on
// the command line instead.
var dirWord = regexp.MustCompile(`^[^\s'"\\#]+$`)

// nameChars are the characters PBS takes in a job name.
var badNameChar = regexp.MustCompile(`[^A-Za-z0-9._+-]`)

// jobName makes a PBS job name from the task: PBS's characters only, at
// most 230 (Torque: 15) characters, starting with a letter.
func jobName(task, dialect string) string {
	n := badNameChar.ReplaceAllString(task, "_")
	if n == "" || !(n[0] >= 'A' && n[0] <= 'Z' || n[0] >= 'a' && n[0] <= 'z') {
		n = "r" + n
	}
	limit := 230
	if dialect == dialectTorque {
		limit = 15
	}
	if len(n) > limit {
		n = n[:limit]
	}
	return n
}

// buildSubmission validates a job and renders its submission. It is the
// one place Render and Submit share, so Render shows what Submit runs.
func buildSubmission(spec pluginapi.JobSpec, cfg config, fl flavor, qstat string) (*submission, pluginapi.Diagnostics) {
	dialect := fl.Dialect
	req, diags := parseRequest(spec, dialect)
	sub := &submission{state: handleState{V: stateVersion, Dialect: dialect}}
	var dirs [][2]string // flag, value
	var cmdline []string
	add := func(flag, value string) {
		if dirWord.MatchString(value) {
			dirs = append(dirs, [2]string{flag, value})
		} else {
			cmdline = append(cmdline, "-"+flag, value)
		}
	}

	if spec.WorkDir == "" || !filepath.IsAbs(spec.WorkDir) {
		diags = diags.Errorf("work_dir", "the work dir must be an absolute path, not %q", spec.WorkDir)
	}
	add("N", jobName(spec.Task, dialect))
	dirs = append(dirs, [2]string{"S", "/bin/bash"})

	arr := spec.Array
	ar, ad := arrayRequest(arr, req, cfg, fl)
	diags = append(diags, ad...)
	if ar.flag != "" {
		add(ar.flag, ar.value)
	}
	single := ar.single
	if arr != nil {
		sub.state.Size, sub.state.Offset, sub.state.Plain = arr.Size, arr.Offset, single
	}

	// Output. OpenPBS substitutes ^array_index^; Torque's handling of
	// paths for array elements is not documented, so there the script
	// redirects its own output and the scheduler's files go to /dev/null.
	stdout, stderr := absPath(spec.Stdout, spec.WorkDir), absPath(spec.Stderr, spec.WorkDir)
	redirect := false
	switch {
	case arr != nil && single:
		stdout = strings.ReplaceAll(stdout, pluginapi.IndexToken, strconv.Itoa(arr.Offset))
		stderr = strings.ReplaceAll(stderr, pluginapi.IndexToken, strconv.Itoa(arr.Offset))
	case arr != nil && dialect == dialectTorque:
		redirect = true
	case arr != nil:
		stdout = strings.ReplaceAll(stdout, pluginapi.IndexToken, "^array_index^")
		stderr = strings.ReplaceAll(stderr, pluginapi.IndexToken, "^array_index^")
	}
	if redirect {
		add("o", "/dev/null")
		add("e", "/dev/null")
	} else {
		if stdout != "" {
			add("o", stdout)
		}
		if stderr != "" {
			add("e", stderr)
		}
	}

	// Resources.
	userPlace := spec.Options["place"] != ""
	for _, l := range req.directives(dialect) {
		if userPlace && strings.HasPrefix(l, "place=") {
			continue
		}
		add("l", l)
	}
	if req.res.Time > 0 {
		add("l", "walltime="+sdk.FormatClock(req.res.Time))
		sub.state.Walltime = sdk.Seconds(req.res.Time)
	}
	queue := req.res.Partition
	if queue == "" {
		queue = cfg.Queue
	}
	if queue != "" {
		add("q", queue)
	}
	account := req.res.Account
	if account == "" {
		account = cfg.Account
	}
	if account != "" {
		add(cfg.AccountFlag, account)
	}
	if cfg.Project != "" && !(cfg.AccountFlag == "P" && account != "") {
		add("P", cfg.Project)
	}

	// Dependencies.
	depend, guards, dd := dependDirective(spec.Dependencies, dialect)
	diags = append(diags, dd...)
	if depend != "" {
		add("W", "depend="+depend)
	}
	for _, d := range spec.Dependencies {
		sub.state.Deps = append(sub.state.Deps, d.Handle.ID)
	}
	sub.state.Guard = guards

	// Native options.
	opts, od := nativeOptions(spec.Options, dialect, depend != "")
	diags = append(diags, od...)
	for _, o := range opts {
		if o[1] == "" {
			dirs = append(dirs, [2]string{o[0], ""})
		} else {
			add(o[0], o[1])
		}
	}

	for k := range spec.Env {
		if !envNameRE.MatchString(k) {
			diags = diags.Errorf("env", "%q is not a valid environment variable name", k)
		}
	}

	sub.script = writeScript(spec, dirs, ar.indexExpr, redirect, stdout, stderr, guardScript(guards, qstat), &sub.state)
	sub.argv = append([]string{cfg.Qsub}, cfg.QsubArgs...)
	sub.argv = append(sub.argv, cmdline...)
	return sub, diags
}

var (
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	safeWord  = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)
)

// absPath makes a log path absolute against the work dir (PBS would take
// it from qsub's directory, which is the plugin's, not the job's).
func absPath(p, workDir string) string {
	if p == "" || filepath.IsAbs(p) || workDir == "" {
		return p
	}
	return filepath.Join(workDir, p)
}

// indexedWord is a path with IndexToken as one shell word that expands the
// token to $REFLOW_INDEX.
func indexedWord(p string) string {
	parts := strings.Split(p, pluginapi.IndexToken)
	for i := range parts {
		if parts[i] != "" {
			parts[i] = shellQuote(parts[i])
		}
	}
	return strings.Join(parts, `"$`+pluginapi.IndexEnv+`"`)
}

// shellQuote quotes s as one bash word.
func shellQuote(s string) string {
	if s != "" && safeWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }
