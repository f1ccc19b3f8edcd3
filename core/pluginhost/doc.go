// Package pluginhost finds executor plugins, pins their checksums, and runs
// one long-lived plugin process per executor.
//
// Discovery follows DESIGN §3: the directories in $REFLOW_PLUGIN_PATH, then
// the user and site plugin directories from the config, then the directory
// of the reflow binary itself. A plugin is a file named
// `reflow-executor-NAME`; the first one found for a NAME wins, so a user can
// shadow a site's plugin.
//
// Pinning: a lock file maps executor names to the SHA-256 of their binaries.
// A pinned plugin whose binary changed refuses to start (go-plugin's
// SecureConfig does the check at launch) with an error that names the
// plugin and both checksums.
package pluginhost
