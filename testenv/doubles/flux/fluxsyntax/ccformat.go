package fluxsyntax

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatCC substitutes {cc} in one argument of a --cc/--bcc submission the
// way flux submit does: mustache templates ({{id}} and friends, expanded
// later by the job shell) are kept as they are, {cc} becomes id, and any
// other replacement field is an error. A lone brace is an error too.
func FormatCC(s string, id int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			end := strings.Index(s[i+2:], "}}")
			if end < 0 {
				return "", fmt.Errorf("Single '{' encountered in format string")
			}
			b.WriteString(s[i : i+2+end+2])
			i += 2 + end + 1
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("Single '{' encountered in format string")
			}
			field := s[i+1 : i+end]
			switch {
			case field == "cc":
				b.WriteString(strconv.Itoa(id))
			case field == "" || strings.IndexFunc(field, func(r rune) bool { return r < '0' || r > '9' }) < 0:
				return "", fmt.Errorf("Invalid replacement index")
			default:
				return "", fmt.Errorf("Replacement key '%s' not found", field)
			}
			i += end
		case s[i] == '}':
			return "", fmt.Errorf("Single '}' encountered in format string")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
