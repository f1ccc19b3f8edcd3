package hclconfig

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// maxSnippetLines bounds how much of a long range (a whole job block) a
// diagnostic shows.
const maxSnippetLines = 3

// WriteDiagnostics prints diags the way every reflow command does: a
// file:line:col header (editors and terminals make it a link), the summary,
// the source lines with the problem marked by carets, then the detail.
// files supplies the sources (Workflow.Files); a diagnostic whose file is
// missing is printed without a snippet.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) error {
	bw := bufio.NewWriter(w)
	for _, d := range diags {
		writeDiagnostic(bw, files, d)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, files map[string]*hcl.File, d *hcl.Diagnostic) {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	if d.Subject == nil {
		fmt.Fprintf(w, "%s: %s\n", sev, d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(w, "  %s\n", indentLines(d.Detail))
		}
		w.WriteByte('\n')
		return
	}
	s := d.Subject
	fmt.Fprintf(w, "%s:%d:%d: %s: %s\n", s.Filename, s.Start.Line, s.Start.Column, sev, d.Summary)
	if f := files[s.Filename]; f != nil && f.Bytes != nil {
		writeSnippet(w, f.Bytes, *s)
	}
	if d.Detail != "" {
		fmt.Fprintf(w, "  %s\n", indentLines(d.Detail))
	}
	w.WriteByte('\n')
}

func indentLines(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// writeSnippet prints the lines rng covers (up to maxSnippetLines) with a
// caret line under the covered part of each.
func writeSnippet(w *bufio.Writer, src []byte, rng hcl.Range) {
	if rng.End.Byte <= rng.Start.Byte {
		rng.End.Byte = rng.Start.Byte + 1 // an empty range still gets one caret
	}
	sc := hcl.NewRangeScanner(src, rng.Filename, bufio.ScanLines)
	shown := 0
	for sc.Scan() {
		line := sc.Range()
		if line.End.Byte < rng.Start.Byte || line.Start.Byte >= rng.End.Byte {
			if line.Start.Byte >= rng.End.Byte {
				break
			}
			continue
		}
		if shown == maxSnippetLines {
			fmt.Fprintf(w, "%5s | ...\n", "")
			break
		}
		shown++
		text := sc.Bytes()
		from := max(rng.Start.Byte-line.Start.Byte, 0)
		to := min(rng.End.Byte-line.Start.Byte, len(text))
		if from > len(text) {
			from = len(text)
		}
		fmt.Fprintf(w, "%5d | %s\n", line.Start.Line, text)
		fmt.Fprintf(w, "%5s | %s%s\n", "", padLike(text[:from]), strings.Repeat("^", max(utf8.RuneCount(text[from:to]), 1)))
	}
}

// padLike returns blanks as wide as prefix, keeping its tabs so carets line
// up under a tab-indented source line.
func padLike(prefix []byte) string {
	var b bytes.Buffer
	for _, r := range string(prefix) {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
