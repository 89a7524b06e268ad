package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// adminTimeout bounds one call to the simulator's admin API.
const adminTimeout = 30 * time.Second

// A simClient calls the simulator's admin API (/_sim/).
type simClient struct {
	base string
	http *http.Client
}

// newSimClient returns a client of the simulator served at base.
func newSimClient(base string) *simClient {
	return &simClient{base: base, http: &http.Client{Timeout: adminTimeout}}
}

// setConfig changes the fields in cfg of the vendor's configuration.
func (s *simClient) setConfig(ctx context.Context, vendor string, cfg map[string]any) error {
	body, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return s.do(ctx, http.MethodPut, "/_sim/config/"+vendor, body, nil)
}

// clearFaults drops the faults injected into the vendor and not yet used.
func (s *simClient) clearFaults(ctx context.Context, vendor string) error {
	return s.do(ctx, http.MethodDelete, "/_sim/faults/"+vendor, nil, nil)
}

// calls returns the call counts of every vendor.
func (s *simClient) calls(ctx context.Context) (lmssim.CallsReport, error) {
	var rep lmssim.CallsReport
	err := s.do(ctx, http.MethodGet, "/_sim/calls", nil, &rep)
	return rep, err
}

// state decodes the vendor's whole state into out.
func (s *simClient) state(ctx context.Context, vendor string, out any) error {
	return s.do(ctx, http.MethodGet, "/_sim/"+vendor+"/state", nil, out)
}

// log returns the vendor's call log.
func (s *simClient) log(ctx context.Context, vendor string) ([]lmssim.CallRecord, error) {
	var recs []lmssim.CallRecord
	err := s.do(ctx, http.MethodGet, "/_sim/log/"+vendor, nil, &recs)
	return recs, err
}

// pauses returns the pauses the vendor's 429s asked for.
func (s *simClient) pauses(ctx context.Context, vendor string) ([]lmssim.Pause, error) {
	var ps []lmssim.Pause
	err := s.do(ctx, http.MethodGet, "/_sim/pauses/"+vendor, nil, &ps)
	return ps, err
}

// do sends one admin request and decodes a JSON answer into out (if not nil).
func (s *simClient) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s of the simulator: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s of the simulator: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s of the simulator: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s %s of the simulator: %w", method, path, err)
	}
	return nil
}
