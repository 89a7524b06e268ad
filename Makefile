# lms-operator Makefile. Every tool it needs is pinned and built into ./bin
# from the Go module proxy, so that a fresh machine needs only Go and make.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p $(LOCALBIN)

## Tool versions
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM_VERSION ?= v3.22.0
KUBE_VERSION ?= 1.37.0

CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)
ENVTEST_DIR ?= $(LOCALBIN)/k8s/$(KUBE_VERSION)-$(shell go env GOOS)-$(shell go env GOARCH)

GO_TEST_FLAGS ?= -count=1 -timeout 45m

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate CRDs and RBAC from the markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/...;./internal/controller/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	@hack/sync-chart-crds.sh

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: api-docs
api-docs: ## Generate docs/api-reference.md from the Go types of api/v1alpha1.
	go run ./hack/gen-api-docs --dir api/v1alpha1 --out docs/api-reference.md

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: golangci-lint ## Run golangci-lint.
	$(GOLANGCI_LINT) run ./...

.PHONY: verify-gen
verify-gen: manifests generate api-docs ## Fail when generated files differ from the markers.
	@if [ -n "$$(git status --porcelain -- config/crd config/rbac api charts/lms-operator/crds charts/lms-operator/files docs/api-reference.md)" ]; then \
		echo "Generated files are out of date; run 'make manifests generate api-docs' and commit:"; \
		git status --porcelain -- config/crd config/rbac api charts/lms-operator/crds charts/lms-operator/files docs/api-reference.md; git --no-pager diff --stat; exit 1; fi
	@echo "Generated files are up to date."

.PHONY: envtest-assets
envtest-assets: ## Build kube-apiserver, etcd and kubectl for envtest into ./bin (first time: ~10 min).
	hack/envtest-assets.sh $(ENVTEST_DIR)

.PHONY: test
test: manifests generate vet envtest-assets helm ## Run every test against a real API server and the simulator, then the short fault campaign.
	KUBEBUILDER_ASSETS=$(ENVTEST_DIR) HELM=$(HELM) go test $(GO_TEST_FLAGS) ./...
	@$(MAKE) --no-print-directory chaos-short

.PHONY: test-unit
test-unit: ## Run the tests that need no API server.
	go test $(GO_TEST_FLAGS) ./internal/controller/... ./internal/lms/... ./internal/lmssim/... ./hack/chaos/...

##@ Demo

.PHONY: demo
demo: ## Run the operator against the vendor simulator on a local API server (Ctrl-C stops it).
	hack/demo.sh

##@ Fault campaign (docs/chaos.md)

CHAOS_RESTARTS ?= 100
CHAOS_FLAGS ?=
CHAOS_SHORT_SEED ?= 1

.PHONY: chaos
chaos: manifests envtest-assets ## Kill and restart the manager CHAOS_RESTARTS times under vendor faults on every vendor, then check the invariants (CHAOS_FLAGS: more flags, e.g. -seed N).
	KUBEBUILDER_ASSETS=$(ENVTEST_DIR) go run ./hack/chaos -restarts $(CHAOS_RESTARTS) $(CHAOS_FLAGS)

.PHONY: chaos-short
chaos-short: envtest-assets ## The short fault campaign of make test: 10 restarts, 12 objects on each vendor, seed CHAOS_SHORT_SEED.
	KUBEBUILDER_ASSETS=$(ENVTEST_DIR) go run ./hack/chaos -restarts 10 -objects 12 -kill-max 4s -seed $(CHAOS_SHORT_SEED) \
		-converge-timeout 2m -timeout 5m -dir tmp/chaos-short $(CHAOS_FLAGS)

##@ Build

.PHONY: build
build: ## Build the manager, the simulator and the kubectl lms plugin into ./bin.
	go build -o $(LOCALBIN)/manager ./cmd
	go build -o $(LOCALBIN)/kubectl-lms ./cmd/kubectl-lms
	go build -o $(LOCALBIN)/lms-simulator ./cmd/lms-simulator

.PHONY: run
run: manifests generate ## Run the manager against the cluster of the current kubeconfig.
	go run ./cmd

##@ Tools

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN)
$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT)
$(GOLANGCI_LINT): | $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

.PHONY: helm
helm: $(HELM)
$(HELM): | $(LOCALBIN)
	$(call go-install-tool,$(HELM),helm.sh/helm/v3/cmd/helm,$(HELM_VERSION),$(HELM_LDFLAGS))

# HELM_LDFLAGS are what helm's own Makefile sets: without them `helm version`
# prints no patch version, and `helm template`/`helm lint` assume Kubernetes
# 1.20 (the Kubernetes version of helm's client-go modules is 1.37).
HELM_LDFLAGS = -s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
	-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37 \
	-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37

# go-install-tool builds a Go tool at a pinned version into $(LOCALBIN) with
# the version in its file name, so that a version change rebuilds it. An
# optional fourth argument is passed to go install as -ldflags.
define go-install-tool
@[ -f "$(1)" ] || { \
set -e; package=$(2)@$(3) ;\
echo "Building $${package} into $(LOCALBIN)" ;\
rm -f $(1) ;\
GOBIN=$(LOCALBIN) GOFLAGS= go install -ldflags '$(4)' $${package} ;\
mv "$$(echo "$(1)" | sed "s/-$(3)$$//")" $(1) ;\
}
endef

##@ Benchmarks

# make bench runs the scenarios of hack/bench (docs/benchmarks.md): the
# unlimited scenario on each of BENCH_VENDORS with BENCH_LEARNERS Learners, a
# selector group and selector Enrollments, and the budget-bound eLeaP
# scenario at 2,500 requests an hour. The manager is built from ./cmd as
# `make build` does, into BENCH_MANAGER, and runs as its own process.
BENCH_SCENARIOS ?= unlimited,budget
BENCH_VENDORS ?= eleap,enabley,exceed
BENCH_LEARNERS ?= 1000
BENCH_SYNC ?= 30s
BENCH_INTERVALS ?= 3
BENCH_ELEAP_TARGETS ?= course,learningPath
BENCH_BUDGET_LEARNERS ?= 140
# BENCH_PAGES_PER_SYNC sets the unlimited connections' spec.rateLimit.pagesPerSync (0: unset).
BENCH_PAGES_PER_SYNC ?= 0
# BENCH_MEMORY_LIMIT is the container memory limit the manager runs as if
# under (the chart's 256Mi): it gets the soft limit internal/memlimit sets.
BENCH_MEMORY_LIMIT ?= 256Mi
BENCH_DIR ?= $(shell pwd)/tmp/bench
BENCH_MANAGER ?= $(BENCH_DIR)/manager
BENCH_FLAGS ?=

.PHONY: bench
bench: manifests envtest-assets ## Print each scenario's vendor calls, time to converge, API-server writes and manager peak RSS.
	go build -o $(BENCH_MANAGER) ./cmd
	KUBEBUILDER_ASSETS=$(ENVTEST_DIR) go run ./hack/bench -manager $(BENCH_MANAGER) -dir $(BENCH_DIR) \
		-scenarios $(BENCH_SCENARIOS) -vendors $(BENCH_VENDORS) -learners $(BENCH_LEARNERS) -sync $(BENCH_SYNC) \
		-intervals $(BENCH_INTERVALS) -eleap-targets $(BENCH_ELEAP_TARGETS) -budget-learners $(BENCH_BUDGET_LEARNERS) \
		-pages-per-sync $(BENCH_PAGES_PER_SYNC) -memory-limit $(BENCH_MEMORY_LIMIT) $(BENCH_FLAGS)
