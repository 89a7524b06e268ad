// Package lmssim is an in-memory simulator of the eLeaP, Enabley and Exceed
// APIs over net/http, faithful to the vendors' documents. The tests, the demo
// and the benchmarks run the operator against it.
//
// Each vendor lives in its own sub-package (eleapsim, enableysim, exceedsim)
// and implements Vendor. This package composes them into one server, mounts
// each under its own path prefix, and adds what is vendor-neutral: per-endpoint
// call counting, the hourly request limit (429 with Retry-After), latency and
// faults, seed data and the admin API.
package lmssim

import "net/http"

// A Vendor is one simulated vendor API.
type Vendor interface {
	// Name is the vendor's provider name: "eleap", "enabley" or "exceed".
	Name() string
	// ServeHTTP serves the vendor API. Paths are relative to the vendor's base
	// URL: the server strips the "/<name>" prefix first.
	http.Handler
	// Admin serves the vendor's admin endpoints (the server strips the
	// "/_sim/<name>" prefix): at least "GET /state" (the whole state as JSON),
	// "PATCH /users/{key}" (change a user behind the operator's back) and
	// "POST /completions" (mark training completed for a user).
	Admin() http.Handler
	// Endpoint names the endpoint r calls, for call counting, such as
	// "users/add" or "GET /api/v3/users". It does not include ids.
	Endpoint(r *http.Request) string
	// IsWrite reports whether r changes state (for the drop-after-commit fault).
	IsWrite(r *http.Request) bool
}
