package main

import (
	"fmt"
	"strconv"

	"github.com/reflow-hpc/reflow/testenv/doubles/flux/fluxsyntax"
)

// cancel answers `flux cancel [-m NOTE] ID...`: silent on success; one
// error line per id that is unknown or already inactive, and exit 1 if
// there was any. The broker carries the cancels out.
func (e *env) cancel() int {
	req, rej := fluxsyntax.ParseCancel(e.args)
	if rej != nil {
		return e.reject(rej)
	}
	unlock := e.st.lock()
	status := 0
	var err error
	for _, id := range req.IDs {
		j, gerr := e.st.get(id)
		if gerr != nil {
			err = gerr
			break
		}
		switch {
		case j == nil:
			fmt.Fprintf(e.stderr, "flux-cancel: ERROR: %s: unknown job id\n", f58(id))
			status = 1
		case !j.active():
			fmt.Fprintf(e.stderr, "flux-cancel: ERROR: %s: job is inactive\n", f58(id))
			status = 1
		default:
			err = writeFile(e.st.path("cancel", strconv.FormatUint(id, 10)), []byte(req.Message))
		}
		if err != nil {
			break
		}
	}
	unlock()
	if err != nil {
		fmt.Fprintf(e.stderr, "flux-cancel: ERROR: %v\n", err)
		return 1
	}
	if err := ensureBroker(e.st); err != nil {
		fmt.Fprintf(e.stderr, "flux-cancel: ERROR: %v\n", err)
		return 1
	}
	return status
}
