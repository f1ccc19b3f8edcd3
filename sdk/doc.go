// Package sdk is what an executor plugin author imports, together with
// pluginapi, to put a scheduler behind reflow. A plugin is a main package
// that implements pluginapi.Executor and calls Serve; it needs nothing from
// reflow's engine and builds with CGO_ENABLED=0 in its own module.
//
//	func main() { sdk.Serve(&myExecutor{}) }
//
// Besides Serve, the package holds the helpers every backend needs, so each
// one reads the user's resources the same way and fails the same way:
//
//   - Memory: ParseMemory reads "512M", "1.5G", "2GiB", "2048" (a bare number
//     is megabytes); Memory.In, Memory.Megabytes and Memory.Kilobytes convert;
//     FormatMemory writes Slurm, PBS or SGE sizes.
//   - Durations: ParseDuration reads "90s", "1h30m", "1d", "HH:MM:SS", "MM:SS",
//     "D-HH:MM:SS" and bare minutes; FormatClock, FormatSlurmTime,
//     FormatFluxDuration, Minutes and Seconds write them.
//   - Array indices: ExpandRanges and CompressRanges convert between index
//     lists and range strings such as "0-3,5,7-9:2"; SplitThrottle splits a
//     "%N" suffix off.
//   - Resources: PortableKeys (and PortableKeysExcept) are the portable resource
//     keys with their aliases, to return from Info; ParseResources turns
//     pluginapi.JobSpec.Resources into a typed Resources value plus
//     diagnostics; Normalize maps one alias to its key.
//   - Native commands: Run runs a scheduler client with a timeout, captures its
//     output and kills its whole process group on timeout; failures are
//     *CommandError values whose message carries the client's stderr.
//   - Settings: DecodeSettings decodes pluginapi.ConfigureRequest.Settings into
//     a struct with json tags, reporting unknown keys and wrong types as
//     diagnostics.
//
// The package executortest is a conformance suite a plugin runs in its own
// tests.
//
// Two rules run through the helpers. Rounding is always up: a job is never
// given less memory or time than the user asked for, because the scheduler
// would kill it after it waited in the queue. And a problem the user must
// fix is returned as a pluginapi.Diagnostic naming the attribute
// ("resources.mem", "settings.account") and saying what is accepted, never
// as a bare Go error.
package sdk
