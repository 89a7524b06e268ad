// Package gitops tests what docs/gitops.md tells GitOps users to install.
// The Argo CD health check is read from the doc's argocd-cm example, under
// every kind's key, and run under gopher-lua, the Lua engine of Argo CD, with
// the libraries Argo CD opens (no string, math or io library), against
// objects in every state the operator reports.
package gitops
