package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/lsf/lsfsyntax"
)

// config is the double's cluster configuration (see doc.go for the
// environment variables).
type config struct {
	History    time.Duration
	Minute     time.Duration
	KillGrace  time.Duration
	Slots      int
	Queues     []string
	MaxPend    int
	Tick       time.Duration
	Syntax     lsfsyntax.Config
	Consistent bool
	NTries     int // 0: retry forever
	BsubStderr bool
}

func loadConfig(getenv func(string) string) config {
	c := config{
		History:   durationEnv(getenv, "REFLOW_DOUBLE_HISTORY", time.Hour),
		Minute:    durationEnv(getenv, "REFLOW_DOUBLE_MINUTE", time.Minute),
		KillGrace: durationEnv(getenv, "REFLOW_DOUBLE_KILL_GRACE", 2*time.Second),
		Slots:     intEnv(getenv, "REFLOW_DOUBLE_SLOTS", 16),
		MaxPend:   intEnv(getenv, "REFLOW_DOUBLE_MAX_PEND", 0),
		Tick:      durationEnv(getenv, "REFLOW_DOUBLE_TICK", 50*time.Millisecond),
		Queues:    strings.Fields(strings.ReplaceAll(getenv("REFLOW_DOUBLE_QUEUES"), ",", " ")),
		Syntax: lsfsyntax.Config{
			MaxArraySize:   intEnv(getenv, "MAX_JOB_ARRAY_SIZE", 0),
			UnitForLimits:  getenv("LSF_UNIT_FOR_LIMITS"),
			ParseScriptArg: yes(getenv("LSB_BSUB_PARSE_SCRIPT")),
		},
		Consistent: yes(getenv("LSB_BJOBS_CONSISTENT_EXIT_CODE")),
		NTries:     intEnv(getenv, "LSB_NTRIES", 0),
		BsubStderr: getenv("BSUB_STDERR") != "",
	}
	if len(c.Queues) == 0 {
		c.Queues = []string{"normal"}
	}
	return c
}

func yes(v string) bool { return strings.EqualFold(v, "y") || strings.EqualFold(v, "yes") }

func durationEnv(getenv func(string) string, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil && d > 0 {
		return d
	}
	return def
}

func intEnv(getenv func(string) string, key string, def int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}
