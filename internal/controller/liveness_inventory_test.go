package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// A readCounter counts the uncached Secret reads of the manager, by Secret.
type readCounter struct{ m sync.Map }

// secretReads counts the manager's uncached Secret reads (see startManager).
var secretReads readCounter

// wrap returns r, counting its Secret reads.
func (c *readCounter) wrap(r client.Reader) client.Reader { return countingReader{Reader: r, c: c} }

// of returns the uncached reads of the Secret ns/name so far.
func (c *readCounter) of(ns, name string) int32 {
	n, ok := c.m.Load(client.ObjectKey{Namespace: ns, Name: name})
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

// A countingReader is a client.Reader that counts its Secret reads.
type countingReader struct {
	client.Reader
	c *readCounter
}

// Get counts a Secret read and reads.
func (r countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*corev1.Secret); ok {
		n, _ := r.c.m.LoadOrStore(key, &atomic.Int32{})
		n.(*atomic.Int32).Add(1)
	}
	return r.Reader.Get(ctx, key, obj, opts...)
}

// TestInventoryFailureIsReportedBacksOffAndRecovers fails the user list of
// a new connection four times: the connection is Ready False
// InventoryFailed with the vendor's message, retries after 1, 2, 4 and 8
// seconds without reading its Secret again, its Learner says
// ConnectionNotReady with that reason, and everything converges after.
func TestInventoryFailureIsReportedBacksOffAndRecovers(t *testing.T) {
	ns := newNamespace(t)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{})
	const list, failures = "GET /api/v3/users", 4
	sim.Inject(lmssim.Enabley, lmssim.Fault{Kind: lmssim.Fault500, Endpoint: list, Times: failures})
	v := connectTo(t, ns, lmssim.Enabley, sim, sim.BaseURL(lmssim.Enabley), connOpts{})
	waitCondition(t, v.conn, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonInventoryFailed)
	if msg := readyCondition(t, v.conn).Message; !strings.Contains(msg, "simulated internal server error") {
		t.Errorf("the Ready message %q lacks the vendor's message", msg)
	}
	secretReadsThen := secretReads.of(ns, v.conn.Spec.CredentialsSecretRef.Name)
	l := v.learner("wait", "wait@example.com")
	create(t, l)
	waitCondition(t, l, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonConnectionNotReady)
	if msg := readyCondition(t, l).Message; !strings.Contains(msg, v1alpha1.ReasonInventoryFailed) {
		t.Errorf("the Learner's message %q does not say that the connection's inventory failed", msg)
	}
	waitReadyWithin(t, l, 40*time.Second)
	assertBackoff(t, sim.Log(lmssim.Enabley), list, failures)
	if n := secretReads.of(ns, v.conn.Spec.CredentialsSecretRef.Name) - secretReadsThen; n > 0 {
		t.Errorf("the Secret was read %d more times from the API server while the list was retried, want none (it did not change)", n)
	}
}

// assertBackoff checks that the failed calls to endpoint in log came after
// waits that double from one second.
func assertBackoff(t *testing.T, log []lmssim.CallRecord, endpoint string, failures int) {
	t.Helper()
	var at []time.Time
	for _, rec := range log {
		if rec.Endpoint == endpoint {
			at = append(at, rec.Time)
		}
	}
	if len(at) < failures+1 {
		t.Fatalf("%d calls to %s, want the %d failed ones and a good one", len(at), endpoint, failures)
	}
	var gaps []string
	for i := 1; i <= failures; i++ {
		gaps = append(gaps, at[i].Sub(at[i-1]).Round(100*time.Millisecond).String())
	}
	for i := 1; i <= failures; i++ {
		// 1s, 2s, 4s, 8s, ...: allow a tenth less for timer and clock slack.
		if want := time.Duration(9<<(i-1)) * 100 * time.Millisecond; at[i].Sub(at[i-1]) < want {
			t.Errorf("attempt %d came %s after the one before, want at least %s (waits: %v)", i+1,
				at[i].Sub(at[i-1]).Round(time.Millisecond), want, gaps)
		}
	}
	t.Logf("waits between list attempts: %v", gaps)
}

// A listProxy stands between a connection and a simulator: it fails the
// user-list request number failAt (1-based) with a 500, may rewrite the
// answers of the list, and records the query of every list request.
type listProxy struct {
	*httptest.Server
	path    string
	failAt  int32
	rewrite func([]byte) []byte

	n       atomic.Int32
	mu      sync.Mutex
	queries []string
}

// newListProxy serves a listProxy in front of sim for the list at path
// (such as "/enabley/api/v3/users"), until the test ends.
func newListProxy(t *testing.T, sim *lmssim.TestServer, path string, failAt int32, rewrite func([]byte) []byte) *listProxy {
	t.Helper()
	target, err := url.Parse(sim.HTTP.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &listProxy{path: path, failAt: failAt, rewrite: rewrite}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = p.modify
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == p.path {
			p.mu.Lock()
			p.queries = append(p.queries, r.URL.Query().Get("paginationKey"))
			p.mu.Unlock()
			if p.n.Add(1) == p.failAt {
				http.Error(w, `{"error":"general_error","error_description":"proxy: page failed"}`, http.StatusInternalServerError)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// modify rewrites the body of a list answer.
func (p *listProxy) modify(resp *http.Response) error {
	if p.rewrite == nil || resp.Request.URL.Path != p.path || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	body = p.rewrite(body)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// listKeys returns the paginationKey of every list request so far ("" for a first page).
func (p *listProxy) listKeys() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

// pagedEnableySeed is the default seed with n more users in the default
// sub-account and pages of two users.
func pagedEnableySeed(n int) lmssim.Seed {
	seed := lmssim.DefaultSeed()
	seed.Enabley.PageSize = 2
	for i := range n {
		id := fmt.Sprintf("paged%d@example.com", i)
		seed.Enabley.Users = append(seed.Enabley.Users, enableysim.User{Identifier: id, Email: id, Username: id,
			FirstName: "Paged", LastName: strconv.Itoa(i), PossibleRoles: []string{"LEARNER"}, IsActive: true,
			SubAccountNames: []string{lmssim.DemoEnableySubAcct}})
	}
	return seed
}

// requirePaged returns the connection, whose vendor client must list page
// by page (lms.PagedLister): every vendor's does.
func requirePaged(t *testing.T, v *vendorSetup) *pool.Connection {
	t.Helper()
	conn, ok := testPool.Get(connectionKey(v.conn.Namespace, v1alpha1.ConnectionReference{Name: v.conn.Name}))
	if !ok {
		t.Fatalf("the pool has no connection %s", v.conn.Name)
	}
	if _, ok := conn.Client.Users().(lms.PagedLister); !ok {
		t.Fatalf("the %s user client does not implement lms.PagedLister", v.vendor)
	}
	return conn
}

// TestAFailedListResumesAtThePageThatFailed fails page 3 of 4 of an Enabley
// user list: after the backoff the connection asks for page 3 again, not
// for pages 1 and 2, and its inventory holds every user.
func TestAFailedListResumesAtThePageThatFailed(t *testing.T) {
	ns := newNamespace(t)
	sim := lmssim.NewTestServer(t, pagedEnableySeed(7), lmssim.Options{}) // 8 users: 4 pages
	proxy := newListProxy(t, sim, "/enabley/api/v3/users", 3, nil)
	v := connectTo(t, ns, lmssim.Enabley, sim, lmssim.VendorBaseURL(proxy.URL, lmssim.Enabley), connOpts{})
	waitReady(t, v.conn)
	conn := requirePaged(t, v)
	keys := proxy.listKeys()
	if len(keys) != 5 || keys[0] != "" || keys[2] != keys[3] {
		t.Errorf("list requests by paginationKey = %q, want pages 1, 2, 3 (failed), 3 again and 4: the pages read before the failure must not be read again", keys)
	}
	if n := conn.Users.Len(); n != 8 {
		t.Errorf("the inventory holds %d users, want the 8 of every page", n)
	}
}

// TestAnUnreadableRecordIsReportedAndSkipped makes one record of an Enabley
// user list carry a field of the wrong type: the list does not fail, the
// record is left out, and the connection says so in its message and in a
// Warning event.
func TestAnUnreadableRecordIsReportedAndSkipped(t *testing.T) {
	ns := newNamespace(t)
	sim := lmssim.NewTestServer(t, pagedEnableySeed(3), lmssim.Options{}) // 4 users: 2 pages
	proxy := newListProxy(t, sim, "/enabley/api/v3/users", 0, oddFirstRecord)
	v := connectTo(t, ns, lmssim.Enabley, sim, lmssim.VendorBaseURL(proxy.URL, lmssim.Enabley), connOpts{})
	waitFor(t, "the connection to be checked", eventually, func() (bool, string) {
		get(t, v.conn)
		_, ok := testPool.Get(connectionKey(ns, v1alpha1.ConnectionReference{Name: v.conn.Name}))
		return ok, readySummary(v.conn)
	})
	conn := requirePaged(t, v)
	waitReady(t, v.conn)
	if msg := readyCondition(t, v.conn).Message; !strings.Contains(msg, "could not be read") {
		t.Errorf("the Ready message %q does not report the record left out", msg)
	}
	waitWarning(t, ns, v.conn.Name, v1alpha1.EventRecordsSkipped)
	if n := conn.Users.Len(); n != 2 {
		t.Errorf("the inventory holds %d users, want 2: the two pages' users but the two unreadable first records", n)
	}
}

// oddFirstRecord makes isActive of the first item of a list page a string.
func oddFirstRecord(body []byte) []byte {
	var page map[string]any
	if json.Unmarshal(body, &page) != nil {
		return body
	}
	items, ok := page["items"].([]any)
	if !ok || len(items) == 0 {
		return body
	}
	if first, ok := items[0].(map[string]any); ok {
		first["isActive"] = "yes"
	}
	out, err := json.Marshal(page)
	if err != nil {
		return body
	}
	return out
}
