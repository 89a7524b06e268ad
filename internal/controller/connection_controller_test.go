package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

func TestConnectionReadyPublishesCapabilitiesAndBudget(t *testing.T) {
	eachVendor(t, connOpts{}, func(t *testing.T, v *vendorSetup) {
		vendor := v.vendor
		st := v.conn.Status
		if st.Capabilities == nil || len(st.Capabilities.Kinds) == 0 {
			t.Fatalf("status.capabilities = %+v, want the vendor's kinds", st.Capabilities)
		}
		want := map[string]int32{lmssim.ELeaP: 2500, lmssim.Enabley: 3600, lmssim.Exceed: 3600}[vendor]
		if st.RateLimit == nil || st.RateLimit.RequestsPerHour != want || st.RateLimit.Burst != 10 {
			t.Errorf("status.rateLimit = %+v, want the default %d/h, burst 10", st.RateLimit, want)
		}
		if st.LastCheckedTime == nil {
			t.Error("status.lastCheckedTime is not set")
		}
		if s := kstatusOf(t, v.conn); s != kstatus.CurrentStatus {
			t.Errorf("kstatus = %s, want Current", s)
		}
	})
}

func TestConnectionCredentialsMissingWrongAndFixedWithoutRestart(t *testing.T) {
	ns := newNamespace(t)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{})
	c := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "eleap"}}
	c.Spec.Provider, c.Spec.ELeaP = v1alpha1.ProviderELeaP, &v1alpha1.ELeaPSettings{Subdomain: "acme"}
	c.Spec.Endpoint, c.Spec.AllowInsecureHTTP = sim.BaseURL(lmssim.ELeaP), true
	c.Spec.CredentialsSecretRef.Name = "creds"
	create(t, c)
	waitCondition(t, c, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretNotFound)
	if s := kstatusOf(t, c); s != kstatus.FailedStatus {
		t.Errorf("kstatus of a connection without its Secret = %s, want Failed", s)
	}

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"},
		StringData: map[string]string{"token": "demo-eleap-token"}}
	create(t, secret)
	waitCondition(t, c, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSecretInvalid)

	update(t, secret, func() { secret.Data = map[string][]byte{"apiToken": []byte("wrong-token")} })
	waitCondition(t, c, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidCredentials)
	if got := readyCondition(t, c).Message; containsAny(got, "wrong-token", "demo-eleap-token") {
		t.Errorf("the Ready message shows a credential: %q", got)
	}
	callsWhileStalled := sim.Total(lmssim.ELeaP)
	time.Sleep(2 * time.Second)
	if n := sim.Total(lmssim.ELeaP); n != callsWhileStalled {
		t.Errorf("a stalled connection kept calling the vendor: %d calls, then %d", callsWhileStalled, n)
	}

	update(t, secret, func() { secret.Data = map[string][]byte{"apiToken": []byte(lmssim.DemoELeaPToken)} })
	waitReady(t, c)
	if findCondition(c.Status.Conditions, v1alpha1.ConditionStalled) != nil {
		t.Error("Stalled is still present on a Ready connection")
	}
}

func TestLearnerOfStalledConnectionWaitsThenConverges(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "exceed-credentials"}}
	update(t, secret, func() { secret.Data = map[string][]byte{"apiKey": []byte("revoked")} })
	waitCondition(t, v.conn, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidCredentials)
	l := v.learner("kay", "kay@example.com")
	create(t, l)
	waitCondition(t, l, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonConnectionNotReady)
	update(t, secret, func() { secret.Data = map[string][]byte{"apiKey": []byte(lmssim.DemoExceedAPIKey)} })
	waitReady(t, l)
}

func TestClusterConnectionRefusesNamespacesNotAllowed(t *testing.T) {
	ns := newNamespace(t)
	other := newNamespace(t)
	sim := lmssim.NewTestServer(t, lmssim.DefaultSeed(), lmssim.Options{})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"},
		StringData: credentials(lmssim.Exceed)})
	cc := &v1alpha1.ClusterLMSConnection{ObjectMeta: metav1.ObjectMeta{Name: "exceed-" + ns}}
	cc.Spec.Provider, cc.Spec.Exceed = v1alpha1.ProviderExceed, &v1alpha1.ExceedSettings{Subdomain: "acme"}
	cc.Spec.Endpoint, cc.Spec.AllowInsecureHTTP = sim.BaseURL(lmssim.Exceed), true
	cc.Spec.CredentialsSecretRef = v1alpha1.SecretReference{Namespace: ns, Name: "creds"}
	cc.Spec.AllowedNamespaces = &v1alpha1.AllowedNamespaces{Names: []string{ns}}
	create(t, cc)
	t.Cleanup(func() { remove(t, cc) })
	waitReady(t, cc)

	ref := v1alpha1.ConnectionReference{Name: cc.Name, Kind: v1alpha1.ClusterLMSConnectionKind}
	allowed := &v1alpha1.Learner{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "in"},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: ref, Email: "in@example.com", FirstName: "In", LastName: "Side"}}
	refused := allowed.DeepCopy()
	refused.Namespace, refused.Spec.Email = other, "out@example.com"
	create(t, allowed)
	create(t, refused)
	waitReady(t, allowed)
	waitCondition(t, refused, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonNamespaceNotAllowed)
	if _, ok := sim.Exceed.UserByEmail("out@example.com"); ok {
		t.Error("a Learner of a namespace not allowed was created in the LMS")
	}
	remove(t, allowed)
	remove(t, refused)
	waitGone(t, allowed)
	waitGone(t, refused)
}

func TestConnectionInUseIsKeptUntilItsLearnersAreGone(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	l := v.readyLearner(t, "kept", "kept@example.com")
	remove(t, v.conn)
	waitCondition(t, v.conn, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDeleting)
	remove(t, l)
	waitGone(t, l)
	waitGone(t, v.conn)
	if exists, active := remoteUser(t, v, "kept@example.com"); !exists || active {
		t.Errorf("the Learner's deletion policy was not applied before the connection went: exists=%v active=%v", exists, active)
	}
}

func Test429StormPausesTheWholeConnectionThenEverythingConverges(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	const retryAfter = 4 * time.Second
	v.sim.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.Fault429, RetryAfter: retryAfter, Times: 3})
	var learners []*v1alpha1.Learner
	for i := range 8 {
		l := v.learner(fmt.Sprintf("storm%d", i), fmt.Sprintf("storm%d@example.com", i))
		create(t, l)
		learners = append(learners, l)
	}
	waitFor(t, "the connection to show pausedUntil", 10*time.Second, func() (bool, string) {
		get(t, v.conn)
		rl := v.conn.Status.RateLimit
		return rl != nil && rl.PausedUntil != nil, fmt.Sprintf("%+v", rl)
	})
	for _, l := range learners {
		waitReady(t, l)
	}
	assertNoCallDuringPause(t, v.sim.Log(lmssim.Exceed), retryAfter)
	if n := v.sim.Count429(lmssim.Exceed); n != 3 {
		t.Errorf("the simulator answered %d 429s, want exactly the 3 injected (each one pauses everything)", n)
	}
}

// inFlight is how long after a 429 arrived other requests may still arrive
// that were sent before the 429 was answered (concurrent workers).
const inFlight = 250 * time.Millisecond

// assertNoCallDuringPause checks that after each 429 no request was sent to
// the vendor before Retry-After passed.
func assertNoCallDuringPause(t *testing.T, log []lmssim.CallRecord, retryAfter time.Duration) {
	t.Helper()
	for i, rec := range log {
		if rec.Status != 429 {
			continue
		}
		from, until := rec.Time.Add(inFlight), rec.Time.Add(retryAfter-50*time.Millisecond)
		for _, next := range log[i+1:] {
			if next.Time.After(from) && next.Time.Before(until) {
				t.Errorf("%s reached the vendor %s after a 429 with Retry-After %s",
					next.Endpoint, next.Time.Sub(rec.Time).Round(time.Millisecond), retryAfter)
			}
		}
	}
}

func TestBudgetNeverExceedsRequestsPerHourAndObjectsConvergeAsItAllows(t *testing.T) {
	ns := newNamespace(t)
	const perHour = 20
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(),
		connOpts{requestsPerHour: perHour, burst: perHour, simRequestsPerHour: perHour})
	waitReady(t, v.conn)
	var learners []*v1alpha1.Learner
	for i := range 30 { // one create call each on Exceed: more than the hour's 20
		l := v.learner(fmt.Sprintf("b%02d", i), fmt.Sprintf("b%02d@example.com", i))
		create(t, l)
		learners = append(learners, l)
	}
	waitFor(t, "most of the hour's budget to be spent", eventually, func() (bool, string) {
		n := v.sim.Total(lmssim.Exceed)
		return n >= perHour-3, fmt.Sprintf("%d calls", n)
	})
	time.Sleep(3 * time.Second) // would any more go out?
	if n := v.sim.Total(lmssim.Exceed); n > perHour {
		t.Errorf("the simulator counted %d calls within the hour, want at most %d", n, perHour)
	}
	if n := v.sim.Count429(lmssim.Exceed); n != 0 {
		t.Errorf("the simulator answered %d 429s: the budget let calls go over its limit", n)
	}
	waiting := 0
	waitFor(t, "a Learner to report WaitingForRateBudget", 10*time.Second, func() (bool, string) {
		waiting = 0
		reasons := map[string]int{}
		for _, l := range learners {
			get(t, l)
			if c := findCondition(l.Status.Conditions, v1alpha1.ConditionReady); c != nil {
				reasons[c.Reason]++
				if c.Reason == v1alpha1.ReasonWaitingForRateBudget {
					waiting++
				}
			}
		}
		return waiting > 0, fmt.Sprintf("Ready reasons: %v", reasons)
	})
	t.Logf("budget %d/h: %d calls counted by the simulator, %d Learners waiting for budget", perHour, v.sim.Total(lmssim.Exceed), waiting)

	// A larger budget (the vendor raised the account's limit) lets everything converge.
	if err := v.sim.SetConfig(lmssim.Exceed, lmssim.VendorConfig{RequestsPerHour: 36000}); err != nil {
		t.Fatal(err)
	}
	update(t, v.conn, func() { v.conn.Spec.RateLimit.RequestsPerHour = ptr.To(int32(36000)) })
	for _, l := range learners {
		waitReady(t, l)
	}
}

func TestCreateCommittedButAnswerLostAdoptsInsteadOfDuplicating(t *testing.T) {
	eachVendor(t, connOpts{}, func(t *testing.T, v *vendorSetup) {
		vendor, ns := v.vendor, v.conn.Namespace
		endpoint := map[string]string{lmssim.ELeaP: "users/add", lmssim.Enabley: "PUT /api/v2/users",
			lmssim.Exceed: "POST /api/v2/users"}[vendor]
		v.sim.Inject(vendor, lmssim.Fault{Kind: lmssim.FaultDropAfterCommit, Endpoint: endpoint})
		l := v.learner("crash", "crash@example.com")
		create(t, l)
		waitFor(t, "the create to be committed and its answer dropped", eventually, func() (bool, string) {
			return len(v.sim.PendingFaults(vendor)) == 0, fmt.Sprintf("%d faults pending", len(v.sim.PendingFaults(vendor)))
		})
		// A restart loses every in-memory snapshot.
		testPool.Remove(connectionKey(ns, l.Spec.ConnectionRef))
		waitReady(t, l)
		if n := countUsers(v, "crash@example.com"); n != 1 {
			t.Errorf("the simulator holds %d users crash@example.com, want exactly 1", n)
		}
		if n := v.sim.Calls(vendor)[endpoint]; n != 1 {
			t.Errorf("%s was called %d times, want 1: the committed user must be adopted", endpoint, n)
		}
	})
}

func countUsers(v *vendorSetup, email string) int {
	n := 0
	switch v.vendor {
	case lmssim.ELeaP:
		for _, u := range v.sim.ELeaP.Users() {
			if u.Email == email {
				n++
			}
		}
	case lmssim.Enabley:
		for _, u := range v.sim.Enabley.Users() {
			if u.Email == email {
				n++
			}
		}
	default:
		for _, u := range v.sim.Exceed.Users() {
			if u.Email == email {
				n++
			}
		}
	}
	return n
}

func TestSteadyStateCostsOneListPerSyncInterval(t *testing.T) {
	const learners = 500
	const interval = 4 * time.Second
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(),
		connOpts{requestsPerHour: 1000000, burst: 1000, syncInterval: interval})
	waitReady(t, v.conn)
	for i := range learners {
		create(t, v.learner(fmt.Sprintf("s%03d", i), fmt.Sprintf("s%03d@example.com", i)))
	}
	waitFor(t, "500 Learners to be Ready", 3*time.Minute, func() (bool, string) {
		var list v1alpha1.LearnerList
		if err := k8s.List(context.Background(), &list, clientInNamespace(ns)); err != nil {
			return false, err.Error()
		}
		ready := 0
		for _, l := range list.Items {
			if isReady(l.Status.Conditions, l.Generation) {
				ready++
			}
		}
		return ready == learners, fmt.Sprintf("%d Ready", ready)
	})
	v.sim.ResetCalls()
	time.Sleep(3 * interval)
	calls := v.sim.Calls(lmssim.ELeaP)
	t.Logf("steady state, %d Learners, 3 sync intervals of %s: simulator counted %v", learners, interval, calls)
	if calls["users/"] > 4 {
		t.Errorf("%d list calls in 3 sync intervals, want at most 4 (one per interval, one per page)", calls["users/"])
	}
	for ep, n := range calls {
		if ep != "users/" {
			t.Errorf("steady state sent %d %s calls, want none", n, ep)
		}
	}
}

// A process that starts during a pause a 429 asked of the one before it (a
// crash) takes the pause over from the connection's status: it sends
// nothing before the Retry-After has passed.
func TestARestartDuringAPauseSendsNothingBeforeItEnds(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.Exceed, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	const retryAfter = 5 * time.Second
	v.sim.Inject(lmssim.Exceed, lmssim.Fault{Kind: lmssim.Fault429, RetryAfter: retryAfter})
	first := v.learner("first", "first@example.com")
	create(t, first)
	waitFor(t, "the connection to show pausedUntil", 10*time.Second, func() (bool, string) {
		get(t, v.conn)
		rl := v.conn.Status.RateLimit
		return rl != nil && rl.PausedUntil != nil, fmt.Sprintf("%+v", rl)
	})
	until := v.conn.Status.RateLimit.PausedUntil.Time
	testPool.Remove(connectionKey(ns, first.Spec.ConnectionRef)) // the restart: the budget and its pause are gone
	v.sim.ResetCalls()
	create(t, v.learner("second", "second@example.com"))
	waitReady(t, first)
	for _, rec := range v.sim.Log(lmssim.Exceed) {
		if rec.Time.Before(until.Add(-time.Second)) {
			t.Errorf("%s was sent at %s, before the pause recorded in status ended (%s)", rec.Endpoint, rec.Time.Format(time.StampMilli), until.Format(time.StampMilli))
		}
	}
}

// TestAPauseIsInStatusBeforeTheConnectionReconciles records a pause with
// the recorder alone: status.rateLimit.pausedUntil shows it, rounded up to
// the second, without waiting for the connection's reconcile, which a
// paused budget may hold (a process killed then would leave the next one
// nothing to take over).
func TestAPauseIsInStatusBeforeTheConnectionReconciles(t *testing.T) {
	ns := newNamespace(t)
	v := newConnection(t, ns, lmssim.ELeaP, lmssim.DefaultSeed(), connOpts{})
	waitReady(t, v.conn)
	key := connectionKey(ns, v1alpha1.ConnectionReference{Name: v.conn.Name})
	conn, ok := testPool.Get(key)
	if !ok {
		t.Fatalf("the pool has no connection %s", key)
	}
	until := time.Now().Add(20 * time.Second)
	conn.Budget.PauseUntil(until)
	newPauseRecorder(t.Context(), k8s, testPool).record(key)
	waitFor(t, "status.rateLimit.pausedUntil", 3*time.Second, func() (bool, string) {
		get(t, v.conn)
		rl := v.conn.Status.RateLimit
		return rl != nil && rl.PausedUntil != nil && !rl.PausedUntil.Time.Before(until.Truncate(time.Second)), fmt.Sprintf("%+v", rl)
	})
	if got := v.conn.Status.RateLimit.PausedUntil.Time; got.Before(until) {
		t.Errorf("pausedUntil = %s, want %s rounded up to the second", got, until)
	}
}
