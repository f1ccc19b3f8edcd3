package slurmexec

import (
	"context"
	"errors"
	"strings"

	"github.com/reflow-hpc/reflow/sdk"
)

// maxIDListBytes bounds one comma-separated id list. Linux caps a single
// command-line argument at 128 KiB (MAX_ARG_STRLEN); a list longer than
// this is split over several calls. At 7-digit ids that is 12,000 jobs per
// call, so a dispatcher's round is one call in practice.
var maxIDListBytes = 100 << 10

// chunkIDs splits ids into comma-joined lists of at most maxIDListBytes.
func chunkIDs(ids []string) []string {
	var out []string
	var b strings.Builder
	for _, id := range ids {
		if b.Len() > 0 && b.Len()+1+len(id) > maxIDListBytes {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// chunkArgs splits ids into groups whose total length stays under
// maxIDListBytes, for commands that take ids as separate arguments
// (scancel).
func chunkArgs(ids []string) [][]string {
	var out [][]string
	var cur []string
	n := 0
	for _, id := range ids {
		if len(cur) > 0 && n+len(id)+1 > maxIDListBytes {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, id)
		n += len(id) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// clusterArgs are the arguments that point a command at cluster (none for
// the default cluster).
func clusterArgs(cluster string) []string {
	if cluster == "" {
		return nil
	}
	return []string{"--clusters=" + cluster}
}

// run runs one Slurm client with the configured timeout.
func (e *Executor) run(ctx context.Context, cfg config, path string, args []string, stdin []byte) (sdk.Result, error) {
	res, err := sdk.Run(ctx, sdk.Command{Path: path, Args: args, Stdin: stdin, Timeout: cfg.CommandTimeout})
	if err != nil {
		e.log().Debug("slurm command failed", "argv", append([]string{path}, args...), "error", err)
	}
	return res, err
}

// stderrOf is a failed command's own complaint, or the error itself.
func stderrOf(err error) string {
	var ce *sdk.CommandError
	if errors.As(err, &ce) && ce.Stderr != "" {
		return ce.Stderr
	}
	return err.Error()
}

// errAccountingDisabled is sacct's answer on a cluster without slurmdbd.
var errAccountingDisabled = errors.New("Slurm accounting storage is disabled")
