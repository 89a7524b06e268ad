// Package pool holds one Connection per LMSConnection or ClusterLMSConnection:
// the vendor client, the shared request budget and the inventory, so that
// every controller using a connection spends the same budget and reads the
// same snapshot.
package pool

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lmsoperator/lms-operator/internal/lms"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/inventory"
)

// A Key names a connection object.
type Key struct {
	// Kind is LMSConnection or ClusterLMSConnection.
	Kind string
	// Namespace is empty for a ClusterLMSConnection.
	Namespace string
	Name      string
}

// String returns "namespace/name" or "name".
func (k Key) String() string {
	if k.Namespace == "" {
		return k.Name
	}
	return k.Namespace + "/" + k.Name
}

// Settings are a connection's resolved settings.
type Settings struct {
	Provider       lms.Provider
	BaseURL        string
	SubAccountName string
	Limits         budget.Limits
	SyncInterval   time.Duration
	// PagesPerSync bounds the pages a paged read sends per sync interval
	// (lms.WithPageLimit); 0: every read is whole.
	PagesPerSync int
}

// pageShareDivisor: by default a paged read sends at most a quarter of the
// tokens one sync interval earns.
const pageShareDivisor = 4

// DefaultPagesPerSync is the page bound of a connection that sets none: a
// quarter of the requests the budget allows in one sync interval, at least
// one. A read that fits is whole every interval, so accounts of a usual
// size see no change; one that does not (tens of thousands of users under a
// vendor's hourly limit) is spread instead of spending the budget the writes
// need.
func DefaultPagesPerSync(l budget.Limits, syncInterval time.Duration) int {
	perInterval := float64(l.RequestsPerHour) * syncInterval.Hours()
	return max(1, int(perInterval/pageShareDivisor))
}

// A Connection is one connection's client, budget and caches.
type Connection struct {
	Key      Key
	Settings Settings
	// Client is the vendor client; every call it makes goes through Budget.
	Client lms.Client
	// Budget is the connection's request budget.
	Budget *budget.Budget
	// Users is the snapshot of the LMS's users.
	Users *inventory.Inventory
	// Groups caches the LMS's group list.
	Groups *inventory.Cache[lms.Group]
	// Targets caches the lists of courses, learning paths and channels, by kind.
	Targets *inventory.Cache[lms.Target]
	// Views holds the last reads of groups' members and targets' assignments,
	// updated by the operator's own writes.
	Views *inventory.Views
	// Completions caches the account's recent completions (eLeaP), read once
	// per sync interval for every Enrollment of the connection.
	Completions *inventory.Cache[lms.Completion]

	credentialsVersion string
}

// An ObserverFactory returns the budget observer of a connection (metrics).
type ObserverFactory func(Key, lms.Provider) budget.Observer

// A Pool holds the connections. It is safe for concurrent use.
type Pool struct {
	// Registry builds vendor clients.
	Registry lms.Registry
	// Clock tells the time.
	Clock clock.Clock
	// Base sends requests; http.DefaultTransport when nil. Tests set it.
	Base http.RoundTripper
	// Timeout bounds one vendor call. Default 30s.
	Timeout time.Duration
	// MaxWait is how long a call may wait for a token inside a worker.
	MaxWait time.Duration
	// Observer, when set, builds each connection's metrics observer.
	Observer ObserverFactory
	// OnPause, when set, is told when a connection pauses after a 429, so
	// that its status can show pausedUntil at once.
	OnPause func(Key)

	mu    sync.RWMutex
	conns map[Key]*Connection
}

// Get returns the connection of key, if it was set up.
func (p *Pool) Get(key Key) (*Connection, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	c, ok := p.conns[key]
	return c, ok
}

// Ensure returns the connection of key, building it or rebuilding its client
// when the settings or the credentials changed. The budget survives a rebuild;
// the caches survive unless the vendor or endpoint changed. fresh is true when
// the client was (re)built, so that the caller verifies the credentials.
func (p *Pool) Ensure(key Key, s Settings, creds map[string][]byte, credentialsVersion string) (c *Connection, fresh bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.conns[key]
	if old != nil && old.Settings == s && old.credentialsVersion == credentialsVersion {
		return old, false, nil
	}
	c = p.build(key, s, credentialsVersion, old)
	t := p.transport(c)
	c.Client, err = p.Registry.New(s.Provider, lms.Config{
		BaseURL: s.BaseURL, Credentials: creds, SubAccountName: s.SubAccountName,
		HTTPClient: p.httpClient(t), Pause: t.Pause,
	})
	if err != nil {
		return nil, false, err
	}
	if p.conns == nil {
		p.conns = map[Key]*Connection{}
	}
	p.conns[key] = c
	return c, true, nil
}

func (p *Pool) build(key Key, s Settings, credentialsVersion string, old *Connection) *Connection {
	c := &Connection{Key: key, Settings: s, credentialsVersion: credentialsVersion}
	if old != nil {
		c.Budget = old.Budget
		c.Budget.SetLimits(s.Limits)
	} else {
		c.Budget = budget.New(s.Limits, p.Clock)
	}
	if old != nil && old.Settings.Provider == s.Provider && old.Settings.BaseURL == s.BaseURL {
		c.Users, c.Groups, c.Targets, c.Views, c.Completions = old.Users, old.Groups, old.Targets, old.Views, old.Completions
	} else {
		c.Users = inventory.New(p.Clock)
		c.Groups = inventory.NewCache[lms.Group](p.Clock)
		c.Targets = inventory.NewCache[lms.Target](p.Clock)
		c.Views = inventory.NewViews(p.Clock)
		c.Completions = inventory.NewCache[lms.Completion](p.Clock)
	}
	return c
}

// transport returns the budget transport of c: every call spends c's budget,
// and a pause (a 429, or a rate limit in an answer's body through
// lms.Config.Pause) is told to the observer and to OnPause.
func (p *Pool) transport(c *Connection) *budget.Transport {
	t := &budget.Transport{Budget: c.Budget, Base: p.Base, MaxWait: p.MaxWait, Clock: p.Clock}
	if p.Observer != nil {
		t.Observer = p.Observer(c.Key, c.Settings.Provider)
	}
	if p.OnPause != nil {
		t.Observer = pauseNotifier{next: t.Observer, key: c.Key, notify: p.OnPause}
	}
	return t
}

// httpClient returns the vendor client's http.Client over t, with the call
// timeout and no redirect followed.
func (p *Pool) httpClient(t *budget.Transport) *http.Client {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &http.Client{Transport: t, Timeout: timeout, CheckRedirect: refuseRedirect}
}

// msgRedirect is the message of a redirect answer: its status, and where it pointed.
const msgRedirect = "the vendor answered %d %s (to %s): redirects are not followed, " +
	"so that credentials never leave for another host; set spec.endpoint to the final URL"

// refuseRedirect is the CheckRedirect of every vendor client: a 3xx is a
// terminal InvalidRequest error, so that a request carrying credentials is
// never sent on to the host a vendor (or a proxy) points at. The message
// names the target without its query, which may echo a credential.
func refuseRedirect(req *http.Request, _ []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	to := (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}).String()
	return &lms.Error{Kind: lms.KindInvalidRequest, Op: lms.Operation(req.Context()), Code: strconv.Itoa(status),
		Message: fmt.Sprintf(msgRedirect, status, http.StatusText(status), to)}
}

// Remove forgets the connection of key.
func (p *Pool) Remove(key Key) {
	p.mu.Lock()
	delete(p.conns, key)
	p.mu.Unlock()
}

// pauseNotifier passes a connection's pauses to a callback.
type pauseNotifier struct {
	next   budget.Observer
	key    Key
	notify func(Key)
}

func (n pauseNotifier) Sent(op string, status int, d time.Duration) {
	if n.next != nil {
		n.next.Sent(op, status, d)
	}
}

func (n pauseNotifier) Held(op string, paused bool) {
	if n.next != nil {
		n.next.Held(op, paused)
	}
}

func (n pauseNotifier) Paused(d time.Duration) {
	if n.next != nil {
		n.next.Paused(d)
	}
	n.notify(n.key)
}
