// Package chart tests the Helm chart charts/lms-operator: it lints clean,
// its values are validated by values.schema.json, what it renders passes a
// server-side dry run on a real API server with default values and with every
// option on, `helm install` creates every object, the manager's pods meet the
// restricted Pod Security Standard, and the chart grants exactly the RBAC of
// config/rbac/role.yaml, as config/default does. The Grafana dashboard the
// chart ships (grafanaDashboard.enabled) is a ConfigMap only when asked for,
// and every metric its PromQL queries reads is one internal/metrics defines
// (or controller-runtime exports).
//
// The tests need helm ($HELM, or bin/helm-v3.22.0 from `make helm`) and,
// for those that talk to an API server, kube-apiserver, etcd and kubectl in
// $KUBEBUILDER_ASSETS (`make test` provides both). Without helm they are
// skipped, except in CI (CI=true), where they fail.
package chart
