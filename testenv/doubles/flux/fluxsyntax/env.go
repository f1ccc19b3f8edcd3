package fluxsyntax

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// BuildEnvironment applies a job's environment rules to the submitting
// environment, as flux submit does: everything is exported unless removed;
// "-PATTERN" removes variables matching a shell glob (or a /regex/);
// "^FILE" reads more rules from FILE; "VAR=VALUE" sets VAR with $VAR and
// ${VAR} expanded from the environment being built, then the submitter's;
// "PATTERN" alone exports matching variables from the submitter's
// environment that are not there already.
func BuildEnvironment(rules []string, submitter map[string]string) (map[string]string, error) {
	env := make(map[string]string, len(submitter))
	for k, v := range submitter {
		env[k] = v
	}
	return env, applyEnvRules(rules, env, submitter)
}

func applyEnvRules(rules []string, env, submitter map[string]string) error {
	for _, rule := range rules {
		switch {
		case strings.HasPrefix(rule, "-"):
			match, err := envMatcher(rule[1:])
			if err != nil {
				return err
			}
			for k := range env {
				if match(k) {
					delete(env, k)
				}
			}
		case strings.HasPrefix(rule, "^"):
			data, err := os.ReadFile(rule[1:])
			if err != nil {
				return fmt.Errorf("[Errno 2] No such file or directory: '%s'", rule[1:])
			}
			var more []string
			for l := range strings.SplitSeq(string(data), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					more = append(more, l)
				}
			}
			if err := applyEnvRules(more, env, submitter); err != nil {
				return err
			}
		default:
			name, value, hasValue := strings.Cut(rule, "=")
			if !hasValue {
				match, err := envMatcher(name)
				if err != nil {
					return err
				}
				for k, v := range submitter {
					if _, ok := env[k]; !ok && match(k) {
						env[k] = v
					}
				}
				continue
			}
			var missing string
			expanded := os.Expand(value, func(k string) string {
				if v, ok := env[k]; ok {
					return v
				}
				if v, ok := submitter[k]; ok {
					return v
				}
				if missing == "" {
					missing = k
				}
				return ""
			})
			if missing != "" {
				return fmt.Errorf("--env: Variable '%s' not found in %s", missing, rule)
			}
			env[name] = expanded
		}
	}
	return nil
}

// envMatcher matches variable names against a shell glob, or a regular
// expression written between slashes.
func envMatcher(pattern string) (func(string) bool, error) {
	if strings.HasPrefix(pattern, "/") {
		re, err := regexp.Compile("^(?:" + strings.TrimSuffix(pattern[1:], "/") + ")")
		if err != nil {
			return nil, fmt.Errorf("--env: invalid regular expression %s: %v", pattern, err)
		}
		return re.MatchString, nil
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("--env: invalid pattern %s", pattern)
	}
	return func(k string) bool { ok, _ := filepath.Match(pattern, k); return ok }, nil
}
