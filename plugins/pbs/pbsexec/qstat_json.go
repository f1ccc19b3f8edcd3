package pbsexec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// parseQstatJSON reads `qstat -f -F json` output into records. It is
// lenient, because qstat's JSON is not always JSON: values that look like
// numbers are printed bare, so an environment value "005" comes out as
// 005 (OpenPBS #1255), and strings are not always escaped. Such output is
// repaired before decoding. Output without a "Jobs" key means no job
// matched.
func parseQstatJSON(out []byte) ([]record, error) {
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	var doc struct {
		Jobs map[string]map[string]json.RawMessage `json:"Jobs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		if err2 := json.Unmarshal(repairJSON(out), &doc); err2 != nil {
			return nil, fmt.Errorf("qstat printed JSON that cannot be read even after repair: %v", err)
		}
	}
	keys := make([]string, 0, len(doc.Jobs))
	for k := range doc.Jobs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var recs []record
	for _, k := range keys {
		var r record
		if !r.parseKey(k) {
			continue
		}
		for name, raw := range doc.Jobs[k] {
			if name == "Variable_List" {
				continue
			}
			var sub map[string]json.RawMessage
			if json.Unmarshal(raw, &sub) == nil && sub != nil {
				for sn, sv := range sub {
					r.set(name+"."+sn, rawText(sv))
				}
				continue
			}
			r.set(name, rawText(raw))
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// rawText is a JSON value as text: a string's content, or a number, bool
// or other value as written.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// repairJSON quotes bare values that are not valid JSON numbers (005, 1.2.3,
// 2024-01-01) and escapes what must be escaped inside strings (control
// characters, stray backslashes), leaving valid JSON as it was.
func repairJSON(in []byte) []byte {
	var b bytes.Buffer
	inStr := false
	for i := 0; i < len(in); i++ {
		c := in[i]
		if inStr {
			switch {
			case c == '\\' && i+1 < len(in) && strings.IndexByte(`"\/bfnrtu`, in[i+1]) >= 0:
				b.WriteByte(c)
				b.WriteByte(in[i+1])
				i++
			case c == '\\':
				b.WriteString(`\\`)
			case c == '"':
				inStr = false
				b.WriteByte(c)
			case c < 0x20:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
			continue
		}
		switch {
		case c == '"':
			inStr = true
			b.WriteByte(c)
		case c == '-' || c >= '0' && c <= '9':
			j := i
			for j < len(in) && strings.IndexByte(",}] \t\r\n", in[j]) < 0 {
				j++
			}
			tok := in[i:j]
			if json.Valid(tok) {
				b.Write(tok)
			} else {
				q, _ := json.Marshal(string(tok))
				b.Write(q)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.Bytes()
}
