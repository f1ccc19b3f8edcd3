package executortest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// exampleDir is the third-party plugin example, a separate module that the
// root module's `go test ./...` does not descend into.
const exampleDir = "../examples/shellexec"

// TestExampleModule runs the example plugin's own tests, which run this
// suite against it over real go-plugin gRPC. It proves two things at once:
// a plugin outside this module builds from sdk and pluginapi alone, and the
// suite passes a small, correct plugin.
func TestExampleModule(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; cannot test the example module")
	}
	// go test caches this test's result keyed on the files it reads, so
	// read the sources the nested run depends on: a change to the example,
	// the sdk or pluginapi must run it again rather than replay a pass.
	for _, dir := range []string{exampleDir, "..", "../../pluginapi"} {
		touchSources(t, dir, dir == exampleDir)
	}
	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Dir = exampleDir
	// The example must stand on its own module files: no workspace.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test ./... in %s: %v\n%s", exampleDir, err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

func touchSources(t *testing.T, dir string, recursive bool) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && !recursive {
			return fs.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
