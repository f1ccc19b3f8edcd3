package lsfsyntax

import (
	"errors"
	"strings"
)

// splitWords splits the text of a #BSUB line into words the way bsub does:
// at blanks, with '…' and "…" quoting (the quotes are removed, nothing
// inside is special) and a word that starts with an unquoted '#' ending the
// directive.
func splitWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '#' && !in:
			return words, nil
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, errors.New("Unmatched quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
