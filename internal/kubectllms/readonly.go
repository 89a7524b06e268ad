// Package kubectllms is the logic of the kubectl lms plugin (cmd/kubectl-lms):
// plan, import and status. It reads the cluster and the LMS and never writes
// to either: every vendor request goes through a ReadOnly transport.
package kubectllms

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/lmsoperator/lms-operator/internal/lms"
)

// eleapReads are the documented eLeaP endpoints that only read. eLeaP sends
// reads as POST too, so the method says nothing: only this list does.
var eleapReads = map[string]bool{
	"users": true, "users/get": true, "users/find": true, "users/activity": true,
	"users/custom_fields": true, "users/recent_completions": true,
	"usergroups": true, "usergroups/find": true, "usergroups/assigned_users": true,
	"courses": true, "courses/find": true, "courses/assigned_users": true, "courses/assigned_user_groups": true,
	"learning_paths": true, "learning_paths/find": true, "learning_paths/assigned_users": true,
	"learning_paths/assigned_user_groups": true, "learning_paths/assigned_courses": true,
}

// enableyToken is Enabley's token call: a POST that changes nothing.
const enableyToken = "/api/v1/token"

// A ReadOnly transport sends only the requests that are documented reads of
// its vendor and refuses every other one locally, before it leaves the
// machine: a plan or an import must never write to the LMS, whatever the
// vendor client it drives would do.
type ReadOnly struct {
	// Provider is the vendor whose reads are allowed.
	Provider lms.Provider
	// BasePath is the path of the connection's base URL (e.g. /eleap/api),
	// which a request's path is taken relative to.
	BasePath string
	// Base sends the allowed requests; http.DefaultTransport when nil.
	Base http.RoundTripper

	sent atomic.Int64
}

// Sent is the number of requests sent (reads only, by construction).
func (t *ReadOnly) Sent() int { return int(t.sent.Load()) }

// NewReadOnly returns the ReadOnly transport of a connection's provider and
// base URL over base.
func NewReadOnly(provider lms.Provider, baseURL string, base http.RoundTripper) (*ReadOnly, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", baseURL, err)
	}
	return &ReadOnly{Provider: provider, BasePath: strings.TrimRight(u.Path, "/"), Base: base}, nil
}

// RoundTrip sends req if it is a read, else refuses it with a terminal error.
func (t *ReadOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.Allowed(req.Method, req.URL.Path) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &lms.Error{Kind: lms.KindInvalidRequest, Op: lms.Operation(req.Context()), Code: "ReadOnly",
			Message: fmt.Sprintf("kubectl lms refused %s %s: not a documented read of %s", req.Method, req.URL.Path, t.Provider)}
	}
	t.sent.Add(1)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// Allowed reports whether a request of method to path is a documented read.
func (t *ReadOnly) Allowed(method, path string) bool {
	rel, ok := strings.CutPrefix(path, t.BasePath)
	if !ok {
		return false
	}
	switch t.Provider {
	case lms.ProviderELeaP:
		return method == http.MethodPost && eleapReads[strings.Trim(rel, "/")]
	case lms.ProviderEnabley:
		return isGet(method) || (method == http.MethodPost && rel == enableyToken)
	case lms.ProviderExceed:
		return isGet(method)
	}
	return false
}

// isGet reports whether method only reads by HTTP's own rules.
func isGet(method string) bool { return method == http.MethodGet || method == http.MethodHead }
