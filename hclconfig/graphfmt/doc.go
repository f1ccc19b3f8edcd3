// Package graphfmt draws a workflow's job graph for `reflow graph`: as
// plain text, Graphviz DOT or Mermaid. Flows are drawn as groups (nested
// where flows nest), arrays carry their size or "dynamic", and every edge
// is labelled with its kind (fan-out, element-wise, gather, broadcast,
// after, data).
package graphfmt
