package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reflow-hpc/reflow/testenv/doubles/pbs/pbssyntax"
)

// config is the double's server configuration, from the environment:
//
//	REFLOW_DOUBLE_STATE            state directory (required)
//	REFLOW_DOUBLE_PBS_DIALECT      openpbs (default) or torque
//	REFLOW_DOUBLE_PBS_VERSION      server version (23.06.06; torque 6.1.3)
//	REFLOW_DOUBLE_PBS_SERVER       server name in job ids (pbs01)
//	REFLOW_DOUBLE_HISTORY          how long finished jobs stay listed (job_history_duration,
//	                               default 336h; Torque keep_completed, default 300s)
//	REFLOW_DOUBLE_PBS_HISTORY      "off" emulates job_history_enable=False (OpenPBS)
//	REFLOW_DOUBLE_PBS_MAX_ARRAY    max_array_size (10000; Torque: none)
//	REFLOW_DOUBLE_PBS_QUEUES       comma-separated queues (workq; Torque: batch); the first is the default
//	REFLOW_DOUBLE_PBS_MAX_QUEUED   most unfinished jobs (subjobs counted) before qsub refuses; 0: none
//	REFLOW_DOUBLE_PBS_MAX_WALLTIME longest walltime the queue takes (seconds); 0: none
//	REFLOW_DOUBLE_PBS_KILL_DELAY   SIGTERM→SIGKILL delay for qdel and walltime (default 2s)
//	REFLOW_DOUBLE_PBS_EXITING      how long a finished job stays in state E (default 100ms)
//	REFLOW_DOUBLE_PBS_RESOURCES    site resources, name:type,... (default ngpus:long)
//	REFLOW_DOUBLE_PBS_ARRAY_EXIT   last (default: an array's Exit_status is its last subjob's,
//	                               as seen on 23.06) or doc (0/1/2 as the man page says)
type config struct {
	state       string
	site        pbssyntax.Site
	server      string
	history     time.Duration
	historyOn   bool
	queues      []string
	maxQueued   int
	maxWalltime float64
	killDelay   time.Duration
	exiting     time.Duration
	arrayExit   string
}

func loadConfig() (*config, error) {
	c := &config{state: os.Getenv("REFLOW_DOUBLE_STATE"), historyOn: true, arrayExit: "last"}
	if c.state == "" {
		return nil, fmt.Errorf("REFLOW_DOUBLE_STATE is not set: the PBS test double keeps its jobs there and will not run without it")
	}
	c.site = pbssyntax.DefaultSite()
	if d := os.Getenv("REFLOW_DOUBLE_PBS_DIALECT"); d != "" {
		switch d {
		case "openpbs", "pbspro":
		case "torque":
			c.site.Dialect = pbssyntax.Torque
			c.site.Version = "6.1.3"
			c.site.MaxArraySize = 0
			c.site.CustomResources = nil
		default:
			return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_DIALECT=%q: want openpbs or torque", d)
		}
	}
	if v := os.Getenv("REFLOW_DOUBLE_PBS_VERSION"); v != "" {
		c.site.Version = v
	}
	c.server = envOr("REFLOW_DOUBLE_PBS_SERVER", "pbs01")
	c.history = 336 * time.Hour
	if c.site.Dialect == pbssyntax.Torque {
		c.history = 300 * time.Second
	}
	var err error
	if c.history, err = envDuration("REFLOW_DOUBLE_HISTORY", c.history); err != nil {
		return nil, err
	}
	c.historyOn = os.Getenv("REFLOW_DOUBLE_PBS_HISTORY") != "off" && c.site.Dialect == pbssyntax.OpenPBS
	if v := os.Getenv("REFLOW_DOUBLE_PBS_MAX_ARRAY"); v != "" {
		if c.site.MaxArraySize, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_MAX_ARRAY=%q: %v", v, err)
		}
	}
	defQueue := "workq"
	if c.site.Dialect == pbssyntax.Torque {
		defQueue = "batch"
	}
	c.queues = strings.Split(envOr("REFLOW_DOUBLE_PBS_QUEUES", defQueue), ",")
	if v := os.Getenv("REFLOW_DOUBLE_PBS_MAX_QUEUED"); v != "" {
		if c.maxQueued, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_MAX_QUEUED=%q: %v", v, err)
		}
	}
	if v := os.Getenv("REFLOW_DOUBLE_PBS_MAX_WALLTIME"); v != "" {
		if c.maxWalltime, err = strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_MAX_WALLTIME=%q: %v", v, err)
		}
	}
	if c.killDelay, err = envDuration("REFLOW_DOUBLE_PBS_KILL_DELAY", 2*time.Second); err != nil {
		return nil, err
	}
	if c.exiting, err = envDuration("REFLOW_DOUBLE_PBS_EXITING", 100*time.Millisecond); err != nil {
		return nil, err
	}
	if v, ok := os.LookupEnv("REFLOW_DOUBLE_PBS_RESOURCES"); ok {
		c.site.CustomResources = map[string]pbssyntax.ResKind{}
		for _, item := range strings.Split(v, ",") {
			if item == "" {
				continue
			}
			name, typ, _ := strings.Cut(item, ":")
			kind := map[string]pbssyntax.ResKind{"long": pbssyntax.ResLong, "size": pbssyntax.ResSize,
				"boolean": pbssyntax.ResBool, "string": pbssyntax.ResString, "time": pbssyntax.ResTime}
			k, ok := kind[typ]
			if !ok {
				return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_RESOURCES: %q: want name:long|size|boolean|string|time", item)
			}
			c.site.CustomResources[name] = k
		}
	}
	if v := os.Getenv("REFLOW_DOUBLE_PBS_ARRAY_EXIT"); v != "" {
		if v != "last" && v != "doc" {
			return nil, fmt.Errorf("REFLOW_DOUBLE_PBS_ARRAY_EXIT=%q: want last or doc", v)
		}
		c.arrayExit = v
	}
	c.site.Env = environMap()
	return c, nil
}

func (c *config) torque() bool { return c.site.Dialect == pbssyntax.Torque }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(k)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %v", k, v, err)
	}
	return d, nil
}

func environMap() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
