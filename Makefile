# atom-operator: every target wraps an npm script, so `make` and `npm run` stay one thing.
# Scripts run on the Node 24 that the `node` devDependency puts in node_modules/.bin.
.DEFAULT_GOAL := help
SHELL := /usr/bin/env bash

.PHONY: deps
deps: ## Install dependencies (npm ci) when package-lock.json changed since the last install
	@hack/install-deps.sh

.PHONY: run
run: deps ## Run the operator against the current kubeconfig (no cluster: starts the sandbox demo; dev only)
	npm start

.PHONY: test
test: deps ## Run the whole test suite (type-check, unit, integration, chart tests)
	npm test

.PHONY: build
build: deps ## Bundle the production operator into dist/main.js (esbuild; what the image runs)
	npm run build

.PHONY: plugin
plugin: deps ## Bundle the kubectl plugin into dist/kubectl-atom.js (bin/kubectl-atom runs it)
	npm run build:plugin

.PHONY: generate
generate: deps ## Regenerate crds/ and the chart's CRD from the zod schema
	npm run generate

.PHONY: lint
lint: deps ## Type-check everything (fails on any error)
	npm run lint

.PHONY: package
package: deps ## Build the chart archive (dist-charts/atom-operator-VERSION.tgz), version and appVersion from package.json
	npm run package

.PHONY: bench
bench: deps ## Run the benchmarks and print the figures
	npm run bench

.PHONY: sandbox
sandbox: deps ## Start the in-memory API server alone and print its kubeconfig
	npm run sandbox

.PHONY: e2e
e2e: ## End-to-end test on kind (needs Docker and kind; not run in CI)
	hack/e2e-kind.sh

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'
