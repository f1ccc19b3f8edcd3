package hclconfig

import (
	"bytes"
	"encoding/json"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// State is what the engine knows of a run when it asks for instances.
type State struct {
	RunID  string
	RunDir string
	// Tasks maps a job's full name to what is known of its instances. A job
	// that is absent has no finished instance yet; if it is an array whose
	// size depends on upstream values, its size is worked out again from
	// those values.
	Tasks map[string]*TaskState
}

// TaskState is what the engine knows of one job.
type TaskState struct {
	// Instances has one entry per instance: one for a singleton, the array
	// size for an array. An entry is nil until that instance has succeeded.
	Instances []*Values
}

// Values are what a finished instance produced.
type Values struct {
	// Outputs are the absolute paths of its outputs, sorted.
	Outputs []string
	// Result is the content of its $REFLOW_RESULT file; nil when the
	// command did not write one.
	Result []byte
}

// ResultValue turns a result file's content into job.X.result: JSON
// becomes the value it encodes, other text a string (without its trailing
// newline), an absent or blank file null.
func ResultValue(raw []byte) cty.Value {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if json.Valid(trimmed) {
		if ty, err := ctyjson.ImpliedType(trimmed); err == nil {
			if v, err := ctyjson.Unmarshal(trimmed, ty); err == nil {
				return v
			}
		}
	}
	s := string(raw)
	s = s[:len(s)-len(trailingNewline(s))]
	return cty.StringVal(s)
}

func trailingNewline(s string) string {
	switch {
	case len(s) >= 2 && s[len(s)-2:] == "\r\n":
		return "\r\n"
	case len(s) >= 1 && s[len(s)-1] == '\n':
		return "\n"
	}
	return ""
}

// instanceValue returns job.X for one finished instance.
func instanceValue(v *Values) (outputs, result cty.Value) {
	if len(v.Outputs) == 0 {
		outputs = cty.ListValEmpty(cty.String)
	} else {
		paths := make([]cty.Value, len(v.Outputs))
		for i, p := range v.Outputs {
			paths[i] = cty.StringVal(p)
		}
		outputs = cty.ListVal(paths)
	}
	return outputs, ResultValue(v.Result)
}
