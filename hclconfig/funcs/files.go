package funcs

import (
	"path"
	"path/filepath"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// ReadFileFunc reads a file; tests and the fuzzer pass one that never touches
// the disk.
type ReadFileFunc func(name string) ([]byte, error)

// maxFileSize bounds file() so a mistaken path to a data file fails clearly
// instead of pulling gigabytes into the workflow's values.
const maxFileSize = 4 << 20

// MakeFileFunc returns file(path): the content of a UTF-8 text file, with a
// relative path taken from baseDir (the directory of the workflow file that
// calls it, so a flow reads its own neighbours).
func MakeFileFunc(baseDir string, read ReadFileFunc) function.Function {
	return function.New(&function.Spec{
		Description: "Reads a text file, relative to the workflow file.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				p = filepath.Join(baseDir, p)
			}
			b, err := read(p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			if len(b) > maxFileSize {
				return cty.NilVal, function.NewArgErrorf(0, "%s is larger than %d bytes", p, maxFileSize)
			}
			if !utf8.Valid(b) {
				return cty.NilVal, function.NewArgErrorf(0, "%s is not UTF-8 text", p)
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

// BasenameFunc is the last element of a path, like basename(1).
var BasenameFunc = function.New(&function.Spec{
	Description: "The last element of a path.",
	Params:      []function.Parameter{{Name: "path", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(path.Base(args[0].AsString())), nil
	},
})

// DirnameFunc is a path without its last element, like dirname(1).
var DirnameFunc = function.New(&function.Spec{
	Description: "A path without its last element.",
	Params:      []function.Parameter{{Name: "path", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(path.Dir(args[0].AsString())), nil
	},
})
