package pool

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/utils/clock"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/vendors"
)

// capturing is a registry whose one vendor records the Config it was built with.
func capturing(got *lms.Config) lms.Registry {
	return lms.Registry{lms.ProviderExceed: func(c lms.Config) (lms.Client, error) {
		*got = c
		return nil, nil
	}}
}

// redirecting starts the other host, which counts what it receives, and the
// vendor, which answers every request with status and a Location on the other.
func redirecting(t *testing.T, status int) (vendor string, other *atomic.Int32) {
	t.Helper()
	other = &atomic.Int32{}
	o := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		other.Add(1)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(o.Close)
	v := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, o.URL+"/api/v2"+r.URL.Path+"?"+r.URL.RawQuery, status)
	}))
	t.Cleanup(v.Close)
	return v.URL, other
}

func TestThePoolsClientFollowsNoRedirect(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			vendor, other := redirecting(t, status)
			var cfg lms.Config
			p := &Pool{Registry: capturing(&cfg), Clock: clock.RealClock{}}
			if _, _, err := p.Ensure(Key{Kind: "LMSConnection", Namespace: "ns", Name: "c"},
				Settings{Provider: lms.ProviderExceed, BaseURL: vendor, Limits: budget.Limits{RequestsPerHour: 3600, Burst: 10}}, nil, "1"); err != nil {
				t.Fatal(err)
			}
			ctx := lms.WithOperation(context.Background(), "GET /api/v2/users")
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, vendor+"/users?api_key=s3cr3t", strings.NewReader("api_token=s3cr3t"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := cfg.HTTPClient.Do(req)
			if err == nil {
				_ = resp.Body.Close()
				t.Fatalf("a %d was followed: status %d", status, resp.StatusCode)
			}
			var le *lms.Error
			if !errors.As(err, &le) || le.Kind != lms.KindInvalidRequest || !lms.IsTerminal(err) {
				t.Fatalf("error %v, want a terminal *lms.Error of kind InvalidRequest", err)
			}
			for _, want := range []string{http.StatusText(status), "redirects are not followed", "spec.endpoint", "/api/v2/users"} {
				if !strings.Contains(le.Message, want) {
					t.Errorf("message %q does not say %q", le.Message, want)
				}
			}
			if strings.Contains(le.Error(), "s3cr3t") {
				t.Errorf("the error %q carries a credential from the redirect's query", le.Error())
			}
			if n := other.Load(); n != 0 {
				t.Errorf("the other host received %d requests, want none", n)
			}
		})
	}
}

func TestNoVendorFollowsARedirect(t *testing.T) {
	creds := map[lms.Provider]map[string][]byte{
		lms.ProviderELeaP:   {"apiToken": []byte("s3cr3t")},
		lms.ProviderEnabley: {"clientKey": []byte("key"), "secret": []byte("s3cr3t")},
		lms.ProviderExceed:  {"apiKey": []byte("s3cr3t")},
	}
	for prov, c := range creds {
		t.Run(string(prov), func(t *testing.T) {
			vendor, other := redirecting(t, http.StatusTemporaryRedirect)
			p := &Pool{Registry: vendors.Registry(), Clock: clock.RealClock{}, Timeout: 5 * time.Second}
			conn, _, err := p.Ensure(Key{Kind: "LMSConnection", Namespace: "ns", Name: "c"},
				Settings{Provider: prov, BaseURL: vendor, Limits: budget.Limits{RequestsPerHour: 3600, Burst: 10}}, c, "1")
			if err != nil {
				t.Fatal(err)
			}
			err = conn.Client.Verify(context.Background())
			if lms.KindOf(err) != lms.KindInvalidRequest || !lms.IsTerminal(err) {
				t.Errorf("Verify against a vendor answering 307: %v, want a terminal InvalidRequest", err)
			}
			if !strings.Contains(lms.Message(err), "redirects are not followed") {
				t.Errorf("message %q does not say that redirects are not followed", lms.Message(err))
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error %q carries the credential the redirect echoed", err.Error())
			}
			if n := other.Load(); n != 0 {
				t.Errorf("the other host received %d requests, want none", n)
			}
		})
	}
}

// recorder is a budget.Observer that records the pauses.
type recorder struct{ paused []time.Duration }

func (r *recorder) Sent(string, int, time.Duration) {}
func (r *recorder) Held(string, bool)               {}
func (r *recorder) Paused(d time.Duration)          { r.paused = append(r.paused, d) }

func TestConfigPausePausesTheConnectionAsA429Does(t *testing.T) {
	var calls atomic.Int32
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(vendor.Close)
	clk := clocktesting.NewFakeClock(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	var cfg lms.Config
	obs := &recorder{}
	var notified []Key
	key := Key{Kind: "LMSConnection", Namespace: "ns", Name: "c"}
	p := &Pool{Registry: capturing(&cfg), Clock: clk,
		Observer: func(Key, lms.Provider) budget.Observer { return obs },
		OnPause:  func(k Key) { notified = append(notified, k) }}
	conn, _, err := p.Ensure(key, Settings{Provider: lms.ProviderExceed, BaseURL: vendor.URL,
		Limits: budget.Limits{RequestsPerHour: 3600, Burst: 10}}, nil, "1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Pause == nil {
		t.Fatal("the pool built a client without Config.Pause")
	}
	if d := cfg.Pause(90 * time.Second); d != 90*time.Second {
		t.Errorf("Pause(90s) = %s, want 90s", d)
	}
	if got := conn.Budget.Snapshot().PausedUntil; !got.Equal(clk.Now().Add(90 * time.Second)) {
		t.Errorf("the connection's budget is paused until %s, want 90s from now", got)
	}
	if len(obs.paused) != 1 || obs.paused[0] != 90*time.Second {
		t.Errorf("the observer was told of pauses %v, want [90s]", obs.paused)
	}
	if len(notified) != 1 || notified[0] != key {
		t.Errorf("OnPause was told of %v, want [%v]", notified, key)
	}
	req, err := http.NewRequest(http.MethodGet, vendor.URL+"/users", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	var le *lms.Error
	if !errors.As(err, &le) || le.Code != budget.CodePaused || calls.Load() != 0 {
		t.Errorf("a call during the pause: %v, %d calls sent; want held back with code %s", err, calls.Load(), budget.CodePaused)
	}
	if d := cfg.Pause(48 * time.Hour); d != budget.MaxRetryAfter {
		t.Errorf("Pause(48h) = %s, want it capped at %s", d, budget.MaxRetryAfter)
	}
}

func TestANewPagesPerSyncRebuildsTheClientAndKeepsTheInventory(t *testing.T) {
	var cfg lms.Config
	p := &Pool{Registry: capturing(&cfg), Clock: clock.RealClock{}}
	key := Key{Kind: "LMSConnection", Namespace: "ns", Name: "c"}
	s := Settings{Provider: lms.ProviderExceed, BaseURL: "https://acme.exceedlms.com/api/v2", Limits: budget.Limits{RequestsPerHour: 3600, Burst: 10}}
	first, _, err := p.Ensure(key, s, nil, "1")
	if err != nil {
		t.Fatal(err)
	}
	s.PagesPerSync = 4
	second, fresh, err := p.Ensure(key, s, nil, "1")
	if err != nil {
		t.Fatal(err)
	}
	if !fresh || second.Settings.PagesPerSync != 4 {
		t.Errorf("after pagesPerSync changed: fresh=%v, PagesPerSync=%d; want the connection rebuilt with 4", fresh, second.Settings.PagesPerSync)
	}
	if second.Users != first.Users || second.Views != first.Views {
		t.Error("a new pagesPerSync dropped the inventory or the views: the same vendor and endpoint keep them")
	}
}
