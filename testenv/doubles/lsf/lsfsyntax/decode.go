package lsfsyntax

import (
	"regexp"
	"strconv"
	"strings"
)

// decode checks the values of the options in effect and fills the decoded
// fields of s.
func (s *Submission) decode(cfg Config) *Error {
	for _, name := range s.Order {
		o := s.Options[name]
		if known, takesValue := IsBsubOption(name); known && takesValue && strings.TrimSpace(o.Value) == "" {
			return notSubmitted(name, "Missing or empty value for option")
		}
	}
	if v, ok := s.Value("-J"); ok {
		name, arr, err := ParseJobName(v, cfg.maxArray())
		if err != nil {
			return err
		}
		s.JobName, s.Array = name, arr
	}
	if v, ok := s.Value("-n"); ok {
		lo, hi, err := parseSlots(v)
		if err != nil {
			return err
		}
		s.MinSlots, s.MaxSlots = lo, hi
	}
	if v, ok := s.Value("-M"); ok {
		kb, hard, err := ParseMemLimit(v, true, cfg.UnitForLimits)
		if err != nil {
			return notSubmitted(v, err.Error())
		}
		s.MemLimitKB, s.MemHard = kb, hard
	}
	if v, ok := s.Value("-W"); ok {
		m, err := ParseRunLimit(v)
		if err != nil {
			return err
		}
		s.RunLimitMinutes = m
	}
	if v, ok := s.Value("-R"); ok {
		kb, err := ParseResReq(v, cfg.UnitForLimits)
		if err != nil {
			return err
		}
		s.RusageMemKB = kb
	}
	if v, ok := s.Value("-q"); ok {
		s.Queues = strings.Fields(v)
		for _, q := range s.Queues {
			if !queueName.MatchString(q) {
				return notSubmitted(q, ReasonNoSuchQueue)
			}
		}
	}
	for _, opt := range []string{"-P", "-G"} {
		if v, ok := s.Value(opt); ok && strings.ContainsAny(v, " \t\n") {
			return notSubmitted(v, "Bad "+map[string]string{"-P": "project", "-G": "user group"}[opt]+" name")
		}
	}
	if v, ok := s.Value("-w"); ok {
		n, err := ParseDepend(v)
		if err != nil {
			return err
		}
		s.Depend, s.DependText = n, v
	}
	if v, ok := s.Value("-gpu"); ok {
		if err := checkGPU(v); err != nil {
			return err
		}
	}
	if v, ok := s.Value("-b"); ok {
		if _, err := ParseBeginTime(v); err != nil {
			return err
		}
	}
	if v, ok := s.Value("-env"); ok {
		if err := checkEnv(v); err != nil {
			return err
		}
	}
	for _, opt := range []string{"-o", "-e", "-oo", "-eo", "-cwd"} {
		if v, ok := s.Value(opt); ok && strings.ContainsAny(v, "\n\x00") {
			return notSubmitted(v, "Bad file name")
		}
	}
	if s.Has("-o") && s.Has("-oo") || s.Has("-e") && s.Has("-eo") {
		return notSubmitted("", "-o and -oo (or -e and -eo) cannot be used together")
	}
	s.Hold = s.Has("-H")
	return nil
}

var queueName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// slotsRe is -n: "N" or "min,max".
var slotsRe = regexp.MustCompile(`^([0-9]+)(,([0-9]+))?$`)

func parseSlots(v string) (int, int, *Error) {
	m := slotsRe.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, notSubmitted(v, "Bad argument for option -n")
	}
	lo, err1 := strconv.Atoi(m[1])
	hi := lo
	var err2 error
	if m[3] != "" {
		hi, err2 = strconv.Atoi(m[3])
	}
	if err1 != nil || err2 != nil || lo < 1 || hi < lo {
		return 0, 0, notSubmitted(v, "Bad argument for option -n")
	}
	return lo, hi, nil
}

// runLimitRe is -W: [hours:]minutes[/host_spec]; no seconds, no days.
var runLimitRe = regexp.MustCompile(`^([0-9]+)(:([0-9]+))?(/\S+)?$`)

// ParseRunLimit checks a -W value and returns it in minutes. In the h:m
// form the minutes may exceed 59, as LSF allows.
func ParseRunLimit(v string) (int64, *Error) {
	m := runLimitRe.FindStringSubmatch(v)
	if m == nil {
		return 0, notSubmitted(v, "Bad RUNLIMIT specification")
	}
	a, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, notSubmitted(v, "Bad RUNLIMIT specification")
	}
	if m[3] == "" {
		return a, nil
	}
	b, err := strconv.ParseInt(m[3], 10, 64)
	if err != nil || a > 1<<40 {
		return 0, notSubmitted(v, "Bad RUNLIMIT specification")
	}
	return a*60 + b, nil
}

// beginRe is -b: [[[year:]month:]day:]hour:minute.
var beginRe = regexp.MustCompile(`^[0-9]+(:[0-9]+){1,4}$`)

// ParseBeginTime checks a -b value and returns its fields (2 to 5).
func ParseBeginTime(v string) ([]int, *Error) {
	if !beginRe.MatchString(v) {
		return nil, notSubmitted(v, "Bad time specification")
	}
	var out []int
	for _, f := range strings.Split(v, ":") {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	hour, minute := out[len(out)-2], out[len(out)-1]
	if hour > 23 || minute > 59 {
		return nil, notSubmitted(v, "Bad time specification")
	}
	return out, nil
}

// gpuKeys are the keys of a -gpu requirement, with a check of their value.
var gpuKeys = map[string]*regexp.Regexp{
	"num":         regexp.MustCompile(`^[0-9]+(/(task|host))?$`),
	"mode":        regexp.MustCompile(`^(shared|exclusive_process)$`),
	"mps":         regexp.MustCompile(`^(yes|no|per_socket|per_gpu)(,(share|nocvd))*$`),
	"j_exclusive": regexp.MustCompile(`^(yes|no)$`),
	"aff":         regexp.MustCompile(`^(yes|no)$`),
	"block":       regexp.MustCompile(`^(yes|no)$`),
	"gpack":       regexp.MustCompile(`^(yes|no)$`),
	"gvendor":     regexp.MustCompile(`^(amd|nvidia)$`),
	"gmodel":      regexp.MustCompile(`^\S+$`),
	"gmem":        regexp.MustCompile(`^[0-9]+[A-Za-z]*$`),
	"gtile":       regexp.MustCompile(`^([0-9]+|!)$`),
	"nvlink":      regexp.MustCompile(`^yes$`),
	"glink":       regexp.MustCompile(`^(yes|no)$`),
	"mig":         regexp.MustCompile(`^[0-9]+(/[0-9]+)?$`),
}

// checkGPU checks a -gpu value: "-" (the defaults) or key=value items
// separated by colons, num a positive count.
func checkGPU(v string) *Error {
	if v == "-" {
		return nil
	}
	for _, item := range strings.Split(v, ":") {
		k, val, ok := strings.Cut(item, "=")
		re := gpuKeys[k]
		if !ok || re == nil || !re.MatchString(val) {
			return notSubmitted(v, "Bad GPU requirement syntax")
		}
		if k == "num" {
			n, _ := strconv.Atoi(strings.SplitN(val, "/", 2)[0])
			if n < 1 {
				return notSubmitted(v, "Bad GPU requirement syntax")
			}
		}
	}
	return nil
}

// envItem is one item of -env: NAME, ~NAME or NAME=value (a value with a
// comma must be single-quoted).
var envItem = regexp.MustCompile(`^~?[A-Za-z_][A-Za-z0-9_]*(=('[^']*'|[^,']*))?$`)

// checkEnv checks a -env value: "all", "none", or a list that may start
// with "all".
func checkEnv(v string) *Error {
	t := strings.TrimSpace(v)
	if t == "none" || t == "all" {
		return nil
	}
	for i, item := range SplitEnvList(t) {
		item = strings.TrimSpace(item)
		if i == 0 && item == "all" {
			continue
		}
		if !envItem.MatchString(item) {
			return notSubmitted(v, "Bad -env specification")
		}
	}
	return nil
}

// SplitEnvList splits an -env list at commas outside single quotes.
func SplitEnvList(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
