package fluxsyntax

import (
	"fmt"
	"strings"
)

// Item is one option as given: its long name and its value ("" for a
// flag).
type Item struct {
	Name  string
	Value string
}

// parsed is an argparse result: options in order, then the positional
// words (for the submission commands, the command and everything after it).
type parsed struct {
	items       []Item
	positionals []string
}

func (p *parsed) last(name string) (string, bool) {
	for i := len(p.items) - 1; i >= 0; i-- {
		if p.items[i].Name == name {
			return p.items[i].Value, true
		}
	}
	return "", false
}

func (p *parsed) all(name string) []string {
	var out []string
	for _, it := range p.items {
		if it.Name == name {
			out = append(out, it.Value)
		}
	}
	return out
}

func (p *parsed) has(name string) bool {
	_, ok := p.last(name)
	return ok
}

// looksLikeOption is argparse's test for a word that cannot be an option's
// value: it starts with "-" and is not a negative number.
func looksLikeOption(a string) bool {
	if !strings.HasPrefix(a, "-") || a == "-" {
		return false
	}
	rest := a[1:]
	isNum := rest != "" && strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }) < 0
	return !isNum
}

// parse splits args as Flux's argparse parsers do. With remainder set, the
// first positional word and everything after it are positional (the
// job's command); otherwise options and positionals may mix. Unknown
// options are collected and reported together, as argparse does.
func (s optionSet) parse(args []string, remainder bool) (*parsed, *Rejection) {
	p := &parsed{}
	var unknown []string
	usage := func(format string, a ...any) *Rejection {
		return Usage(s.prog, s.usage, fmt.Sprintf(format, a...))
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			p.positionals = append(p.positionals, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name, val, hasVal := strings.Cut(a[2:], "=")
			o, cands, ok := s.findLong(name)
			if !ok {
				if len(cands) > 1 {
					return nil, usage("ambiguous option: --%s could match %s", name, strings.Join(cands, ", "))
				}
				unknown = append(unknown, a)
				continue
			}
			switch o.arity {
			case flag:
				if hasVal {
					return nil, usage("argument %s: ignored explicit argument '%s'", s.display(o), val)
				}
			case one:
				if !hasVal {
					if i+1 >= len(args) || looksLikeOption(args[i+1]) {
						return nil, usage("argument %s: expected one argument", s.display(o))
					}
					i++
					val = args[i]
				}
			case optional:
				if !hasVal && i+1 < len(args) && !looksLikeOption(args[i+1]) && !remainder {
					i++
					val = args[i]
				}
			}
			p.items = append(p.items, Item{o.long, val})
		case looksLikeOption(a):
			// A cluster of short options: flags first, then at most one
			// option that takes the rest of the word (or the next word) as
			// its value: "-xN2", "-n4", "-n 4".
			for j := 1; j < len(a); j++ {
				o, ok := s.findShort(a[j])
				if !ok {
					unknown = append(unknown, a)
					break
				}
				if o.arity == flag {
					p.items = append(p.items, Item{o.long, ""})
					continue
				}
				val := a[j+1:]
				if val == "" && o.arity == one {
					if i+1 >= len(args) || looksLikeOption(args[i+1]) {
						return nil, usage("argument %s: expected one argument", s.display(o))
					}
					i++
					val = args[i]
				}
				p.items = append(p.items, Item{o.long, val})
				break
			}
		default:
			if remainder {
				p.positionals = append(p.positionals, args[i:]...)
				i = len(args)
			} else {
				p.positionals = append(p.positionals, a)
			}
		}
	}
	if len(unknown) > 0 {
		return nil, usage("unrecognized arguments: %s", strings.Join(unknown, " "))
	}
	return p, nil
}

// display names an option as argparse does in its messages: "-n/--ntasks".
func (s optionSet) display(o option) string {
	if o.short != 0 {
		return "-" + string(o.short) + "/--" + o.long
	}
	return "--" + o.long
}
