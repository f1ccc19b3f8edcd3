package localexec

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// Submit validates a job, writes it to the state dir and queues it. The job
// is on disk before the handle is returned, so whatever happens to this
// process afterwards, a plugin given the handle finds it.
func (e *Executor) Submit(ctx context.Context, req *pluginapi.SubmitRequest) (*pluginapi.SubmitResponse, error) {
	if req == nil {
		req = &pluginapi.SubmitRequest{}
	}
	e.start()
	e.mu.Lock()
	cfg := e.cfg
	e.mu.Unlock()

	rec, diags := buildRecord(req.Job, cfg.Slots)
	diags = append(diags, checkWorkDir(req.Job)...)
	links, dd := e.resolveDeps(rec, req.Job.Dependencies)
	diags = append(diags, dd...)
	if diags.HasErrors() {
		return &pluginapi.SubmitResponse{Diagnostics: diags}, nil
	}

	jobsDir := filepath.Join(cfg.StateDir, "jobs")
	if err := os.MkdirAll(jobsDir, 0o755); err != nil {
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "cannot create the local executor's state directory: %v", err)}, nil
	}
	// The record must not keep the caller's handles: they would only bloat
	// spec.json, and dependencies are followed through Deps.
	rec.Spec.Dependencies = nil
	var dir string
	for attempt := 0; ; attempt++ {
		now := e.now()
		rec.ID = newJobID(now)
		rec.Submitted = now
		dir = filepath.Join(jobsDir, rec.ID)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !os.IsExist(err) || attempt > 10 {
			return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "cannot create the job's state directory: %v", err)}, nil
		}
	}
	if err := writeJobFiles(rec, dir); err != nil {
		_ = os.RemoveAll(dir)
		return &pluginapi.SubmitResponse{Diagnostics: diags.Errorf("", "cannot write the job's state: %v", err)}, nil
	}

	j := newJob(rec, dir)
	j.deps = links
	j.runScript = true
	e.mu.Lock()
	e.jobs[rec.ID] = j
	e.enqueue(j)
	e.mu.Unlock()
	e.wake()
	return &pluginapi.SubmitResponse{Handle: encodeHandle(rec.ID, dir), Diagnostics: diags}, nil
}

// writeJobFiles writes a new job's files; spec.json goes last because its
// presence is what makes the directory a submitted job.
func writeJobFiles(rec *jobRecord, dir string) error {
	if err := os.Mkdir(elemDir(dir), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(jobScript(dir), []byte(renderJobScript(rec)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(runScriptPath(dir), []byte(renderRunScript(rec, dir)), 0o644); err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	// No temp file and rename: nobody reads spec.json before Submit has
	// returned the handle, and a half-written one (the plugin died while
	// submitting) belongs to a handle nobody ever received.
	return os.WriteFile(specPath(dir), b, 0o644)
}

// resolveDeps checks each dependency and finds its upstream job, loading it
// from disk when this process has not seen it. Problems name
// dependencies[i].
func (e *Executor) resolveDeps(rec *jobRecord, deps []pluginapi.Dependency) ([]depLink, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	var links []depLink
	for i, d := range deps {
		at := fmt.Sprintf("dependencies[%d]", i)
		switch d.Kind {
		case pluginapi.AfterOK, pluginapi.AfterAny, pluginapi.Elementwise:
		default:
			diags = diags.Errorf(at+".kind", "unknown dependency kind %q; want afterok, afterany or elementwise", d.Kind)
			continue
		}
		dir, err := decodeHandle(d.Handle)
		var up *job
		if err == nil {
			e.mu.Lock()
			up, err = e.loadJob(d.Handle.ID, dir)
			e.mu.Unlock()
		}
		if err != nil {
			diags = append(diags, pluginapi.Diagnostic{Severity: pluginapi.Error, Attribute: at + ".handle",
				Summary: fmt.Sprintf("unknown job %q", d.Handle.ID), Detail: err.Error()})
			continue
		}
		if d.Kind == pluginapi.Elementwise {
			if msg := elementwiseMismatch(rec, up.rec); msg != "" {
				diags = diags.Errorf(at+".kind", "%s", msg)
				continue
			}
		}
		links = append(links, depLink{depRecord: depRecord{Kind: d.Kind, ID: up.id, Dir: up.dir, Group: d.Group}, up: up})
	}
	for _, l := range links {
		rec.Deps = append(rec.Deps, l.depRecord)
	}
	return links, diags
}

// elementwiseMismatch explains why an element-wise dependency cannot work:
// each element needs an upstream element with its engine index.
func elementwiseMismatch(down, up *jobRecord) string {
	switch {
	case !down.Array && !up.Array:
		return "" // one element each: element-wise is plain afterok
	case down.Array != up.Array:
		return fmt.Sprintf("an element-wise dependency needs two array jobs; %s is not shaped like this job", up.ID)
	case down.Offset < up.Offset || down.Offset+down.Size > up.Offset+up.Size:
		return fmt.Sprintf("elements %d-%d have no counterpart among %s's elements %d-%d",
			down.Offset, down.Offset+down.Size-1, up.ID, up.Offset, up.Offset+up.Size-1)
	}
	return ""
}
