package main

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lmsoperator/lms-operator/api/v1alpha1"
	"github.com/lmsoperator/lms-operator/internal/lms/budget"
	"github.com/lmsoperator/lms-operator/internal/lms/pool"
	"github.com/lmsoperator/lms-operator/internal/lmssim"
)

// The Enrollment target kinds a scenario can assign.
const (
	targetCourse       = "course"
	targetLearningPath = "learningPath"
	targetChannel      = "channel"
)

// The targets the scenarios assign: training of the simulator's demo seed
// (lmssim.DefaultSeed) that no seed user is assigned to.
const (
	eleapCourseID       = "103" // Kubernetes Basics
	eleapLearningPathID = "202" // Platform Engineer Track
	enableyChannelID    = "kubernetes-basics"
)

// memberLabel marks the scenario's Learners; the group and the Enrollments select it.
const memberLabel = "bench.lmsoperator.dev/member"

// unlimitedRequestsPerHour and unlimitedBurst are the largest budget a
// connection accepts: the figures then show the calls the operator needs,
// not the budget's pacing.
const (
	unlimitedRequestsPerHour = 1000000
	unlimitedBurst           = 1000
)

// The documented eLeaP limit, and the connection's default burst.
const (
	eleapRequestsPerHour = 2500
	defaultBurst         = 10
)

// A target is an Enrollment's course, learning path or channel, by id.
type target struct {
	kind string
	id   string
}

// A scenario is one measured setup: a connection, its Learners, and the
// group and Enrollments that select them.
type scenario struct {
	name     string
	vendor   string
	learners int
	// sync is the connection's syncInterval; 0 leaves the default (10m).
	sync time.Duration
	// requestsPerHour and burst are the connection's budget; 0 leaves the default.
	requestsPerHour, burst int
	// pagesPerSync is the connection's pagesPerSync; 0 leaves it unset.
	pagesPerSync int
	// simRequestsPerHour is the simulator's hourly limit; 0 is none.
	simRequestsPerHour int
	group              bool
	targets            []target
	// intervals of the steady state to watch; 0 skips the phase.
	intervals int
	// budgetBound scenarios compare their time to converge with the floor.
	budgetBound bool
	timeout     time.Duration
}

// scenarios returns the scenarios c selects, in the order they run.
func scenarios(c config) []scenario {
	var out []scenario
	for _, name := range c.scenarios {
		switch name {
		case scenarioUnlimited:
			for _, v := range c.vendors {
				out = append(out, unlimitedScenario(v, c))
			}
		case scenarioBudget:
			out = append(out, budgetScenario(c))
		}
	}
	return out
}

// unlimitedScenario is vendor's group and Enrollments of c.learners
// Learners on an unlimited budget.
func unlimitedScenario(vendor string, c config) scenario {
	s := scenario{name: vendor + "-unlimited", vendor: vendor, learners: c.learners, sync: c.sync,
		requestsPerHour: unlimitedRequestsPerHour, burst: unlimitedBurst, pagesPerSync: c.pagesPerSync,
		intervals: c.intervals, timeout: c.timeout}
	switch vendor {
	case lmssim.ELeaP:
		s.group = true
		for _, kind := range c.eleapTargets {
			s.targets = append(s.targets, eleapTarget(kind))
		}
	case lmssim.Enabley:
		s.group, s.targets = true, []target{{kind: targetChannel, id: enableyChannelID}}
	}
	return s
}

// eleapTarget is the seed's eLeaP course or learning path.
func eleapTarget(kind string) target {
	if kind == targetLearningPath {
		return target{kind: targetLearningPath, id: eleapLearningPathID}
	}
	return target{kind: targetCourse, id: eleapCourseID}
}

// budgetScenario is eLeaP at its documented limit: a group and a course
// Enrollment of c.budgetLearners Learners. Its timeout is set once its floor
// is known (see runScenario).
func budgetScenario(c config) scenario {
	return scenario{name: "eleap-budget", vendor: lmssim.ELeaP, learners: c.budgetLearners, sync: c.budgetSync,
		requestsPerHour: eleapRequestsPerHour, simRequestsPerHour: eleapRequestsPerHour, group: true,
		targets: []target{eleapTarget(targetCourse)}, budgetBound: true}
}

// effectiveBurst is the burst the connection runs with.
func (s scenario) effectiveBurst() int {
	if s.burst == 0 {
		return defaultBurst
	}
	return s.burst
}

// effectivePagesPerSync is the pagesPerSync the manager applies: the one set,
// else the default it derives from the budget and the interval.
func (s scenario) effectivePagesPerSync() int {
	if s.pagesPerSync > 0 {
		return s.pagesPerSync
	}
	perHour, sync := s.requestsPerHour, s.sync
	if perHour == 0 {
		perHour = 3600
		if s.vendor == lmssim.ELeaP {
			perHour = eleapRequestsPerHour
		}
	}
	if sync == 0 {
		sync = 10 * time.Minute
	}
	return pool.DefaultPagesPerSync(budget.Limits{RequestsPerHour: perHour}, sync)
}

// namespace is where the scenario's objects live.
func (s scenario) namespace() string { return "bench-" + s.name }

// setupObjects are the namespace, the credentials and the connection to the
// simulator at simURL.
func (s scenario) setupObjects(simURL string) []client.Object {
	ns := s.namespace()
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "credentials"}, StringData: credentials(s.vendor)}
	conn := &v1alpha1.LMSConnection{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "lms"}}
	conn.Spec.Provider = v1alpha1.Provider(s.vendor)
	conn.Spec.Endpoint, conn.Spec.AllowInsecureHTTP = lmssim.VendorBaseURL(simURL, s.vendor), true
	conn.Spec.CredentialsSecretRef.Name = sec.Name
	if s.sync > 0 {
		conn.Spec.SyncInterval = &metav1.Duration{Duration: s.sync}
	}
	if s.requestsPerHour > 0 || s.burst > 0 {
		conn.Spec.RateLimit = &v1alpha1.RateLimit{}
		if s.requestsPerHour > 0 {
			conn.Spec.RateLimit.RequestsPerHour = ptr.To(int32(s.requestsPerHour))
		}
		if s.burst > 0 {
			conn.Spec.RateLimit.Burst = ptr.To(int32(s.burst))
		}
	}
	if s.pagesPerSync > 0 {
		if conn.Spec.RateLimit == nil {
			conn.Spec.RateLimit = &v1alpha1.RateLimit{}
		}
		conn.Spec.RateLimit.PagesPerSync = ptr.To(int32(s.pagesPerSync))
	}
	switch s.vendor {
	case lmssim.ELeaP:
		conn.Spec.ELeaP = &v1alpha1.ELeaPSettings{Subdomain: "bench"}
	case lmssim.Exceed:
		conn.Spec.Exceed = &v1alpha1.ExceedSettings{Subdomain: "bench"}
	}
	return []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, sec, conn}
}

// credentials are the simulator's demo credentials of vendor.
func credentials(vendor string) map[string]string {
	switch vendor {
	case lmssim.ELeaP:
		return map[string]string{"apiToken": lmssim.DemoELeaPToken}
	case lmssim.Enabley:
		return map[string]string{"clientKey": lmssim.DemoEnableyClient, "secret": lmssim.DemoEnableySecret}
	}
	return map[string]string{"apiKey": lmssim.DemoExceedAPIKey}
}

// selector selects the scenario's Learners.
func selector() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{memberLabel: "true"}}
}

// memberObjects are the LearnerGroup and the Enrollments.
func (s scenario) memberObjects() []client.Object {
	ns, conn := s.namespace(), v1alpha1.ConnectionReference{Name: "lms"}
	var out []client.Object
	if s.group {
		g := &v1alpha1.LearnerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "members"},
			Spec: v1alpha1.LearnerGroupSpec{ConnectionRef: conn, DisplayName: "Bench " + s.name,
				Members: v1alpha1.GroupMembers{Selector: selector()}}}
		if s.vendor == lmssim.Enabley {
			g.Spec.Enabley = &v1alpha1.EnableyGroupSettings{Type: "Company"}
		}
		out = append(out, g)
	}
	for _, t := range s.targets {
		e := &v1alpha1.Enrollment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: t.objectName()},
			Spec: v1alpha1.EnrollmentSpec{ConnectionRef: conn, Subjects: v1alpha1.Subjects{LearnerSelector: selector()}}}
		t.apply(&e.Spec)
		out = append(out, e)
	}
	return out
}

// objectName is the name of the Enrollment of t.
func (t target) objectName() string {
	switch t.kind {
	case targetLearningPath:
		return "learning-path"
	case targetChannel:
		return "channel"
	}
	return "course"
}

// apply sets t as spec's target.
func (t target) apply(spec *v1alpha1.EnrollmentSpec) {
	ref := &v1alpha1.TargetReference{ID: t.id}
	switch t.kind {
	case targetLearningPath:
		spec.LearningPath = ref
	case targetChannel:
		spec.Channel = ref
	default:
		spec.Course = ref
	}
}

// learner is the scenario's i-th Learner.
func (s scenario) learner(i int) *v1alpha1.Learner {
	name := fmt.Sprintf("l%05d", i)
	return &v1alpha1.Learner{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.namespace(), Name: name, Labels: map[string]string{memberLabel: "true"}},
		Spec: v1alpha1.LearnerSpec{ConnectionRef: v1alpha1.ConnectionReference{Name: "lms"},
			Email: name + "@bench.example.com", FirstName: "Bench", LastName: fmt.Sprintf("L%05d", i)},
	}
}
