// Package e2e tests lms-operator as it is shipped: the built manager binary
// runs as a process against a real API server (envtest's kube-apiserver and
// etcd), the lms-simulator binary serves the vendors, and the tests drive
// everything with kubectl and read the vendors' state through the
// simulator's admin API. demo_test.go runs `make demo`'s script end to end.
//
// The tests need kube-apiserver, etcd and kubectl in $KUBEBUILDER_ASSETS
// (`make test` builds them into ./bin and sets it); without it they are
// skipped.
package e2e
