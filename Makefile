# reflow build and test entry points. `make` builds reflow and every
# executor plugin into bin/; `make test` is what CI runs.
GO      ?= go
BIN     := bin
# Every directory under plugins/ with a main.go is a plugin.
PLUGINS := $(patsubst plugins/%/main.go,%,$(wildcard plugins/*/main.go))

.PHONY: all build plugins test vet bench proto demo tidy clean

all: build

build: plugins
	$(GO) build -o $(BIN)/reflow ./cmd/reflow

# Plugins build without cgo: they are shipped to sites as static binaries.
plugins:
	@mkdir -p $(BIN)
	@for p in $(PLUGINS); do \
		echo "CGO_ENABLED=0 $(GO) build -o $(BIN)/reflow-executor-$$p ./plugins/$$p"; \
		CGO_ENABLED=0 $(GO) build -o $(BIN)/reflow-executor-$$p ./plugins/$$p || exit 1; \
	done

vet:
	$(GO) vet ./...

test: build vet
	$(GO) test -count=1 -timeout 60m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/

# A first look on a fresh machine: build everything, then run
# examples/etl.hcl end to end on the local executor with a fresh SQLite store
# in a scratch directory, and show the run (join's result is 8).
demo: build
	@./scripts/demo.sh

# Regenerate the protobuf code (committed, so building never needs protoc).
# Needs protoc (Debian: protobuf-compiler); the Go generators are pinned as
# tools in go.mod.
proto:
	protoc \
		--plugin=protoc-gen-go=$$($(GO) tool -n protoc-gen-go) \
		--plugin=protoc-gen-go-grpc=$$($(GO) tool -n protoc-gen-go-grpc) \
		-I pluginapi/internal/executorpb \
		--go_out=paths=source_relative:pluginapi/internal/executorpb \
		--go-grpc_out=paths=source_relative:pluginapi/internal/executorpb \
		pluginapi/internal/executorpb/executor.proto

# The third-party example is its own module: its go.mod follows the root's
# dependencies, and its test (run from the root) fails when it lags.
tidy:
	$(GO) mod tidy
	cd sdk/examples/shellexec && $(GO) mod tidy

clean:
	rm -rf $(BIN)
