package pbsexec

import (
	"fmt"
	"strconv"

	"github.com/reflow-hpc/reflow/pluginapi"
)

// arrayReq is how an array is submitted: the -J/-t directive (none for a
// plain job or an OpenPBS array of one), and how the script sets
// REFLOW_INDEX.
type arrayReq struct {
	flag, value string
	indexExpr   string
	// single marks an OpenPBS array of one element, which qsub refuses as
	// a range: it is submitted as a plain job that knows its index.
	single bool
}

// arrayRequest validates an array and renders it. Native indices are the
// engine's own (PBS arrays may start at 0), so $PBS_ARRAY_INDEX and
// ^array_index^ are the engine index and nothing needs translating.
func arrayRequest(arr *pluginapi.ArraySpec, req request, cfg config, fl flavor) (arrayReq, pluginapi.Diagnostics) {
	var diags pluginapi.Diagnostics
	if arr == nil {
		return arrayReq{}, nil
	}
	dialect := fl.Dialect
	switch {
	case arr.Size < 1:
		diags = diags.Errorf("array.size", "an array needs at least one element, not %d", arr.Size)
	case arr.Offset < 0:
		diags = diags.Errorf("array.offset", "the array offset must not be negative, not %d", arr.Offset)
	case cfg.maxArray(dialect) > 0 && arr.Size > cfg.maxArray(dialect):
		diags = diags.Errorf("array.size", "an array of %d elements is larger than the server's max_array_size %d; reflow splits arrays by Info's MaxArraySize, so raise max_array_size only if the server allows it", arr.Size, cfg.maxArray(dialect))
	case arr.Parallelism < 0:
		diags = diags.Errorf("array.parallelism", "parallelism must not be negative, not %d", arr.Parallelism)
	}
	throttle := arr.Parallelism
	if throttle == 0 {
		throttle = req.res.ArrayParallelism
	}
	if throttle > 0 && !fl.throttle() {
		diags = diags.Warnf("array.parallelism", "%s has no array throttle (OpenPBS has %%N from 22.05); the array runs without a cap", fl)
		throttle = 0
	}
	last := arr.Offset + arr.Size - 1
	suffix := ""
	if throttle > 0 {
		suffix = "%" + strconv.Itoa(throttle)
	}
	switch {
	case arr.Size == 1 && dialect == dialectOpenPBS:
		return arrayReq{single: true, indexExpr: strconv.Itoa(arr.Offset)}, diags
	case dialect == dialectTorque:
		r := strconv.Itoa(arr.Offset)
		if last > arr.Offset {
			r += "-" + strconv.Itoa(last)
		}
		return arrayReq{flag: "t", value: r + suffix, indexExpr: `"$PBS_ARRAYID"`}, diags
	}
	return arrayReq{flag: "J", value: fmt.Sprintf("%d-%d", arr.Offset, last) + suffix, indexExpr: `"$PBS_ARRAY_INDEX"`}, diags
}
