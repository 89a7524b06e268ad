// Package validation tests the API's validation on a real API server: the
// OpenAPI schemas and CEL rules of the CRDs in config/crd/bases refuse bad
// objects with a message that names the field, accept every sample in
// config/samples, apply the documented defaults, and config/default passes a
// server-side dry run.
//
// The tests need kube-apiserver, etcd and kubectl in $KUBEBUILDER_ASSETS
// (`make test` builds them into ./bin and sets it); without it they are skipped.
package validation
