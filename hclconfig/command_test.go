package hclconfig

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileValues would each run code, split, glob or expand if a command
// interpolated them unquoted.
var hostileValues = map[string]string{
	"command substitution": "$(touch pwned)",
	"backticks":            "`touch pwned`",
	"semicolon":            "x; touch pwned",
	"and":                  "x && touch pwned",
	"newline":              "x\ntouch pwned",
	"single quotes":        "it's 'quoted'",
	"double quotes":        `say "hi" "`,
	"both quotes":          `'"'"'`,
	"glob":                 "*",
	"leading dash":         "-n",
	"unicode":              "grüße ✓",
	"empty":                "",
	"variable":             "$HOME",
	"redirect":             "> pwned",
}

// TestHostileParamsThroughBash renders a command holding a param in several
// positions and runs it with a real bash: every interpolation must arrive
// as exactly one argument equal to the value, and nothing else may run.
func TestHostileParamsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	src := `
workflow "w" {}

param "v" {
  type = string
}

param "vs" {
  type = list(string)
}

job "a" {
  command = <<-EOT
    printf '%s\0' ${param.v} pre${param.v}post ${args(param.vs)}
    %{ for x in param.vs }printf '%s\0' ${x}
    %{ endfor }%{ if param.v != "zz" }printf '%s\0' ${param.v}%{ endif }
  EOT
}
`
	w := mustLoad(t, memFS{"main.hcl": src})
	for name, v := range hostileValues {
		t.Run(name, func(t *testing.T) {
			b := mustBind(t, w, ParamInput{Flags: map[string]string{"v": v}, Vars: []string{`vs=["` + jsonEscape(v) + `", "plain"]`}})
			e, diags := b.Snapshot(nil).Expand("a")
			if diags.HasErrors() || !e.Instances[0].Known {
				t.Fatalf("expand: %v", diags)
			}
			dir := t.TempDir()
			cmd := exec.Command(bash, "-eo", "pipefail", "-c", e.Instances[0].Command)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash failed: %v\n%s", err, e.Instances[0].Command)
			}
			want := []string{v, "pre" + v + "post", v, "plain", v, "plain", v}
			got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("bash saw (-want +got):\n%s\ncommand:\n%s", diff, e.Instances[0].Command)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("the command created %s: a value was executed", entries[0].Name())
			}
		})
	}
}

func jsonEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${", "%{", "%%{")
	return r.Replace(s)
}

func TestRenderCommand(t *testing.T) {
	tests := []struct {
		name, command string
		want          string
	}{
		{"literal text stays", `"echo 'as written' | tr a b"`, "echo 'as written' | tr a b"},
		{"safe value unquoted", `"echo ${param.safe}"`, "echo a/b.c-d_e"},
		{"unsafe value quoted", `"echo ${param.spaced}"`, "echo 'a b'"},
		{"number", `"echo ${param.n * 2}"`, "echo 84"},
		{"bool", `"echo ${param.n > 1}"`, "echo true"},
		{"raw opts out", `"echo ${raw(param.spaced)}"`, "echo a b"},
		{"args quotes each word", `"ls ${args(["a b", "c", ""])}"`, "ls 'a b' c ''"},
		{"args of nothing", `"ls ${args([])}"`, "ls "},
		{"whole-string interpolation is one word", `"${param.spaced}"`, "'a b'"},
		{"conditional interpolation is quoted", `"echo ${param.n > 1 ? "x y" : "z"}"`, "echo 'x y'"},
		{"if directive keeps literal text", `"echo %{ if param.n > 1 }big number%{ else }small%{ endif }"`, "echo big number"},
		{"for directive quotes each value", `"%{ for s in ["a b", "c"] }[${s}]%{ endfor }"`, "['a b'][c]"},
		{"heredoc", "<<-EOT\n    cat ${param.spaced} \\\n      > out\n  EOT", "cat 'a b' \\\n  > out\n"},
		{"constant function result is the script", `file("run.sh")`, "echo from file\n"},
		{"raw at top level", `raw(param.spaced)`, "a b"},
		{"jsonencode is one word", `"echo ${jsonencode({a = 1})}"`, `echo '{"a":1}'`},
		{"format then quoted", `"echo ${format("%05d", param.n)}"`, "echo 00042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `
workflow "w" {}
param "safe" {
  default = "a/b.c-d_e"
}
param "spaced" {
  default = "a b"
}
param "n" {
  type    = number
  default = 42
}
job "j" {
  command = ` + tt.command + `
}
`
			w := mustLoad(t, memFS{"main.hcl": src, "run.sh": "echo from file\n"})
			e, diags := mustBind(t, w, ParamInput{}).Snapshot(nil).Expand("j")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.want, e.Instances[0].Command); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
