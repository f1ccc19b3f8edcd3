package cache

import (
	"slices"
	"strings"
)

// Reasons an instance runs that Diff does not compute: ReasonNew when
// nothing was recorded for it, ReasonForced when --force or --force-task
// selects it (the caller knows that, Diff cannot).
const (
	ReasonNew    = "new"
	ReasonForced = "forced"
)

// Diff says why cur differs from old, the parts recorded for the
// instance's last successful run: ["new"] when old IsZero, nil when they
// are the same. Reasons come in the order of Parts.List; inputs and
// upstreams get one reason each so plan can name them:
//
//	command changed
//	env changed: A, B
//	version changed
//	outputs changed
//	input /data/x changed | added | removed
//	upstream split[3] changed | added | removed
//	instance changed (only when comparing different instances)
func Diff(old, cur Parts) []string {
	if old.IsZero() {
		return []string{ReasonNew}
	}
	var reasons []string
	if old.Task != cur.Task || old.Index != cur.Index {
		reasons = append(reasons, "instance changed")
	}
	if old.Command != cur.Command {
		reasons = append(reasons, "command changed")
	}
	if names := changedKeys(old.Env, cur.Env); len(names) > 0 {
		reasons = append(reasons, "env changed: "+strings.Join(names, ", "))
	}
	if old.Version != cur.Version {
		reasons = append(reasons, "version changed")
	}
	if !slices.Equal(sortedSet(old.Outputs), sortedSet(cur.Outputs)) {
		reasons = append(reasons, "outputs changed")
	}
	for _, path := range changedKeys(old.Inputs, cur.Inputs) {
		reasons = append(reasons, "input "+path+" "+change(old.Inputs, cur.Inputs, path))
	}
	reasons = append(reasons, upstreamChanges(old.Upstream, cur.Upstream)...)
	return reasons
}

// changedKeys are the keys whose value differs, or that only one map has.
func changedKeys(old, cur map[string]string) []string {
	var keys []string
	for k, v := range cur {
		if ov, ok := old[k]; !ok || ov != v {
			keys = append(keys, k)
		}
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func change(old, cur map[string]string, k string) string {
	_, inOld := old[k]
	_, inCur := cur[k]
	switch {
	case !inOld:
		return "added"
	case !inCur:
		return "removed"
	}
	return "changed"
}

func upstreamChanges(old, cur []Upstream) []string {
	if slices.Equal(old, cur) {
		return nil
	}
	oldIDs := make(map[string]string, len(old))
	for _, u := range old {
		oldIDs[u.Name()] = u.Identity
	}
	curIDs := make(map[string]string, len(cur))
	for _, u := range cur {
		curIDs[u.Name()] = u.Identity
	}
	var reasons []string
	for _, name := range changedKeys(oldIDs, curIDs) {
		reasons = append(reasons, "upstream "+name+" "+change(oldIDs, curIDs, name))
	}
	if reasons == nil {
		// Same upstreams with the same identities, in another order.
		reasons = append(reasons, "upstream order changed")
	}
	return reasons
}
