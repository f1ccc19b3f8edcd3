package sgeexec

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// detectTimeout bounds the look at the cluster during Configure: a slow
// qmaster must not hold up the dispatcher's start for a minute.
const detectTimeout = 15 * time.Second

// detect asks Grid Engine for its version (the first line of `qstat
// -help`, e.g. "SGE 8.1.9", "UGE 8.6.4", "OGS/GE 2011.11") and for the
// global max_aj_tasks. Neither is essential: failures are warnings, and
// the plugin keeps its defaults.
func (e *Executor) detect(ctx context.Context, cfg *config) (flavor string, maxTasks int, diags pluginapi.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, detectTimeout)
	defer cancel()
	var (
		wg               sync.WaitGroup
		helpOut, confOut []byte
		helpErr, confErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		r, err := e.command(ctx, cfg, "qstat", []string{"-help"}, nil)
		// qstat -help exits 0 on SGE but not on every flavour; the text
		// is what matters.
		helpOut, helpErr = r.Stdout, err
		if len(helpOut) > 0 {
			helpErr = nil
		}
	}()
	if !cfg.maxArraySet {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.command(ctx, cfg, "qconf", []string{"-sconf"}, nil)
			confOut, confErr = r.Stdout, err
		}()
	}
	wg.Wait()
	if helpErr != nil {
		diags = diags.Warnf("settings.qstat", "cannot ask Grid Engine for its version: %v", helpErr)
	} else {
		flavor = parseFlavor(helpOut)
		if !looksLikeGridEngine(flavor) {
			// PBS and Torque also have a qsub and a qstat; whichever is
			// first in $PATH wins.
			diags = diags.Warnf("settings.qstat", "%s -help begins %q, which does not look like Grid Engine (SGE, UGE, OGS/GE, GE): another scheduler's clients may come first in $PATH; set bin_dir", cfg.command("qstat"), flavor)
		}
	}
	if !cfg.maxArraySet {
		if confErr == nil {
			maxTasks = parseMaxAJTasks(confOut)
		}
		if maxTasks <= 0 {
			why := "no max_aj_tasks in its output"
			if confErr != nil {
				why = confErr.Error()
			}
			diags = diags.Warnf("settings.max_array_size", "cannot read max_aj_tasks with qconf -sconf (%s); assuming %d tasks per array job", why, defaultMaxArraySize)
		}
	}
	return flavor, maxTasks, diags
}

// parseFlavor returns the first line of qstat -help, which names the
// product and its version.
func parseFlavor(help []byte) string {
	line, _, _ := bytes.Cut(help, []byte("\n"))
	return strings.TrimSpace(string(line))
}

// looksLikeGridEngine reports whether a version line names a Grid Engine:
// "SGE 8.1.9", "UGE 8.6.4", "OGS/GE 2011.11", "GE 6.2u5".
func looksLikeGridEngine(flavor string) bool {
	f := strings.Fields(flavor)
	return len(f) > 0 && strings.HasSuffix(f[0], "GE")
}

// parseMaxAJTasks reads max_aj_tasks from `qconf -sconf`. 0 means not
// found; Grid Engine's own 0 ("no limit") is reported as the plugin's
// default instead, since the engine wants a finite chunk size.
func parseMaxAJTasks(conf []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(conf))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "max_aj_tasks" {
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 0 {
				return 0
			}
			if n == 0 {
				return defaultMaxArraySize
			}
			return n
		}
	}
	return 0
}
