package shell

import "strings"

// safe reports whether c may appear unquoted in a bash word without any
// expansion, splitting or globbing touching it.
func safe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '_', '@', '%', '+', '=', ':', ',', '.', '/', '-':
		return true
	}
	return false
}

// NeedsQuoting reports whether s would not survive as one literal bash word
// without quotes.
func NeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !safe(s[i]) {
			return true
		}
	}
	return false
}

// Quote returns s as one bash word that expands to exactly s.
//
// Inside single quotes nothing is special except the closing quote itself,
// so an embedded ' is written as '\” (close, escaped quote, reopen).
func Quote(s string) string {
	if !NeedsQuoting(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b.WriteString(`'\''`)
			continue
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// Words quotes each element of words and joins them with single spaces, so
// bash sees exactly len(words) arguments. An empty list yields "".
func Words(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(w))
	}
	return b.String()
}
