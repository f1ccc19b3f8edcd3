package runspec

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// WriteSpec writes s to path atomically.
func WriteSpec(path string, s *Spec) error {
	return writeJSON(path, s)
}

// ReadSpec reads a spec and checks that this build understands its version.
func ReadSpec(path string) (*Spec, error) {
	var s Spec
	if err := readJSON(path, &s); err != nil {
		return nil, err
	}
	if s.Version != Version {
		return nil, fmt.Errorf("spec %s has format version %d; this reflow reads version %d (is the same reflow installed on every node?)", path, s.Version, Version)
	}
	return &s, nil
}

// WriteResult writes r to path atomically.
func WriteResult(path string, r *Result) error {
	return writeJSON(path, r)
}

// ReadResult reads a result file. A missing file is reported with an error
// satisfying errors.Is(err, fs.ErrNotExist): the attempt has not finished,
// or its worker died before it could write.
func ReadResult(path string) (*Result, error) {
	var r Result
	if err := readJSON(path, &r); err != nil {
		return nil, err
	}
	if r.Version != Version {
		return nil, fmt.Errorf("result %s has format version %d; this reflow reads version %d", path, r.Version, Version)
	}
	return &r, nil
}

// ValuePath is the file a command's $REFLOW_RESULT points at, derived from
// the attempt's result path: beside the worker's own result file in the
// state directory, and so outside the work dir, where an `outputs` glob
// such as "*" would otherwise record it as an output.
func ValuePath(resultPath string) string {
	return strings.TrimSuffix(resultPath, ".json") + ".value"
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFileAtomic(path, data, 0o644)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}
