package lsfsyntax

// The lexer of -w dependency expressions.

import "strings"

type tokKind int

const (
	tWord tokKind = iota
	tString
	tOp // ( ) , && || ! * and comparisons
)

type token struct {
	kind tokKind
	text string
}

func lexDepend(s string) ([]token, bool) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, false
			}
			out = append(out, token{tString, s[i+1 : i+1+end]})
			i += end + 2
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"),
			strings.HasPrefix(s[i:], ">="), strings.HasPrefix(s[i:], "<="),
			strings.HasPrefix(s[i:], "=="), strings.HasPrefix(s[i:], "!="):
			out = append(out, token{tOp, s[i : i+2]})
			i += 2
		case strings.ContainsRune("()!,<>*", rune(c)):
			out = append(out, token{tOp, string(c)})
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == '*' || s[j] == '[') {
				if s[j] == '[' {
					end := strings.IndexByte(s[j:], ']')
					if end < 0 {
						return nil, false
					}
					j += end
				}
				j++
			}
			out = append(out, token{tWord, s[i:j]})
			i = j
		default:
			return nil, false
		}
	}
	return out, true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}
