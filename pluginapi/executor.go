package pluginapi

import "context"

// ProtocolVersion is the version of the executor protocol these types and the
// .proto describe. go-plugin negotiates it during the handshake.
const ProtocolVersion = 1

// Executor is what an executor plugin implements: one method per RPC.
//
// Every method may be called concurrently. A plugin process is long-lived: the
// host configures it once and then submits, polls and cancels for as long as a
// dispatcher runs.
type Executor interface {
	// Info describes the plugin: who it is, what it can do natively, which
	// resource keys it accepts and which settings it takes. It must work
	// before Configure; the host asks again after Configure and plans with
	// that answer, so capabilities may reflect the settings (a site's
	// maximum array size, a detected scheduler version).
	Info(ctx context.Context, req *InfoRequest) (*InfoResponse, error)

	// Configure passes the site's settings (the config file's
	// `executor "NAME" {}` block). It is called once, before any of the
	// methods below.
	Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error)

	// Render returns the exact native submission for a job without
	// submitting it. `reflow plan --show-native` prints it.
	Render(ctx context.Context, req *RenderRequest) (*RenderResponse, error)

	// Submit submits one job or one array job and returns its handle.
	Submit(ctx context.Context, req *SubmitRequest) (*SubmitResponse, error)

	// Poll reports the states of many jobs in one call, which the plugin
	// should serve with as few native queries as it can (one per round).
	Poll(ctx context.Context, req *PollRequest) (*PollResponse, error)

	// Cancel cancels many jobs in one call.
	Cancel(ctx context.Context, req *CancelRequest) (*CancelResponse, error)
}
