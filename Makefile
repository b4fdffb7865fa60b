# hrsync: HR-driven identity provisioning. `make help` lists the targets.
SHELL := /usr/bin/env bash
MODULES := proto shared cloud agent tests
PKGS := $(addsuffix /...,$(addprefix ./,$(MODULES)))
GO_TEST_FLAGS ?=
BIN := bin

.PHONY: help deps build build-windows test test-unit vet fmt proto verify-proto verify-mod bench demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

deps: ## install the Debian packages the demo and tests need (root)
	@scripts/install-deps.sh

build: ## build hrsync-cloud, hrsyncctl and hrsync-agent into bin/
	go build -o $(BIN)/ ./cloud/cmd/hrsync-cloud ./cloud/cmd/hrsyncctl ./agent/cmd/hrsync-agent

build-windows: ## cross-build the agent for Windows
	GOOS=windows GOARCH=amd64 go build -o $(BIN)/hrsync-agent.exe ./agent/cmd/hrsync-agent

proto: ## regenerate proto/gen (pinned generators)
	scripts/gen-proto.sh

verify-proto: proto ## fail when the committed generated code is stale
	@git diff --exit-code --stat -- proto/gen || { echo "proto/gen is stale: run make proto and commit" >&2; exit 1; }
	@test -z "$$(git status --porcelain -- proto/gen)" || { echo "proto/gen has untracked files: run make proto and commit" >&2; exit 1; }

verify-mod: ## fail when a go.mod or go.sum is not tidy
	@for m in $(MODULES) tools; do (cd $$m && go mod tidy -e -diff >/dev/null 2>&1) || { echo "$$m/go.mod is not tidy: run go mod tidy -e in $$m" >&2; exit 1; }; done

vet: ## go vet every module
	go vet $(PKGS)

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go' | grep -v '\.pb\.go$$')

test: deps verify-proto verify-mod vet build-windows ## everything CI runs: deps, generated code, vet, Windows build, all tests
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'); echo "gofmt needed" >&2; exit 1; }
	go test -count=1 -timeout 20m $(GO_TEST_FLAGS) $(PKGS)

test-unit: ## the tests that need no Samba (fast)
	go test -count=1 -short $(GO_TEST_FLAGS) $(PKGS)

bench: deps ## run the benchmarks recorded in docs/performance.md, each with its baseline (HRSYNC_BENCH_WORKERS=10000)
	go test -run '^$$' -bench . -benchmem -cpu 1 -count 5 ./cloud/internal/mapping/
	go test -run '^$$' -bench . -benchtime 1x -count 3 -benchmem ./cloud/internal/engine/ ./cloud/internal/cycle/
	go test -run '^$$' -bench FullSync -benchtime 1x -benchmem -timeout 30m ./cloud/internal/successfactors/ ./cloud/internal/workday/
	go test -run '^$$' -bench . -benchtime 1x -timeout 60m ./tests/bench/

demo: deps build ## run a throwaway AD domain, the cloud and an agent; Ctrl-C stops them
	@go build -o $(BIN)/hrsync-demo ./tests/cmd/hrsync-demo
	@$(BIN)/hrsync-demo

clean: ## remove build output and demo state
	rm -rf $(BIN) .hrsync
