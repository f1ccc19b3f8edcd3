package runspec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// CheckValue applies the rule for $REFLOW_RESULT content, which the worker
// enforces and the dispatcher can rely on:
//
//   - empty or blank: no value (null);
//   - valid JSON (surrounding whitespace ignored): that JSON value, so
//     `wc -l < f > $REFLOW_RESULT` yields the number 8;
//   - text whose first non-blank character is '{' or '[' but that does not
//     parse: an error. Such a file was meant as JSON and is broken
//     (truncated, a stray comma); turning it into a string would hand
//     garbage to downstream tasks;
//   - any other text: a string (without its trailing newline).
func CheckValue(raw []byte) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return nil
	}
	if json.Valid(trimmed) {
		return nil
	}
	// Valid is cheap but silent; decode again only to name the problem.
	var v any
	err := json.Unmarshal(trimmed, &v)
	return fmt.Errorf("result file is not valid JSON: %v", err)
}
