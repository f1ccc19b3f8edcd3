package pbsexec

import (
	"bufio"
	"bytes"
	"strings"
)

// parseQstatFull reads `qstat -f` text (Torque, or OpenPBS without JSON):
// "Job Id: ID" blocks of "    name = value" lines, where a long value
// goes on over lines that start with a tab.
func parseQstatFull(out []byte) []record {
	var recs []record
	var cur *record
	var name, val string
	flush := func() {
		if cur != nil && name != "" {
			cur.set(name, val)
		}
		name, val = "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "Job Id:"):
			flush()
			if cur != nil {
				recs = append(recs, *cur)
			}
			cur = &record{}
			if !cur.parseKey(strings.TrimSpace(strings.TrimPrefix(line, "Job Id:"))) {
				cur = nil
			}
		case cur == nil:
		case strings.HasPrefix(line, "\t"):
			val += strings.TrimPrefix(line, "\t")
		case strings.TrimSpace(line) == "":
			flush()
		default:
			flush()
			// Keep trailing blanks: a wrapped value may break after one.
			n, v, ok := strings.Cut(strings.TrimLeft(line, " "), " = ")
			if ok {
				name, val = n, v
			}
		}
	}
	flush()
	if cur != nil {
		recs = append(recs, *cur)
	}
	return recs
}
