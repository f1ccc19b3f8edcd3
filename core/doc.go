// Package core is reflow's engine. Its parts live in sub-packages:
// pluginhost finds, pins and runs executor plugins.
package core
