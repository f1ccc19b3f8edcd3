// Package executorpb holds the generated protobuf and gRPC code of the
// executor protocol. It is internal: package pluginapi converts to and from
// its public types, so nothing generated appears in a public signature.
//
// Regenerate with `make proto` (protoc, with protoc-gen-go and
// protoc-gen-go-grpc pinned as tools in go.mod).
package executorpb
