package worker

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/reflow-hpc/reflow/core/runspec"
)

// readValue returns what the command wrote to $REFLOW_RESULT: nil when it
// wrote nothing, a taskError when the content breaks the rules.
func readValue(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open result file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat result file: %w", err)
	}
	if fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit)
	}
	// Read at most one byte past the limit: a background process may
	// still be appending, and the worker must never hold a huge file.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read result file: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(int64(len(data)), limit)
	}
	if err := runspec.CheckValue(data); err != nil {
		return nil, &taskError{reason: err.Error()}
	}
	return data, nil
}

func tooLarge(n, limit int64) error {
	return failf("result file is %d bytes, larger than the %d-byte limit; write bulk data to an output file", n, limit)
}
