package hclconfig

import (
	"fmt"
	"sort"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

func errorAt(rng hcl.Range, summary, detail string, args ...any) *hcl.Diagnostic {
	r := rng
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  &r,
	}
}

// suggest returns the candidate closest to name when it is close enough to
// be a likely typo, else "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		// Up to a third of the name's length, at least 1 and at most 3 edits.
		limit := len(name) / 3
		if limit < 1 {
			limit = 1
		}
		if len(name) >= 4 && limit < 2 {
			// Swapped letters (lable/label) cost two edits.
			limit = 2
		}
		if limit > 3 {
			limit = 3
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean formats suggest's answer as a sentence to append to a detail.
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

// sortDiags orders diagnostics by file and position so output is stable
// whatever order the checks ran in. Diagnostics without a subject go last.
func sortDiags(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Byte != b.Start.Byte:
			return a.Start.Byte < b.Start.Byte
		}
		return diags[i].Summary < diags[j].Summary
	})
}

// dedupe drops diagnostics repeated at the same place with the same
// summary: a flow used twice would otherwise report each problem twice.
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		file            string
		start, end      int
		summary, detail string
	}
	seen := map[key]bool{}
	out := diags[:0]
	for _, d := range diags {
		k := key{summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.file, k.start, k.end = d.Subject.Filename, d.Subject.Start.Byte, d.Subject.End.Byte
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// at formats a range's start as file:line:col, the way diagnostics do.
func at(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
