package lmssim

import (
	"net/http/httptest"
	"sync"
	"testing"
)

// A TestServer is the simulator of the three vendors served on a local port
// for one test. Its Server gives call counts, the call log, configuration
// and fault injection; its Sims give each vendor's state.
type TestServer struct {
	*Server
	Sims
	// HTTP is the underlying httptest server.
	HTTP *httptest.Server

	closeOnce sync.Once
}

// NewTestServer serves the three vendors built from seed with opts, and
// closes the server when the test ends. Vendors share opts.Clock.
func NewTestServer(t testing.TB, seed Seed, opts Options) *TestServer {
	t.Helper()
	sims := NewSims(seed, opts.Clock)
	s := New(opts, sims.Vendors()...)
	ts := &TestServer{Server: s, Sims: sims, HTTP: httptest.NewServer(s)}
	t.Cleanup(ts.Close)
	return ts
}

// URL returns the vendor's root on the simulator, "<server>/<vendor>": the
// vendor serves the paths of its document below it.
func (ts *TestServer) URL(vendor string) string {
	return ts.HTTP.URL + "/" + vendor
}

// BaseURL returns the base URL the operator's client for vendor uses
// (spec.endpoint of an LMSConnection): see VendorBaseURL.
func (ts *TestServer) BaseURL(vendor string) string {
	return VendorBaseURL(ts.HTTP.URL, vendor)
}

// Close ends hanging requests and stops the server. It is safe to call twice.
func (ts *TestServer) Close() {
	ts.closeOnce.Do(func() {
		ts.Server.Close()
		ts.HTTP.Close()
	})
}

// VendorBaseURL returns the operator's base URL for vendor on a simulator
// served at root (such as "http://127.0.0.1:8090"): root+"/eleap/api" for
// eLeaP, root+"/enabley" for Enabley, root+"/exceed/api/v2" for Exceed, and
// root+"/"+vendor for any other vendor.
func VendorBaseURL(root, vendor string) string {
	switch vendor {
	case ELeaP:
		return root + "/eleap/api"
	case Exceed:
		return root + "/exceed/api/v2"
	}
	return root + "/" + vendor
}
