package pluginapi

import (
	"context"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/reflow-hpc/reflow/pluginapi/internal/executorpb"
)

// Handshake is the go-plugin handshake every reflow executor plugin uses.
// The magic cookie is not a secret: it only stops a user who runs a plugin
// binary by hand from getting a confusing protocol dump.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "REFLOW_EXECUTOR_PLUGIN",
	MagicCookieValue: "f3a1c9e4-reflow-executor-7d2b",
}

// PluginName is the name under which the executor is dispensed.
const PluginName = "executor"

// versionedPlugins lists the plugin set per protocol version. A future
// protocol 2 adds an entry here; hosts and plugins then negotiate the highest
// version both know.
func versionedPlugins(impl Executor) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		1: {PluginName: &grpcPlugin{impl: impl}},
	}
}

// grpcPlugin joins the Executor interface to go-plugin's gRPC transport.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl Executor // set on the plugin side only
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterExecutorServer(s, &grpcServer{impl: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &grpcClient{client: pb.NewExecutorClient(c)}, nil
}

// ServeConfig returns the go-plugin configuration that serves impl. sdk.Serve
// is what plugin authors call; this is the part of it that belongs to the
// protocol.
func ServeConfig(impl Executor, logger hclog.Logger) *plugin.ServeConfig {
	return &plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(impl),
		GRPCServer:       plugin.DefaultGRPCServer,
		TLSProvider:      pluginTLS,
		Logger:           logger,
	}
}
