// Package pluginapi is reflow's executor contract: the Go interface every
// executor plugin implements, the hand-written request and response types that
// cross the plugin boundary, and the go-plugin/gRPC glue that carries them.
//
// The contract follows one rule from Terraform's provider protocol: a Go error
// returned from a method means the transport failed or the plugin has a bug;
// anything a user must read (a bad memory string, an unknown resource key, a
// dependency on a handle the plugin does not know) travels as Diagnostics
// inside the response, naming the attribute it is about.
//
// The generated protobuf code lives in internal/executorpb and never appears in
// a public signature, so the wire format can evolve behind these types.
// ProtocolVersion is bumped only for changes an older peer cannot read.
package pluginapi
