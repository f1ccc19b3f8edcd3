package pbssyntax

import (
	"strings"
	"testing"
)

// TestQstatChecklist covers rule 9's command-line part: -F needs -f and
// does not mix with the alternative format; ids must be well formed.
func TestQstatChecklist(t *testing.T) {
	tests := []struct {
		name string
		site Site
		args []string
		want string
		code int
	}{
		{"json", DefaultSite(), []string{"-x", "-f", "-F", "json", "-t", "-E", "1.pbs01", "2[].pbs01"}, "", 0},
		{"-F without -f", DefaultSite(), []string{"-F", "json", "1"}, "qstat: conflicting options.", 2},
		{"-F with -a", DefaultSite(), []string{"-f", "-F", "json", "-a"}, "qstat: conflicting options.", 2},
		{"-F with -u", DefaultSite(), []string{"-f", "-F", "json", "-u", "alice"}, "qstat: conflicting options.", 2},
		{"-F xml", DefaultSite(), []string{"-f", "-F", "xml"}, "usage:", 2},
		{"-D without dsv", DefaultSite(), []string{"-f", "-F", "json", "-D", ","}, "qstat: conflicting options.", 2},
		{"dsv with -D", DefaultSite(), []string{"-f", "-F", "dsv", "-D", ","}, "", 0},
		{"unknown option", DefaultSite(), []string{"-k"}, "invalid option -- 'k'", 2},
		{"malformed id", DefaultSite(), []string{"12x"}, "qstat: illegally formed job identifier: 12x", 1},
		{"a destination", DefaultSite(), []string{"workq", "@pbs01"}, "", 0},
		{"torque has no -F", Site{Dialect: Torque}, []string{"-f", "-F", "json"}, "invalid option -- 'F'", 2},
		{"torque has no -E", Site{Dialect: Torque}, []string{"-f", "-E"}, "invalid option -- 'E'", 2},
		{"torque -f -t", Site{Dialect: Torque}, []string{"-f", "-t", "12[].srv"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQstat(tt.args, tt.site)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted; want %q", tt.want)
			case tt.want != "" && (err.Code != tt.code || !strings.Contains(err.Text, tt.want)):
				t.Errorf("got exit %d %q, want exit %d %q", err.Code, err.Text, tt.code, tt.want)
			}
		})
	}
}

func TestQdelChecklist(t *testing.T) {
	tests := []struct {
		name string
		site Site
		args []string
		want string
		code int
	}{
		{"many ids", DefaultSite(), []string{"1.pbs01", "2[].pbs01", "3[4].pbs01", "5[1-3].pbs01"}, "", 0},
		{"force", DefaultSite(), []string{"-W", "force", "-x", "1"}, "", 0},
		{"bad -W", DefaultSite(), []string{"-W", "gently", "1"}, "qdel: illegal -W value", 2},
		{"no ids", DefaultSite(), nil, "usage: qdel", 2},
		{"malformed id", DefaultSite(), []string{"x12"}, "qdel: illegally formed job identifier: x12", 1},
		{"torque purge", Site{Dialect: Torque}, []string{"-p", "1"}, "", 0},
		{"torque has no -x", Site{Dialect: Torque}, []string{"-x", "1"}, "invalid option -- 'x'", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQdel(tt.args, tt.site)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted; want %q", tt.want)
			case tt.want != "" && (err.Code != tt.code || !strings.Contains(err.Text, tt.want)):
				t.Errorf("got exit %d %q, want exit %d %q", err.Code, err.Text, tt.code, tt.want)
			}
		})
	}
}
