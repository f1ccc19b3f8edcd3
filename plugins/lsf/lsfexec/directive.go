package lsfexec

import (
	"fmt"
	"strings"
)

// safeWord reports whether s can stand in a #BSUB line or a shell command
// without quotes.
func safeWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("_@%+=:,./-", r))
	}) < 0
}

// bsubWord writes a value for a #BSUB line. bsub splits those lines at
// blanks and takes '…' and "…" as quotes with nothing special inside, so a
// value needs one kind of quote it does not contain. A newline cannot be
// written at all.
func bsubWord(v string) (string, error) {
	switch {
	case strings.ContainsAny(v, "\n\r\x00"):
		return "", fmt.Errorf("contains a line break")
	case safeWord(v):
		return v, nil
	case !strings.Contains(v, `"`):
		return `"` + v + `"`, nil
	case !strings.Contains(v, `'`):
		return `'` + v + `'`, nil
	}
	return "", fmt.Errorf("contains both kinds of quotes, which a #BSUB line cannot carry")
}

// shellWord quotes s for bash. A value with a line break or another
// control character is written in $'...' form with escapes, so that no raw
// line of it can start with "#BSUB" (bsub reads such lines as directives
// even inside quotes).
func shellWord(s string) string {
	if safeWord(s) {
		return s
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0 {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < ' ' || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
