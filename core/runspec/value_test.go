package runspec

import (
	"strings"
	"testing"
)

func TestCheckValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		wantErr   string // prefix; "" means valid
	}{
		{"absent", "", ""},
		{"blank", " \n", ""},
		{"object", `{"a": [1, 2]}` + "\n", ""},
		{"array", `[1, "two"]`, ""},
		{"number", "8\n", ""},
		{"quoted string", `"text"`, ""},
		{"plain text", "hello world\n", ""},
		{"text that merely contains braces", "size {big}\n", ""},
		{"truncated object", `{"a": 1`, "result file is not valid JSON: unexpected end of JSON input"},
		{"trailing comma", `[1, 2,]`, "result file is not valid JSON: invalid character ']'"},
		{"indented broken object", "  \n{oops}", "result file is not valid JSON: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckValue([]byte(tc.raw))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckValue(%q) = %v, want nil", tc.raw, err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("CheckValue(%q) = %v, want an error starting %q", tc.raw, err, tc.wantErr)
			}
		})
	}
}
