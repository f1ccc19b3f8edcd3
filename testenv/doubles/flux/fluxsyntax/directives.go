package fluxsyntax

import (
	"fmt"
	"regexp"
	"strings"
)

// directiveRE finds a submission directive (RFC 36): a prefix of
// non-word characters, then the tag "flux:" or "FLUX:".
var directiveRE = regexp.MustCompile(`^([^\w]*)((?:flux|FLUX):)(.*)$`)

// Directive is one directive line of a batch script, split into words.
type Directive struct {
	Line int
	Args []string
}

// ParseDirectives finds the directives of a batch script, following the
// rules flux batch applies:
//
//   - every directive uses the same sentinel (prefix and tag);
//   - directives form one block: after the first directive, the first
//     non-blank line that does not start with the prefix (trailing space
//     removed) ends it, and a directive after that is an "orphan";
//   - each directive is split like a POSIX shell line ("#" starts a
//     comment) and must start with an option (or be empty).
//
// Multi-line triple-quoted directives are not emulated: a directive that
// contains `"""` or `”'` is rejected.
func ParseDirectives(script string) ([]Directive, error) {
	var (
		out       []Directive
		sentinel  string
		prefix    string
		started   bool
		disabled  bool
		lastLine  int
		lineno    int
		remaining = script
	)
	for remaining != "" {
		var line string
		line, remaining, _ = strings.Cut(remaining, "\n")
		lineno++
		m := directiveRE.FindStringSubmatch(line)
		if m == nil {
			if started && !disabled && strings.TrimSpace(line) != "" &&
				!strings.HasPrefix(line, strings.TrimRight(prefix, " \t")) {
				disabled = true
				lastLine = lineno - 1
			}
			continue
		}
		started = true
		if disabled {
			return nil, fmt.Errorf("line %d: orphan '%s' detected: directives disabled after line %d", lineno, m[2], lastLine)
		}
		if s := m[1] + m[2]; sentinel == "" {
			sentinel, prefix = s, m[1]
		} else if s != sentinel {
			return nil, fmt.Errorf("line %d: sentinel changed from '%s' to '%s'", lineno, sentinel, s)
		}
		value := m[3]
		if strings.Contains(value, `"""`) || strings.Contains(value, `'''`) {
			return nil, fmt.Errorf("line %d: triple-quoted directives are not supported by the flux test double", lineno)
		}
		words, err := splitShell(value)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", lineno, value, err)
		}
		if len(words) == 0 {
			continue
		}
		if !strings.HasPrefix(words[0], "-") {
			return nil, fmt.Errorf("line %d: Unknown directive: %s", lineno, value)
		}
		out = append(out, Directive{Line: lineno, Args: words})
	}
	return out, nil
}

// splitShell splits a line into words as a POSIX shell would, without
// expansions: whitespace separates words, single quotes keep everything,
// double quotes keep everything but a backslash before " or \, a
// backslash outside quotes escapes the next character, and "#" at the
// start of a word comments out the rest of the line.
func splitShell(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			i = len(s)
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("No closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("No closing quotation")
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("No escaped character")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
